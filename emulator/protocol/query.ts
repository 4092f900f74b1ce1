/**
 * The AWS query protocol (CloudFormation), as `@aws-sdk/client-cloudformation` sends it: `POST /` with
 * `Content-Type: application/x-www-form-urlencoded`, the body `Action=<Operation>&Version=<apiVersion>&<members>`
 * (structure members as `Name.Member`, list items as `Name.member.N`, map entries as `Name.entry.N.key|value`,
 * an empty list as `Name=`), answered with `text/xml`:
 *
 *   <OperationResponse xmlns="<xmlNamespace>">
 *     <OperationResult>…members, list items as <member>, timestamps ISO 8601…</OperationResult>
 *     <ResponseMetadata><RequestId>…</RequestId></ResponseMetadata>
 *   </OperationResponse>
 *
 * and errors as `<ErrorResponse><Error><Type>Sender|Receiver</Type><Code/><Message/></Error><RequestId/>
 * </ErrorResponse>` with the HTTP status of the error (the wire format a captured CloudFormation error shows:
 * boto/boto3#2807). Decoding and encoding are driven by the model's shapes. Every query service posts its form to
 * `/`, so the services of this protocol are told apart by the service their request is signed for: the credential
 * scope of the SigV4 Authorization header, `Credential=<key>/<date>/<region>/<service>/aws4_request`.
 */
import { randomUUID } from 'node:crypto';
import { signingServiceOf } from '../accounts';
import { ServiceError } from '../errors';
import {
  errorStatus,
  type MemberRef,
  type Operation,
  type ServiceModel,
  type Shape,
  signingNameOf,
} from '../model/model';
import type { Issue } from '../model/validate';
import { isPlainObject, type JsonObject } from '../util';
import { headerValue, type Reply, type WireProtocol } from './wire';

export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';
export const QUERY_RESPONSE_CONTENT_TYPE = 'text/xml';

/** The query-protocol traits the shared model types do not declare. */
type QueryShape = Shape & { readonly flattened?: boolean };
type QueryMemberRef = MemberRef & { readonly flattened?: boolean };
type QueryOperation = Operation & {
  readonly output?: { readonly shape: string; readonly resultWrapper?: string };
};

function shapeNamed(model: ServiceModel, name: string): QueryShape {
  const shape = model.shapes[name];
  if (!shape) throw new Error(`shape ${name} is not in the ${model.metadata.serviceId} model`);
  return shape;
}

/** Whether a request is in the query protocol: a form-encoded POST to `/`. */
export function isQueryRequest(method: string, path: string, contentType: string | undefined): boolean {
  return (
    method === 'POST' &&
    path === '/' &&
    (contentType ?? '').split(';')[0]?.trim().toLowerCase() === FORM_CONTENT_TYPE
  );
}

/** The operation named by `Action` (and `Version`), or the query protocol's errors for a missing or unknown one. */
export function resolveAction(model: ServiceModel, params: URLSearchParams): Operation {
  const action = params.get('Action');
  const version = params.get('Version');
  if (action === null || action === '') {
    throw new ServiceError('MissingAction', 'The request must contain the parameter Action.', 400);
  }
  if (version === null || version === '') {
    throw new ServiceError('MissingParameter', 'The request must contain the parameter Version.', 400);
  }
  const op = version === model.metadata.apiVersion ? model.operations[action] : undefined;
  if (!op) {
    throw new ServiceError('InvalidAction', `Could not find operation ${action} for version ${version}`, 400);
  }
  return op;
}

/** A scalar from its query text; text that is not of the shape's type stays a string (validation reports it). */
function scalar(shape: QueryShape, text: string): unknown {
  switch (shape.type) {
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : text;
    case 'integer':
    case 'long':
      return /^-?\d+$/.test(text) ? Number(text) : text;
    case 'double':
    case 'float':
      return text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
    case 'timestamp': {
      if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
      const ms = Date.parse(text);
      return Number.isNaN(ms) ? text : ms / 1000;
    }
    default:
      return text;
  }
}

class FormReader {
  readonly consumed = new Set<string>();
  constructor(readonly params: ReadonlyMap<string, string>) {}

  /** Whether any parameter is `prefix` itself or lies under `prefix.`. */
  has(prefix: string): boolean {
    if (this.params.has(prefix)) return true;
    for (const key of this.params.keys()) if (key.startsWith(`${prefix}.`)) return true;
    return false;
  }

  take(key: string): string | undefined {
    const value = this.params.get(key);
    if (value !== undefined) this.consumed.add(key);
    return value;
  }
}

