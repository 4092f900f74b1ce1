/**
 * The HTTP front: one port for four services. A request with an X-Amz-Target header is ECS or, with Cloud Map's
 * target prefix, Cloud Map (both JSON 1.1); a
 * form-encoded POST to / is CloudFormation (AWS query); anything else is App Mesh (REST-JSON, under /v20190125);
 * /_emulator/* is the control surface. Each service request goes through the same pipeline: route → require SigV4
 * → parse → faults (latency, throttling, planned fault) → model validation → semantics → serialize (and check the
 * output against the model) → log.
 *
 * A planned hang, reset or kill leaves the call unanswered: with `applied` the pipeline runs to the end and only
 * the answer is dropped; without, it stops at the fault stage. A caller that `killAt` killed gets no answer to any
 * request, which never takes effect: the check comes as soon as the operation is known (before anything else
 * about the request is judged), again at the fault stage (after any injected latency) and before answering.
 */

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { accessKeyFromAuthorization, accessKeyIdOf, accountOfAccessKey } from './accounts';
import type { AppMeshService } from './appmesh/service';
import { CLOUDFORMATION_INTERNAL_ERROR } from './cloudformation/errors';
import { stackNameIssues } from './cloudformation/rules';
import type { CloudFormationService } from './cloudformation/service';
import type { EcsService } from './ecs/service';
import { ECS_SERVICE_OPERATIONS, type EcsServices } from './ecs/services';
import { INTERNAL_ERROR, ServiceError } from './errors';
import type { FaultInjector, Interruption } from './faults';
import { errorStatus, type Operation, type ServiceModel } from './model/model';
import { describeIssues, type Issue, validateStructureValue } from './model/validate';
import { errorBody, JSON_11_CONTENT_TYPE, resolveTarget } from './protocol/json11';
import {
  decodeQueryInput,
  encodeQueryError,
  encodeQueryResponse,
  inQueryPath,
  isQueryRequest,
  QUERY_RESPONSE_CONTENT_TYPE,
  resolveAction,
} from './protocol/query';
import type { RestJsonRouter } from './protocol/rest-json';
import { SERVICE_DISCOVERY_INTERNAL_ERROR, type ServiceDiscoveryService } from './servicediscovery/service';
import type { RequestLogEntry, ServiceName } from './types';
import { isPlainObject, type JsonObject } from './util';

const MAX_BODY_BYTES = 10 * 1024 * 1024;
const APP_MESH_BASE = '/v20190125/';

export interface ServerDeps {
  readonly accountId: string;
  readonly appmeshModel: ServiceModel;
  readonly ecsModel: ServiceModel;
  readonly cloudformationModel: ServiceModel;
  readonly router: RestJsonRouter;
  readonly appmesh: AppMeshService;
  readonly ecs: EcsService;
  readonly cloudformation: CloudFormationService;
  /** Cloud Map (JSON 1.1, X-Amz-Target Route53AutoNaming_v20170314.<Operation>). */
  readonly servicediscoveryModel: ServiceModel;
  readonly servicediscovery: ServiceDiscoveryService;
  /** ECS services (CreateService, DescribeServices, UpdateService, DeleteService). */
  readonly ecsServices: EcsServices;
  readonly faults: FaultInjector;
  readonly log: (entry: RequestLogEntry) => void;
  /** Handles /_emulator/* requests. */
  readonly control: (method: string, path: string, body: string) => { status: number; body: unknown };
}

/** A mutable log entry, filled in as the request progresses (the log shows it from arrival). */
type LiveEntry = { -readonly [K in keyof RequestLogEntry]: RequestLogEntry[K] };

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** What one request carries through the pipeline. */
interface RequestContext {
  readonly entry: LiveEntry;
  readonly accessKeyId: string | undefined;
  /** Set at the fault stage when a planned hang, reset or kill came due. */
  interruption?: Interruption;
}

