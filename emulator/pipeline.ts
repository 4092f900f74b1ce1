/**
 * The request pipeline, the same for every service: route → operation known (killed-caller check) → SigV4 and the
 * caller's account → parse → admission (the service's own, e.g. ECS's one registration per family) → faults
 * (latency, throttling, planned fault) → model validation (+ the service's extra rules) → semantics → output
 * self-check against the model → serialize. The server logs the request and sends (or drops) the answer. What
 * differs between services is data: one `ServiceEntry` each (emulator/service-table.ts), whose wire protocol
 * (emulator/protocol/) knows the wire.
 */
import { accessKeyFromAuthorization, accountOfAccessKey } from './accounts';
import { type ErrorCode, ServiceError } from './errors';
import type { FaultInjector, Interruption } from './faults';
import type { Operation, ServiceModel } from './model/model';
import { describeIssues, type Issue, validateStructureValue } from './model/validate';
import { isQueryRequest } from './protocol/query';
import {
  type DecodedInput,
  headerValue,
  type ProtocolKind,
  type Reply,
  type RequestHead,
  type WireProtocol,
  type WireRequest,
} from './protocol/wire';
import type { RequestLogEntry, ServiceName } from './types';
import { isPlainObject, type JsonObject } from './util';

export interface CallContext {
  /** The calling account (from the request's credentials). */
  readonly account: string;
}

/** Ends what an admission rule holds for a call in progress. */
export type Release = () => void;

/** One service, as the pipeline needs it. */
export interface ServiceEntry {
  /** Its name in the request log, the snapshot and the fault patterns (`ecs:RegisterTaskDefinition`). */
  readonly name: ServiceName;
  readonly model: ServiceModel;
  /** How its requests are recognised, resolved, decoded and answered. */
  readonly protocol: WireProtocol;
  /** The HTTP status of MissingAuthenticationTokenException (the SigV4 errors are in no model). */
  readonly missingAuthenticationStatus: number;
  /** The error answering a request the model refuses. */
  readonly validationError: string;
  /** The error answering an internal failure: an emulator bug, and `failNth`'s default. */
  readonly internalError: ErrorCode;
  readonly throttlingError: ErrorCode;
  /** The service's rules checked with the model's validation; their issues are reported with the model's. */
  readonly extraValidation?: (input: JsonObject) => readonly Issue[];
  /**
   * The service's rule on calls in progress, checked once the input is parsed and before the faults; throws the
   * service's error, or returns what ends the call's hold (run when the pipeline ends, answered or not).
   */
  readonly admit?: (operation: string, account: string, input: unknown) => Release | undefined;
  /** The operation's semantics over a model-valid input: its output members, or throws a ServiceError. */
  readonly handle: (operation: string, input: JsonObject, ctx: CallContext) => JsonObject;
}

export interface PipelineDeps {
  /** The account of a caller whose access key id names none. */
  readonly accountId: string;
  readonly faults: FaultInjector;
}

/** A mutable log entry, filled in as the request progresses (the log shows it from arrival). */
export type LiveEntry = { -readonly [K in keyof RequestLogEntry]: RequestLogEntry[K] };

/** What one request carries through the pipeline. */
export interface RequestContext {
  readonly entry: LiveEntry;
  readonly accessKeyId: string | undefined;
  /** Set at the fault stage when a planned hang, reset or kill came due. */
  interruption?: Interruption;
}

/** Stops the pipeline of a call that will not be answered (and must not take effect). */
export class Unanswered extends Error {
  constructor() {
    super('unanswered');
  }
}

/**
 * The protocol a request is in: an X-Amz-Target header marks AWS JSON 1.1, a form-encoded POST to / the AWS query
 * protocol, and REST-JSON takes everything else (its services answer what no route of theirs matches with 404).
 */
export function protocolOf(head: RequestHead): ProtocolKind {
  if (headerValue(head.headers, 'x-amz-target') !== undefined) return 'json';
  const contentType = headerValue(head.headers, 'content-type');
  return isQueryRequest(head.method, head.url.pathname, contentType) ? 'query' : 'rest-json';
}

/**
 * The service a request is for: among the services of its protocol, the one that claims it, else the first of them
 * in the table (which answers it with its unknown-operation error).
 */
