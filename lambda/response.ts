/**
 * CloudFormation rejects a custom-resource response over 4096 bytes ("Response object is too long") and the
 * Provider framework does not check. Both the success path (attributes) and the failure path (the reason) are
 * bounded here.
 */
import { MeshServiceError } from './errors';
import { redact } from './log';

export const RESPONSE_LIMIT_BYTES = 4096;
/** Room kept for what the Provider framework adds to a failure reason (it appends the log stream). */
export const MAX_REASON_BYTES = 1500;

export interface ResponseEnvelope {
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
}

/** The size of the response CloudFormation would receive for a success with these attributes. */
export function successResponseBytes(
  event: ResponseEnvelope,
  physicalId: string,
  data: Record<string, string>,
): number {
  const body = {
    Status: 'SUCCESS',
    Reason: 'See the details in CloudWatch Log Stream: 2026/01/01/[$LATEST]0123456789abcdef0123456789abcdef',
    PhysicalResourceId: physicalId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    NoEcho: false,
    Data: data,
  };
  return Buffer.byteLength(JSON.stringify(body), 'utf8');
}

export function assertResponseFits(
  event: ResponseEnvelope,
  physicalId: string,
  data: Record<string, string>,
): void {
  const bytes = successResponseBytes(event, physicalId, data);
  if (bytes > RESPONSE_LIMIT_BYTES) {
    throw new MeshServiceError(
      `the resource's attributes would make a ${bytes}-byte response, over CloudFormation's ${RESPONSE_LIMIT_BYTES}-byte limit; use shorter names or fewer Versions`,
    );
  }
}

/** One line, redacted, at most MAX_REASON_BYTES bytes of UTF-8. */
export function reasonOf(error: unknown): string {
  const raw =
    error instanceof MeshServiceError
      ? error.message
      : `internal error: ${(error as Error)?.message ?? String(error)} (a bug: please report it with the log lines of this request)`;
  const text = redact(raw).replace(/\s+/g, ' ').trim();
  if (Buffer.byteLength(text, 'utf8') <= MAX_REASON_BYTES) return text;
  // Cut by code points, never inside a surrogate pair.
  let points = Array.from(text);
  while (Buffer.byteLength(`${points.join('')}…`, 'utf8') > MAX_REASON_BYTES) {
    points = points.slice(0, Math.floor(points.length * 0.9));
  }
  return `${points.join('')}…`;
}
