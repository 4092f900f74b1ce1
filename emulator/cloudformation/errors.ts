/**
 * CloudFormation's errors (AWS query protocol). Its read operations model no error shapes: every client error is
 * `ValidationError` (HTTP 400, `<Type>Sender</Type>`), as CloudFormation answers for unknown stacks and resources.
 * Throttling is `Throttling` ("Rate exceeded", HTTP 400) and an internal failure `InternalFailure` (HTTP 500), the
 * codes of the AWS query APIs' common errors.
 */
import { ServiceError } from '../errors';

export const cloudFormationErrors = {
  validation: (message: string) => new ServiceError('ValidationError', message, 400),
};