export function recognise<S extends { readonly protocol: WireProtocol }>(
  services: readonly S[],
  head: RequestHead,
): S {
  const kind = protocolOf(head);
  const speakers = services.filter((s) => s.protocol.kind === kind);
  const service = speakers.find((s) => s.protocol.claims(head)) ?? speakers[0];
  if (!service) throw new Error(`emulator bug: no service speaks ${kind}`);
  return service;
}

/** Runs the pipeline for one request; throws a ServiceError to answer, or Unanswered when there is no answer. */
export async function answer(
  deps: PipelineDeps,
  service: ServiceEntry,
  request: WireRequest,
  ctx: RequestContext,
): Promise<Reply> {
  const { protocol } = service;
  const requested = protocol.requestedOperation?.(request);
  if (requested !== undefined) ctx.entry.operation = requested;
  const { op, decode } = protocol.resolve(request);
  ctx.entry.operation = op.name;
  assertAlive(deps, ctx);
  const account = callerAccount(deps, request, service.missingAuthenticationStatus);
  const decoded = decode();
  ctx.entry.input = decoded.input;
  const release = service.admit?.(op.name, account, decoded.input);
  try {
    await applyFaults(deps, ctx, service.name, op.name);
    const input = validInput(service, op, decoded);
    const output = service.handle(op.name, input, { account });
    checkOutput(service, op, output);
    return protocol.encodeOutput(op, output);
  } finally {
    release?.();
  }
}

/** The answer to a failed call, and the error code the log records. Anything but a ServiceError is a 500. */
export function errorAnswer(service: ServiceEntry, error: unknown): { reply: Reply; code: string } {
  if (!(error instanceof ServiceError)) console.error('[emulator] internal error', error);
  const e =
    error instanceof ServiceError
      ? error
      : new ServiceError(service.internalError.type, 'Internal emulator error', 500);
  return { reply: service.protocol.encodeError(e), code: service.protocol.errorCode(e.type) };
}

/** Throws Unanswered when `killAt` killed the caller: its requests never reach the service. */
function assertAlive(deps: PipelineDeps, ctx: RequestContext): void {
  if (deps.faults.isKilled(ctx.accessKeyId)) {
    ctx.interruption = { kind: 'kill', applied: false };
    throw new Unanswered();
  }
}

/** The calling account: the 12 digits ending the access key id, else the emulator's account. */
function callerAccount(deps: PipelineDeps, request: WireRequest, missingStatus: number): string {
  const accessKeyId = accessKeyFromAuthorization(
    headerValue(request.headers, 'authorization'),
    missingStatus,
  );
  return accountOfAccessKey(accessKeyId) ?? deps.accountId;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Faults, in order: latency, then throttling (no token taken when refused), then a planned fault (a call counts
 * here, once admitted). A due failure throws the service's error; a due hang, reset or kill is remembered in the
 * context, and stops the pipeline unless it is `applied`.
 */
async function applyFaults(
  deps: PipelineDeps,
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

/**
 * The input, once the protocol accepts its body and neither the model nor the service's extra rules refuse it; all
 * issues are reported at once, in the service's validation error.
 */
function validInput(service: ServiceEntry, op: Operation, decoded: DecodedInput): JsonObject {
  if (decoded.refusal) throw decoded.refusal;
  const { input } = decoded;
  if (!isPlainObject(input)) throw new Error(`emulator bug: ${op.name} input is not an object`);
  const spell = service.protocol.spellIssue ?? ((issue: Issue) => issue);
  const modelIssues = op.input ? validateStructureValue(service.model, op.input.shape, input) : [];
  const issues = [
    ...decoded.issues,
    ...modelIssues.map((issue) => spell(issue)),
    ...(service.extraValidation?.(input) ?? []),
  ];
  if (issues.length > 0) throw new ServiceError(service.validationError, describeIssues(issues));
  return input;
}

/** Output self-check: an output the model would reject is an emulator bug, answered as the service's 500. */
function checkOutput(service: ServiceEntry, op: Operation, output: JsonObject): void {
  if (!op.output) return;
  const issues = validateStructureValue(service.model, op.output.shape, output);
  if (issues.length === 0) return;
  console.error(`[emulator] ${op.name} output does not match the model:`, issues);
  throw new ServiceError(
    service.internalError.type,
    `Emulator bug: ${op.name} output does not match the model: ${describeIssues(issues)}`,
    500,
  );
}
