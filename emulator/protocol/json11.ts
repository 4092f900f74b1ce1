/**
 * AWS JSON 1.1 (ECS, Cloud Map): `POST /` with `X-Amz-Target: <targetPrefix>.<Operation>`, the input as the JSON
 * body and the output as the JSON response body; errors as `{"__type": "<Type>", "message": "…"}`. The services of
 * this protocol are told apart by their target prefix.
 */
import { ServiceError } from '../errors';
import { errorStatus, type Operation, type ServiceModel } from '../model/model';
import { isPlainObject } from '../util';
import { headerValue, parseJsonBody, type RequestHead, type WireProtocol } from './wire';

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

const targetOf = (head: RequestHead): string => headerValue(head.headers, 'x-amz-target') ?? '';

/**
 * JSON 1.1 for one service model. A body that is not JSON is a SerializationException at once; one that is JSON but
 * not an object is refused as one at the validation stage.
 */
export function json11Protocol(model: ServiceModel): WireProtocol {
  const json = (status: number, body: string) => ({
    status,
    headers: { 'content-type': JSON_11_CONTENT_TYPE },
    body,
  });
  return {
    kind: 'json',
    claims: (head) => targetOf(head).startsWith(`${model.metadata.targetPrefix}.`),
    provisionalName: targetOf,
    resolve(request) {
      const op = resolveTarget(model, targetOf(request));
      return {
        op,
        decode() {
          const input = parseJsonBody(request.body, 'SerializationException') ?? {};
          if (isPlainObject(input)) return { input, issues: [] };
          const refusal = new ServiceError(
            'SerializationException',
            'The request body must be a JSON object',
            400,
          );
          return { input, issues: [], refusal };
        },
      };
    },
    encodeOutput: (_op, output) => json(200, JSON.stringify(output)),
    encodeError: (e) => json(e.status ?? errorStatus(model, e.type) ?? 400, errorBody(e.type, e.message)),
    errorCode: (type) => type,
  };
}
