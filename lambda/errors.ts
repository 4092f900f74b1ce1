/**
 * The one errors module. Every error a user can meet is a `MeshServiceError`: its message is a single line
 * that names the resource or property and says what to change, because CloudFormation shows it verbatim as the
 * resource's status reason. Anything else thrown is a bug and is reported as an internal error.
 */
export class MeshServiceError extends Error {
  override readonly name: string = 'MeshServiceError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** One violated rule of the property contract. */
export interface PropertyIssue {
  /** Property path as a template author writes it, e.g. `Routes[0].Targets[1].Weight`. */
  readonly path: string;
  /** The rule and what was found, e.g. `expected an integer 1-65535, got "abc"`. */
  readonly message: string;
}

/** Invalid `Custom::MeshService` properties: raised before any AWS call. */
export class PropertyValidationError extends MeshServiceError {
  override readonly name = 'PropertyValidationError';
  constructor(readonly issues: readonly PropertyIssue[]) {
    super(issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '));
  }
}

/** A task definition that cannot be patched with the Envoy sidecar; the message says what to change. */
export class TaskDefinitionError extends MeshServiceError {
  override readonly name = 'TaskDefinitionError';
}

/** A resource under a name we need already exists and belongs to someone else. */
export class OwnershipError extends MeshServiceError {
  override readonly name = 'OwnershipError';
}

/** An AWS call failed in a way retries did not fix; the message names the call and the resource. */
export class AwsCallError extends MeshServiceError {
  override readonly name = 'AwsCallError';
}

/** The request itself is not one this provider serves (wrong ResourceType, unknown RequestType). */
export class UnsupportedRequestError extends MeshServiceError {
  override readonly name = 'UnsupportedRequestError';
}
