/**
 * AWS REST-JSON (App Mesh): routes a request to an operation by matching method + requestUri template of every
 * operation in the model, binds URI labels, query-string and header members by `location`/`locationName`, takes
 * the remaining members from the JSON body, and serializes outputs (payload member as the whole body, header
 * members as headers, the operation's responseCode). The services of this protocol are told apart by their paths:
 * a service claims the requests whose first path segment begins one of its request URIs (`v20190125` for App Mesh).
 */
import { ServiceError } from '../errors';
import {
  errorStatus,
  inputShape,
  type MemberRef,
  type Operation,
  outputShape,
  type ServiceModel,
  shapeOf,
} from '../model/model';
import { type Issue, memberPath } from '../model/validate';
import { isPlainObject, type JsonObject } from '../util';
import { parseJsonBody, type WireProtocol } from './wire';

type Segment = { readonly literal: string } | { readonly label: string; readonly greedy: boolean };

interface CompiledRoute {
  readonly op: Operation;
  readonly method: string;
  readonly segments: readonly Segment[];
  readonly literals: number;
}

export interface RouteMatch {
  readonly op: Operation;
  readonly labels: Readonly<Record<string, string>>;
}

function splitPath(path: string): string[] {
  return path.split('/').filter((s, i, all) => !(s === '' && (i === 0 || i === all.length - 1)));
}

export class RestJsonRouter {
  private readonly routes: CompiledRoute[];
  /** The first segments of the request URIs; undefined when one begins with a label (it may match any path). */
  private readonly firstSegments: ReadonlySet<string> | undefined;

