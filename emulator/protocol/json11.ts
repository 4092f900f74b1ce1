/**
 * AWS JSON 1.1 (ECS): `POST /` with `X-Amz-Target: <targetPrefix>.<Operation>`, the input as the JSON body and the
 * output as the JSON response body; errors as `{"__type": "<Type>", "message": "…"}`.
 */
import { ServiceError } from '../errors';
import type { Operation, ServiceModel } from '../model/model';

export const JSON_11_CONTENT_TYPE = 'application/x-amz-json-1.1';

/** The operation an X-Amz-Target names, or the service's UnknownOperationException. */
export function resolveTarget(model: ServiceModel, target: string): Operation {
  const prefix = `${model.metadata.targetPrefix}.`;
  const name = target.startsWith(prefix) ? target.slice(prefix.length) : undefined;
  const op = name === undefined ? undefined : model.operations[name];
  if (!op) throw new ServiceError('UnknownOperationException', `Unknown operation ${target}`, 400);
  return op;
}

export function errorBody(type: string, message: string): string {
  return JSON.stringify({ __type: type, message });
}
