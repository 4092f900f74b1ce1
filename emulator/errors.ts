/**
 * The one errors module. A `ServiceError` is an error the emulated service answers with: its `type` is the wire
 * error code (`BadRequestException`, `ClientException`, …) and the protocol layer turns it into the service's error
 * format. The HTTP status comes from the model when the model declares the error; `status` overrides it for the
 * generic errors a model does not list (UnknownOperationException, MissingAuthenticationTokenException, …).
 */
/** An error as the wire names it, with its HTTP status. */
export interface ErrorCode {
  readonly type: string;
  readonly status: number;
}

export class ServiceError extends Error {
  override readonly name = 'ServiceError';
  constructor(
    readonly type: string,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** App Mesh errors (statuses from the App Mesh model). */
export const appMeshErrors = {
  badRequest: (message: string) => new ServiceError('BadRequestException', message),
  notFound: (message: string) => new ServiceError('NotFoundException', message),
  conflict: (message: string) => new ServiceError('ConflictException', message),
  resourceInUse: (message: string) => new ServiceError('ResourceInUseException', message),
  limitExceeded: (message: string) => new ServiceError('LimitExceededException', message),
  forbidden: (message: string) => new ServiceError('ForbiddenException', message),
  tooManyTags: (message: string) => new ServiceError('TooManyTagsException', message),
};

/** ECS errors (JSON 1.1: client errors are HTTP 400, ServerException 500). */
export const ecsErrors = {
  client: (message: string) => new ServiceError('ClientException', message),
  invalidParameter: (message: string) => new ServiceError('InvalidParameterException', message),
  resourceNotFound: (message: string) => new ServiceError('ResourceNotFoundException', message),
};

/** Cloud Map errors (JSON 1.1; statuses from the Cloud Map model). */
export const serviceDiscoveryErrors = {
  invalidInput: (message: string) => new ServiceError('InvalidInput', message),
  namespaceNotFound: (message: string) => new ServiceError('NamespaceNotFound', message),
  namespaceExists: (message: string) => new ServiceError('NamespaceAlreadyExists', message),
  operationNotFound: (message: string) => new ServiceError('OperationNotFound', message),
  resourceNotFound: (message: string) => new ServiceError('ResourceNotFoundException', message),
  resourceInUse: (message: string) => new ServiceError('ResourceInUse', message),
  tooManyTags: (message: string) => new ServiceError('TooManyTagsException', message),
};

/** Resource Groups Tagging API errors (JSON 1.1; statuses from its model: all client errors are HTTP 400). */
export const taggingErrors = {
  invalidParameter: (message: string) => new ServiceError('InvalidParameterException', message),
};

/**
 * CloudFormation errors (AWS query). Its read operations model no error shapes: every client error is
 * `ValidationError` (HTTP 400, `<Type>Sender</Type>`), as CloudFormation answers for unknown stacks and resources.
 */
export const cloudFormationErrors = {
  validation: (message: string) => new ServiceError('ValidationError', message, 400),
};

/**
 * VPC Lattice errors (REST-JSON; statuses from the Lattice model: ValidationException 400, ResourceNotFoundException
 * 404, ConflictException 409, ServiceQuotaExceededException 402).
 */
export const latticeErrors = {
  validation: (message: string) => new ServiceError('ValidationException', message),
  notFound: (message: string) => new ServiceError('ResourceNotFoundException', message),
  conflict: (message: string) => new ServiceError('ConflictException', message),
  quotaExceeded: (message: string) => new ServiceError('ServiceQuotaExceededException', message),
};

/**
 * Elastic Load Balancing v2 errors (AWS query): the model's exception shapes, which the query protocol answers with
 * the code the model gives each (`PriorityInUseException` → `PriorityInUse`, HTTP 400), and `ValidationError` (HTTP
 * 400) for a request the model's shapes or the documented value rules refuse, as ELB answers it.
 */
export const elbv2Errors = {
  validation: (message: string) => new ServiceError('ValidationError', message, 400),
  of: (shape: string, message: string) => new ServiceError(shape, message),
};