  constructor(
    private readonly model: ServiceModel,
    /** The service's error for a request it cannot read (a path segment that is not valid percent-encoding). */
    private readonly badRequest: string,
  ) {
    this.routes = Object.values(model.operations)
      .map((op) => {
        const [path = ''] = op.http.requestUri.split('?');
        const segments: Segment[] = splitPath(path).map((s) => {
          const label = /^\{([^}]+?)(\+?)\}$/.exec(s);
          return label?.[1] ? { label: label[1], greedy: label[2] === '+' } : { literal: s };
        });
        return {
          op,
          method: op.http.method,
          segments,
          literals: segments.filter((s) => 'literal' in s).length,
        };
      })
      .sort((a, b) => b.literals - a.literals);
    const firsts = this.routes.map((r) => r.segments[0]);
    this.firstSegments = firsts.every((s) => s !== undefined && 'literal' in s)
      ? new Set(firsts.map((s) => (s as { literal: string }).literal))
      : undefined;
  }

  /** Whether a (raw) path may be one of this service's: its first segment begins one of the request URIs. */
  claims(rawPath: string): boolean {
    return this.firstSegments === undefined || this.firstSegments.has(splitPath(rawPath)[0] ?? '');
  }

  /** Matches a raw (still percent-encoded) path; undefined when no operation has that method and path. */
  match(method: string, rawPath: string): RouteMatch | undefined {
    const parts = splitPath(rawPath);
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const labels = matchSegments(route.segments, parts, this.badRequest);
      if (labels) return { op: route.op, labels };
    }
    return undefined;
  }

  /**
   * Builds the operation input from the request. Members with a location come from the URI, query string or
   * headers; the rest from the JSON body. Query parameters and body members the operation does not have are
   * reported as issues (validation happens later, together with the model's constraints).
   */
  bindInput(
    match: RouteMatch,
    query: URLSearchParams,
    headers: Readonly<Record<string, string | string[] | undefined>>,
    body: unknown,
  ): { input: JsonObject; issues: Issue[] } {
    const shape = inputShape(this.model, match.op);
    const members = Object.entries(shape.members ?? {});
    const input: JsonObject = {};
    const issues: Issue[] = [];
    const claimedQuery = new Set<string>();

    for (const [name, ref] of members) {
      const wireName = ref.locationName ?? name;
      switch (ref.location) {
        case 'uri': {
          const raw = match.labels[wireName];
          if (raw !== undefined) input[name] = this.coerce(ref, raw, name, issues);
          break;
        }
        case 'querystring': {
          const target = shapeOf(this.model, ref.shape);
          if (target.type === 'map') {
            continue; // bound below, from the parameters no other member claims
          }
          claimedQuery.add(wireName);
          const values = query.getAll(wireName);
          if (values.length === 0) break;
          if (target.type === 'list') {
            const item = target.member;
            input[name] = item ? values.map((v, i) => this.coerce(item, v, `${name}[${i}]`, issues)) : values;
          } else {
            input[name] = this.coerce(ref, values[values.length - 1] ?? '', name, issues);
          }
          break;
        }
        case 'header': {
          const value = headers[wireName.toLowerCase()];
          if (value !== undefined)
            input[name] = this.coerce(ref, Array.isArray(value) ? value.join(',') : value, name, issues);
          break;
        }
        default:
          break;
      }
    }
    const queryMap = members.find(([, ref]) => ref.location === 'querystring' && this.isMap(ref));
    if (queryMap) {
      const rest: JsonObject = {};
      for (const [k, v] of query) if (!claimedQuery.has(k)) rest[k] = v;
      if (Object.keys(rest).length > 0) input[queryMap[0]] = rest;
    } else {
      for (const key of new Set(query.keys())) {
        if (!claimedQuery.has(key)) {
          issues.push({
            path: key,
            message: `Unknown query parameter '${key}': ${match.op.name} has no such member`,
          });
        }
      }
    }

    const bodyMembers = new Map(members.filter(([, ref]) => ref.location === undefined));
    if (shape.payload) {
      if (body !== undefined) input[shape.payload] = body;
    } else if (body !== undefined) {
      if (!isPlainObject(body)) {
        issues.push({ path: '(body)', message: 'The request body must be a JSON object' });
      } else {
        for (const [key, value] of Object.entries(body)) {
          if (!bodyMembers.has(key)) {
            issues.push({
              path: key,
              message:
                `Unknown member '${key}' at '${memberPath('', key)}': the ${match.op.name} request body has no such ` +
                `member (known members: ${[...bodyMembers.keys()].join(', ')})`,
            });
          } else {
            input[key] = value;
          }
        }
      }
    }
    return { input, issues };
  }

  /** Serializes an operation output into status, headers and JSON body. */
  buildResponse(
    op: Operation,
    output: JsonObject,
  ): { status: number; headers: Record<string, string>; body: string } {
    const shape = outputShape(this.model, op);
    const headers: Record<string, string> = {};
    let status = op.http.responseCode ?? 200;
    let body: unknown;
    const bodyObject: JsonObject = {};
    for (const [name, ref] of Object.entries(shape.members ?? {})) {
      const value = onTheWire(this.model, ref.shape, output[name]);
      if (value === undefined || value === null) continue;
      if (ref.location === 'header') headers[ref.locationName ?? name] = String(value);
      else if (ref.location === 'statusCode') status = Number(value);
      else if (shape.payload === name) body = value;
      else if (!shape.payload) bodyObject[name] = value;
    }
    if (!shape.payload) body = bodyObject;
    return { status, headers, body: body === undefined ? '' : JSON.stringify(body) };
  }

  private isMap(ref: MemberRef): boolean {
    return shapeOf(this.model, ref.shape).type === 'map';
  }

  /** Turns a URI/query/header string into the member's type; a value that cannot be converted is an issue. */
  private coerce(ref: MemberRef, raw: string, path: string, issues: Issue[]): unknown {
    const type = shapeOf(this.model, ref.shape).type;
    switch (type) {
      case 'integer':
      case 'long':
        if (/^-?\d+$/.test(raw)) return Number(raw);
        break;
      case 'double':
      case 'float':
        if (raw.trim() !== '' && Number.isFinite(Number(raw))) return Number(raw);
        break;
      case 'boolean':
        if (raw === 'true' || raw === 'false') return raw === 'true';
        break;
      case 'timestamp': {
        const ms = Date.parse(raw);
        if (!Number.isNaN(ms)) return ms / 1000;
        break;
      }
      default:
        return raw;
    }
    issues.push({
      path,
      message: `Value '${raw}' at '${path}' failed to satisfy constraint: Member must be a valid ${type}`,
    });
    return undefined;
  }
}