/** Stops the pipeline of a call that will not be answered (and must not take effect). */
class Unanswered extends Error {
  constructor() {
    super('unanswered');
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new ServiceError('RequestEntityTooLargeException', 'Request body is too large', 413));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createEmulatorServer(deps: ServerDeps): Server {
  const server = createServer((req, res) => {
    handle(deps, req, res).catch((error: unknown) => {
      console.error('[emulator] unexpected failure', error);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  server.keepAliveTimeout = 5_000;
  return server;
}

async function handle(deps: ServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://emulator.local');
  const method = req.method ?? 'GET';

  if (url.pathname.startsWith('/_emulator/')) {
    const result = deps.control(method, url.pathname, await readBody(req).catch(() => ''));
    send(res, {
      status: result.status,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(result.body),
    });
    return;
  }

  // Logged on arrival (before the body is read), so the log is in arrival order.
  const target = header(req, 'x-amz-target');
  const service: ServiceName =
    target !== undefined
      ? target.startsWith(`${deps.servicediscoveryModel.metadata.targetPrefix}.`)
        ? 'servicediscovery'
        : 'ecs'
      : isQueryRequest(method, url.pathname, header(req, 'content-type'))
        ? 'cloudformation'
        : 'appmesh';
  const accessKeyId = accessKeyIdOf(header(req, 'authorization'));
  const entry: LiveEntry = {
    service,
    operation: target ?? `${method} ${url.pathname}`,
    input: undefined,
    status: 0,
    startedAt: Date.now(),
    durationMs: 0,
    ...(accessKeyId !== undefined ? { accessKeyId } : {}),
  };
  deps.log(entry);
  const ctx: RequestContext = { entry, accessKeyId };
  const t0 = performance.now();
  let reply: Reply | undefined;
  try {
    const body = await readBody(req);
    reply =
      service === 'ecs'
        ? await handleEcs(deps, req, target ?? '', body, ctx)
        : service === 'servicediscovery'
          ? await handleServiceDiscovery(deps, req, target ?? '', body, ctx)
          : service === 'cloudformation'
            ? await handleCloudFormation(deps, req, body, ctx)
            : await handleAppMesh(deps, req, method, url, body, ctx);
  } catch (error) {
    if (!(error instanceof Unanswered)) {
      reply = errorReply(deps, service, error);
      const type = error instanceof ServiceError ? error.type : internalError(service).type;
      entry.error = service === 'cloudformation' ? (QUERY_ERROR_CODES[type] ?? type) : type;
    }
  }
  // A caller killed while this call was on its way gets no answer either (the call took effect only when it was
  // the killing call, applied).
  const interruption =
    ctx.interruption ??
    (deps.faults.isKilled(accessKeyId) ? ({ kind: 'kill', applied: false } as const) : undefined);
  if (interruption || !reply) {
    leaveUnanswered(deps, req, res, entry, interruption?.kind ?? 'kill', t0);
    return;
  }
  entry.status = reply.status;
  entry.durationMs = performance.now() - t0;
  send(res, reply);
}

/** Throws Unanswered when `killAt` killed the caller: its requests never reach the service. */
function assertAlive(deps: ServerDeps, ctx: RequestContext): void {
  if (deps.faults.isKilled(ctx.accessKeyId)) {
    ctx.interruption = { kind: 'kill', applied: false };
    throw new Unanswered();
  }
}

const UNANSWERED_ERROR = { hang: 'Hung', reset: 'Reset', kill: 'Killed' } as const;

/**
 * A hang or a kill keeps the connection open with no answer until the client gives up (its socket closes) or
 * the faults release it (clear(), reset(), close()); a reset destroys it at once with a TCP RST.
 */
function leaveUnanswered(
  deps: ServerDeps,
  req: IncomingMessage,
  res: ServerResponse,
  entry: LiveEntry,
  kind: Interruption['kind'],
  t0: number,
): void {
  entry.status = 0;
  entry.error = UNANSWERED_ERROR[kind];
  const socket = req.socket;
  if (kind === 'reset') {
    entry.durationMs = performance.now() - t0;
    if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
    else socket.destroy();
    return;
  }
  if (socket.destroyed) {
    // The client gave up while the call was on its way.
    entry.durationMs = performance.now() - t0;
    return;
  }
  const release = deps.faults.park(() => socket.destroy());
  res.once('close', () => {
    release();
    entry.durationMs = performance.now() - t0;
  });
}

function send(res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, {
    'x-amzn-requestid': randomUUID(),
    'content-length': Buffer.byteLength(reply.body),
    ...reply.headers,
  });
  res.end(reply.body);
}

/** The calling account: the 12 digits ending the access key id, else the emulator's account. */
function callerAccount(deps: ServerDeps, req: IncomingMessage, missingStatus: number): string {
  const accessKeyId = accessKeyFromAuthorization(header(req, 'authorization'), missingStatus);
  return accountOfAccessKey(accessKeyId) ?? deps.accountId;
}

function parseJson(body: string, type: string): unknown {
  if (body.trim() === '') return undefined;
  try {
    return JSON.parse(body);
  } catch {
    throw new ServiceError(type, 'The request body is not valid JSON', 400);
  }
}

/**
 * Faults, in order: latency, then throttling (no token taken when refused), then a planned fault (a call counts
 * here, once admitted). A due failure throws the service's error; a due hang, reset or kill is remembered in the
 * context, and stops the pipeline unless it is `applied`.
 */
async function applyFaults(
  deps: ServerDeps,
  ctx: RequestContext,
  service: ServiceName,
  operation: string,
): Promise<void> {
  assertAlive(deps, ctx);
  const delay = deps.faults.delayFor(service, operation);
  if (delay > 0) {
    await sleep(delay);
    assertAlive(deps, ctx);
  }
  deps.faults.admit(service, operation);
  const interruption = deps.faults.plannedFault(service, operation, ctx.accessKeyId);
  if (!interruption) return;
  ctx.interruption = interruption;
  if (!interruption.applied) throw new Unanswered();
}

function internalError(service: ServiceName): { readonly type: string; readonly status: number } {
  if (service === 'servicediscovery') return SERVICE_DISCOVERY_INTERNAL_ERROR;
  return service === 'cloudformation' ? CLOUDFORMATION_INTERNAL_ERROR : INTERNAL_ERROR[service];
}

function validationError(type: string, issues: readonly Issue[]): ServiceError {
  return new ServiceError(type, describeIssues(issues));
}

/** Output self-check: an output the model would reject is an emulator bug, answered as the service's 500. */
function checkOutput(model: ServiceModel, op: Operation, output: JsonObject, service: ServiceName): void {
  if (!op.output) return;
  const issues = validateStructureValue(model, op.output.shape, output);
  if (issues.length === 0) return;
  console.error(`[emulator] ${op.name} output does not match the model:`, issues);
  throw new ServiceError(
    internalError(service).type,
    `Emulator bug: ${op.name} output does not match the model: ${describeIssues(issues)}`,
    500,
  );
}

async function handleAppMesh(
  deps: ServerDeps,
  req: IncomingMessage,
  method: string,
  url: URL,
  body: string,
  ctx: RequestContext,
): Promise<Reply> {
  const { entry } = ctx;
  const rawPath = url.pathname;
  const match = rawPath.startsWith(APP_MESH_BASE) ? deps.router.match(method, rawPath) : undefined;
  if (!match) {
    throw new ServiceError(
      'UnknownOperationException',
      `No App Mesh operation matches ${method} ${rawPath}`,
      404,
    );
  }
  const op = match.op;
  entry.operation = op.name;
  assertAlive(deps, ctx);
  const account = callerAccount(deps, req, 403);
  const { input, issues } = deps.router.bindInput(
    match,
    url.searchParams,
    req.headers,
    parseJson(body, 'BadRequestException'),
  );
  entry.input = input;
  await applyFaults(deps, ctx, 'appmesh', op.name);
  if (op.input) issues.push(...validateStructureValue(deps.appmeshModel, op.input.shape, input));
  if (issues.length > 0) throw validationError('BadRequestException', issues);
  const output = deps.appmesh.handle(op.name, input, { account });
  checkOutput(deps.appmeshModel, op, output, 'appmesh');
  const response = deps.router.buildResponse(op, output);
  return {
    status: response.status,
    headers: { 'content-type': 'application/json', ...response.headers },
    body: response.body,
  };
}

async function handleEcs(
  deps: ServerDeps,
  req: IncomingMessage,
  target: string,
  body: string,
  ctx: RequestContext,
): Promise<Reply> {
  const { entry } = ctx;
  const op = resolveTarget(deps.ecsModel, target);
  entry.operation = op.name;
  assertAlive(deps, ctx);
  const account = callerAccount(deps, req, 400);
  const parsed = parseJson(body, 'SerializationException') ?? {};
  entry.input = parsed;
  const family = registeringFamily(op.name, account, parsed);
  const busy = registrationsInFlight(deps);
  if (family !== undefined) {
    // Real ECS refuses a registration while another one of the same family is in progress. Requests only overlap
    // here when latency is injected; the provider serialises its own registrations per family.
    if (busy.has(family)) {
      throw new ServiceError(
        'ClientException',
        'Too many concurrent attempts to create a new revision of the specified family.',
        400,
      );
    }
    busy.add(family);
  }
  try {
    await applyFaults(deps, ctx, 'ecs', op.name);
    if (!isPlainObject(parsed))
      throw new ServiceError('SerializationException', 'The request body must be a JSON object', 400);
    const issues = op.input ? validateStructureValue(deps.ecsModel, op.input.shape, parsed) : [];
    if (issues.length > 0) throw validationError('InvalidParameterException', issues);
    const output = ECS_SERVICE_OPERATIONS.has(op.name)
      ? deps.ecsServices.handle(op.name, parsed, { account })
      : deps.ecs.handle(op.name, parsed, { account });
    checkOutput(deps.ecsModel, op, output, 'ecs');
    return { status: 200, headers: { 'content-type': JSON_11_CONTENT_TYPE }, body: JSON.stringify(output) };
  } finally {
    if (family !== undefined) busy.delete(family);
  }
}

/** Cloud Map: AWS JSON 1.1 like ECS, its own target prefix, `InvalidInput` for what the model refuses. */
async function handleServiceDiscovery(
  deps: ServerDeps,
  req: IncomingMessage,
  target: string,
  body: string,
  ctx: RequestContext,
): Promise<Reply> {
  const { entry } = ctx;
  const model = deps.servicediscoveryModel;
  const op = resolveTarget(model, target);
  entry.operation = op.name;
  assertAlive(deps, ctx);
  const account = callerAccount(deps, req, 400);
  const parsed = parseJson(body, 'SerializationException') ?? {};
  entry.input = parsed;
  await applyFaults(deps, ctx, 'servicediscovery', op.name);
  if (!isPlainObject(parsed))
    throw new ServiceError('SerializationException', 'The request body must be a JSON object', 400);
  const issues = op.input ? validateStructureValue(model, op.input.shape, parsed) : [];
  if (issues.length > 0) throw validationError('InvalidInput', issues);
  const output = deps.servicediscovery.handle(op.name, parsed, { account });
  checkOutput(model, op, output, 'servicediscovery');
  return { status: 200, headers: { 'content-type': JSON_11_CONTENT_TYPE }, body: JSON.stringify(output) };
}

async function handleCloudFormation(
  deps: ServerDeps,
  req: IncomingMessage,
  body: string,
  ctx: RequestContext,
): Promise<Reply> {
  const { entry } = ctx;
  const model = deps.cloudformationModel;
  const params = new URLSearchParams(body);
  const action = params.get('Action');
  if (action) entry.operation = action;
  const op = resolveAction(model, params);
  entry.operation = op.name;
  assertAlive(deps, ctx);
  const account = callerAccount(deps, req, 403);
  const { input, issues } = decodeQueryInput(model, op, params);
  entry.input = input;
  await applyFaults(deps, ctx, 'cloudformation', op.name);
  if (op.input) issues.push(...validateStructureValue(model, op.input.shape, input).map(inQueryPath));
  issues.push(...stackNameIssues(input));
  if (issues.length > 0) throw validationError('ValidationError', issues);
  const output = deps.cloudformation.handle(op.name, input, { account });
  checkOutput(model, op, output, 'cloudformation');
  const requestId = randomUUID();
  return {
    status: 200,
    headers: { 'content-type': QUERY_RESPONSE_CONTENT_TYPE, 'x-amzn-requestid': requestId },
    body: encodeQueryResponse(model, op, output, requestId),
  };
}

/** The query protocol names the generic errors without the `Exception` suffix the JSON protocols use. */
const QUERY_ERROR_CODES: Readonly<Record<string, string>> = {
  MissingAuthenticationTokenException: 'MissingAuthenticationToken',
  IncompleteSignatureException: 'IncompleteSignature',
  RequestEntityTooLargeException: 'RequestEntityTooLarge',
};

const inFlight = new WeakMap<ServerDeps, Set<string>>();
function registrationsInFlight(deps: ServerDeps): Set<string> {
  const known = inFlight.get(deps);
  if (known) return known;
  const created = new Set<string>();
  inFlight.set(deps, created);
  return created;
}

function registeringFamily(operation: string, account: string, input: unknown): string | undefined {
  if (operation !== 'RegisterTaskDefinition' || !isPlainObject(input)) return undefined;
  return typeof input.family === 'string' ? `${account}/${input.family}` : undefined;
}

/**
 * Error wire formats: App Mesh → status + x-amzn-ErrorType + {"message"}; ECS → {"__type", "message"};
 * CloudFormation → status + <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>.
 */
function errorReply(deps: ServerDeps, service: ServiceName, error: unknown): Reply {
  const e =
    error instanceof ServiceError
      ? error
      : new ServiceError(internalError(service).type, 'Internal emulator error', 500);
  if (!(error instanceof ServiceError)) console.error('[emulator] internal error', error);
  if (service === 'cloudformation') {
    const status = e.status ?? errorStatus(deps.cloudformationModel, e.type) ?? 400;
    const requestId = randomUUID();
    return {
      status,
      headers: { 'content-type': QUERY_RESPONSE_CONTENT_TYPE, 'x-amzn-requestid': requestId },
      body: encodeQueryError(
        deps.cloudformationModel,
        QUERY_ERROR_CODES[e.type] ?? e.type,
        e.message,
        status,
        requestId,
      ),
    };
  }
  if (service === 'servicediscovery') {
    const status = e.status ?? errorStatus(deps.servicediscoveryModel, e.type) ?? 400;
    return { status, headers: { 'content-type': JSON_11_CONTENT_TYPE }, body: errorBody(e.type, e.message) };
  }
  if (service === 'ecs') {
    const status = e.status ?? errorStatus(deps.ecsModel, e.type) ?? 400;
    return { status, headers: { 'content-type': JSON_11_CONTENT_TYPE }, body: errorBody(e.type, e.message) };
  }
  const status = e.status ?? errorStatus(deps.appmeshModel, e.type) ?? 400;
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': e.type },
    body: JSON.stringify({ message: e.message }),
  };
}