function decodeValue(model: ServiceModel, ref: QueryMemberRef, prefix: string, form: FormReader): unknown {
  const shape = shapeNamed(model, ref.shape);
  switch (shape.type) {
    case 'structure': {
      if (!form.has(prefix)) return undefined;
      const out: JsonObject = {};
      for (const [name, member] of Object.entries(shape.members ?? {})) {
        const value = decodeValue(model, member, `${prefix}.${member.locationName ?? name}`, form);
        if (value !== undefined) out[name] = value;
      }
      return out;
    }
    case 'list': {
      // An empty list is sent as the bare name with an empty value.
      if (form.params.get(prefix) === '') {
        form.take(prefix);
        return [];
      }
      const item = shape.member ?? { shape: 'String' };
      const base =
        shape.flattened === true || ref.flattened === true
          ? prefix
          : `${prefix}.${item.locationName ?? 'member'}`;
      const items: unknown[] = [];
      for (let i = 1; form.has(`${base}.${i}`); i++)
        items.push(decodeValue(model, item, `${base}.${i}`, form));
      return items.length > 0 ? items : undefined;
    }
    case 'map': {
      if (form.params.get(prefix) === '') {
        form.take(prefix);
        return {};
      }
      const base = shape.flattened === true || ref.flattened === true ? prefix : `${prefix}.entry`;
      const keyRef = shape.key ?? { shape: 'String' };
      const valueRef = shape.value ?? { shape: 'String' };
      const out: JsonObject = {};
      let found = false;
      for (let i = 1; form.has(`${base}.${i}`); i++) {
        found = true;
        const key = form.take(`${base}.${i}.${keyRef.locationName ?? 'key'}`);
        const value = decodeValue(model, valueRef, `${base}.${i}.${valueRef.locationName ?? 'value'}`, form);
        if (key !== undefined) out[key] = value;
      }
      return found ? out : undefined;
    }
    default: {
      const text = form.take(prefix);
      return text === undefined ? undefined : scalar(shape, text);
    }
  }
}

/**
 * Binds the form parameters (other than Action and Version) to the operation's input structure. Parameters the
 * input has no member for are reported as issues; validation against the model happens later, with them.
 */
export function decodeQueryInput(
  model: ServiceModel,
  op: Operation,
  params: URLSearchParams,
): { input: JsonObject; issues: Issue[] } {
  const flat = new Map<string, string>();
  for (const [key, value] of params) if (key !== 'Action' && key !== 'Version') flat.set(key, value);
  const form = new FormReader(flat);
  const input: JsonObject = {};
  const shape = op.input ? shapeNamed(model, op.input.shape) : { type: 'structure' as const, members: {} };
  for (const [name, member] of Object.entries(shape.members ?? {})) {
    const value = decodeValue(model, member, member.locationName ?? name, form);
    if (value !== undefined) input[name] = value;
  }
  const issues: Issue[] = [];
  for (const key of flat.keys()) {
    if (form.consumed.has(key)) continue;
    issues.push({
      path: key,
      message: `Unknown parameter '${key}': ${op.input?.shape ?? op.name} has no such member`,
    });
  }
  return { input, issues };
}