/**
 * A value as the wire carries it: the emulator holds timestamps as epoch seconds (the protocol's default), and a
 * timestamp shape with `timestampFormat: iso8601` (VPC Lattice's) is written as an ISO 8601 string, as the SDK reads it.
 */
function onTheWire(model: ServiceModel, shapeName: string, value: unknown): unknown {
  if (value === undefined || value === null) return value;
  const shape = shapeOf(model, shapeName);
  switch (shape.type) {
    case 'timestamp':
      return shape.timestampFormat === 'iso8601' && typeof value === 'number'
        ? new Date(value * 1000).toISOString()
        : value;
    case 'structure':
      if (!isPlainObject(value)) return value;
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => {
          const ref = shape.members?.[k];
          return [k, ref ? onTheWire(model, ref.shape, v) : v];
        }),
      );
    case 'list':
      return Array.isArray(value) && shape.member
        ? value.map((v) => onTheWire(model, shape.member!.shape, v))
        : value;
    case 'map':
      return isPlainObject(value) && shape.value
        ? Object.fromEntries(
            Object.entries(value).map(([k, v]) => [k, onTheWire(model, shape.value!.shape, v)]),
          )
        : value;
    default:
      return value;
  }
}

function matchSegments(
  segments: readonly Segment[],
  parts: readonly string[],
  badRequest: string,
): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (!segment) return undefined;
    if ('literal' in segment) {
      if (parts[i] !== segment.literal) return undefined;
      continue;
    }
    if (segment.greedy) {
      const rest = parts.slice(i);
      if (rest.length === 0) return undefined;
      labels[segment.label] = decode(rest.join('/'), badRequest);
      return labels;
    }
    const part = parts[i];
    if (part === undefined || part === '') return undefined;
    labels[segment.label] = decode(part, badRequest);
  }
  return parts.length === segments.length ? labels : undefined;
}

function decode(part: string, badRequest: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new ServiceError(badRequest, `The request path segment '${part}' is not valid percent-encoding`);
  }
}

/**
 * REST-JSON for one service model. `badRequest` is the service's error for a body that is not JSON (App Mesh:
 * BadRequestException, its validation error too); a request no route matches is a 404 UnknownOperationException.
 * Errors carry their type in `x-amzn-ErrorType` and the body `{"message"}`.
 */
export function restJsonProtocol(model: ServiceModel, badRequest: string): WireProtocol {
  const router = new RestJsonRouter(model, badRequest);
  return {
    kind: 'rest-json',
    claims: (head) => router.claims(head.url.pathname),
    provisionalName: (head) => `${head.method} ${head.url.pathname}`,
    resolve(request) {
      const { method, url } = request;
      const match = router.match(method, url.pathname);
      if (!match) {
        throw new ServiceError(
          'UnknownOperationException',
          `No ${model.metadata.serviceId} operation matches ${method} ${url.pathname}`,
          404,
        );
      }
      return {
        op: match.op,
        decode: () =>
          router.bindInput(match, url.searchParams, request.headers, parseJsonBody(request.body, badRequest)),
      };
    },
    encodeOutput(op, output) {
      const response = router.buildResponse(op, output);
      return {
        status: response.status,
        headers: { 'content-type': 'application/json', ...response.headers },
        body: response.body,
      };
    },
    encodeError: (e) => ({
      status: e.status ?? errorStatus(model, e.type) ?? 400,
      headers: { 'content-type': 'application/json', 'x-amzn-errortype': e.type },
      body: JSON.stringify({ message: e.message }),
    }),
    errorCode: (type) => type,
  };
}