/** Text content escaped for XML (quotes need no escaping outside attributes). */
export function escapeXml(text: string): string {
  return text.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

function escapeAttribute(text: string): string {
  return escapeXml(text).replace(/"/g, '&quot;');
}

function element(name: string, inner: string): string {
  return inner === '' ? `<${name}/>` : `<${name}>${inner}</${name}>`;
}

function encodeValue(model: ServiceModel, ref: QueryMemberRef, value: unknown, name: string): string {
  const shape = shapeNamed(model, ref.shape);
  switch (shape.type) {
    case 'structure': {
      const object = isPlainObject(value) ? value : {};
      let inner = '';
      for (const [member, memberRef] of Object.entries(shape.members ?? {})) {
        const v = object[member];
        if (v === undefined || v === null) continue;
        inner += encodeValue(model, memberRef, v, memberRef.locationName ?? member);
      }
      return element(name, inner);
    }
    case 'list': {
      const items = Array.isArray(value) ? value : [];
      const item = shape.member ?? { shape: 'String' };
      if (shape.flattened === true || ref.flattened === true) {
        return items.map((v) => encodeValue(model, item, v, item.locationName ?? name)).join('');
      }
      return element(
        name,
        items.map((v) => encodeValue(model, item, v, item.locationName ?? 'member')).join(''),
      );
    }
    case 'map': {
      const entries = isPlainObject(value) ? Object.entries(value) : [];
      const keyRef = shape.key ?? { shape: 'String' };
      const valueRef = shape.value ?? { shape: 'String' };
      const inner = entries
        .map(
          ([k, v]) =>
            `<entry>${element(keyRef.locationName ?? 'key', escapeXml(k))}${encodeValue(model, valueRef, v, valueRef.locationName ?? 'value')}</entry>`,
        )
        .join('');
      return element(name, inner);
    }
    case 'timestamp':
      // Epoch seconds inside the emulator; ISO 8601 with milliseconds on the query wire.
      return element(name, new Date(Number(value) * 1000).toISOString());
    default:
      return element(name, escapeXml(String(value)));
  }
}

/** The XML document answering `op` with `output`. */
export function encodeQueryResponse(
  model: ServiceModel,
  op: Operation,
  output: JsonObject,
  requestId: string,
): string {
  const namespace = (model.metadata as { xmlNamespace?: string }).xmlNamespace ?? '';
  const out = (op as QueryOperation).output;
  const result = out
    ? encodeValue(model, { shape: out.shape }, output, out.resultWrapper ?? `${op.name}Result`)
    : '';
  return (
    `<${op.name}Response xmlns="${escapeAttribute(namespace)}">` +
    result +
    `<ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata>` +
    `</${op.name}Response>\n`
  );
}

/** The query protocol's error document: Type is Sender for 4xx and Receiver for 5xx answers. */
export function encodeQueryError(
  model: ServiceModel,
  code: string,
  message: string,
  status: number,
  requestId: string,
): string {
  const namespace = (model.metadata as { xmlNamespace?: string }).xmlNamespace ?? '';
  return (
    `<ErrorResponse xmlns="${escapeAttribute(namespace)}"><Error>` +
    `<Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type>` +
    `<Code>${escapeXml(code)}</Code>` +
    `<Message>${escapeXml(message)}</Message>` +
    `</Error><RequestId>${escapeXml(requestId)}</RequestId></ErrorResponse>\n`
  );
}

/**
 * Query services name members in validation messages in lower camel case (`'stackName'`, as CloudFormation's own
 * messages show, e.g. "Value '' at 'stackName' failed to satisfy constraint"); the model's member names are upper
 * camel case.
 */
export function queryMemberPath(path: string): string {
  return path
    .split('.')
    .map((segment) => segment.charAt(0).toLowerCase() + segment.slice(1))
    .join('.');
}

/** An issue with its member path in the query services' spelling. */
export function inQueryPath(issue: Issue): Issue {
  const path = queryMemberPath(issue.path);
  return { path, message: issue.message.replace(`'${issue.path}'`, `'${path}'`) };
}

/** The query protocol names the generic errors without the `Exception` suffix the JSON protocols use. */
const QUERY_ERROR_CODES: Readonly<Record<string, string>> = {
  MissingAuthenticationTokenException: 'MissingAuthenticationToken',
  IncompleteSignatureException: 'IncompleteSignature',
  RequestEntityTooLargeException: 'RequestEntityTooLarge',
};

/** A modelled error goes by the code its shape declares (ELB: `PriorityInUseException` is `PriorityInUse`). */
const modelledCode = (model: ServiceModel, type: string): string | undefined =>
  (model.shapes[type] as { error?: { code?: string } } | undefined)?.error?.code;

const queryErrorCode = (type: string): string => QUERY_ERROR_CODES[type] ?? type;

/** The AWS query protocol for one service model; every answer carries its request id in the header and the XML. */
export function queryProtocol(model: ServiceModel): WireProtocol {
  const xml = (status: number, body: (requestId: string) => string): Reply => {
    const requestId = randomUUID();
    return {
      status,
      headers: { 'content-type': QUERY_RESPONSE_CONTENT_TYPE, 'x-amzn-requestid': requestId },
      body: body(requestId),
    };
  };
  return {
    kind: 'query',
    claims(head) {
      const service = signingServiceOf(headerValue(head.headers, 'authorization'));
      return service !== undefined && service === signingNameOf(model);
    },
    provisionalName: (head) => `${head.method} ${head.url.pathname}`,
    requestedOperation: (request) => new URLSearchParams(request.body).get('Action') || undefined,
    resolve(request) {
      const params = new URLSearchParams(request.body);
      const op = resolveAction(model, params);
      return { op, decode: () => decodeQueryInput(model, op, params) };
    },
    spellIssue: inQueryPath,
    encodeOutput: (op, output) => xml(200, (requestId) => encodeQueryResponse(model, op, output, requestId)),
    encodeError(e) {
      const status = e.status ?? errorStatus(model, e.type) ?? 400;
      return xml(status, (requestId) =>
        encodeQueryError(
          model,
          modelledCode(model, e.type) ?? queryErrorCode(e.type),
          e.message,
          status,
          requestId,
        ),
      );
    },
    errorCode: (type) => modelledCode(model, type) ?? queryErrorCode(type),
  };
}
