/**
 * The control surface for standalone use (`npm run emulator`), over plain HTTP on the same port, no signature:
 *   GET    /_emulator/health
 *   GET    /_emulator/snapshot
 *   POST   /_emulator/reset
 *   GET    /_emulator/requests        DELETE /_emulator/requests
 *   POST   /_emulator/faults          {"clear"?, "preset"?: ["ecs"], "latency"?: [{match, ms}],
 *                                     "throttle"?: [{group, burst, refillPerSecond, operations}],
 *                                     "failNth"?: [{operation, n, error?}],
 *                                     "hangNth"?: [{operation, n, applied?, count?}],
 *                                     "resetNth"?: [{operation, n, applied?}], "killAt"?: [{operation, n, applied?}]}
 *                                     (each may name a "caller": an access key id whose calls alone count)
 *                                     → {"killed": [access key ids]}
 *   GET    /_emulator/faults          → {"killed": [access key ids]}
 *   POST   /_emulator/share-mesh      {"meshName", "meshOwner", "accountId"?}
 *   POST   /_emulator/unshare-mesh    {"meshName", "meshOwner", "accountId"?}
 *   GET    /_emulator/stacks          → {"stacks": [...]} (as in the snapshot)
 *   POST   /_emulator/stacks          {"stackId", "stackStatus", "stackStatusReason"?, "resources"?: [{logicalResourceId,
 *                                     resourceType, physicalResourceId?, resourceStatus, resourceStatusReason?}]}
 *                                     (or {"stackName", "accountId"?, …} for a new stack id) → the stack
 *   POST   /_emulator/stacks/status   {"stackId", "stackStatus", "stackStatusReason"?} → the stack
 *   POST   /_emulator/stacks/resources {"stackId", "logicalResourceId", "resourceType", "physicalResourceId"?,
 *                                     "resourceStatus", "resourceStatusReason"?} → the stack
 *   POST   /_emulator/stacks/delete   {"stackId"} → the stack
 *   POST   /_emulator/stacks/begin-request {"RequestType", "StackId", "LogicalResourceId", "ResourceType",
 *                                     "RequestId", "PhysicalResourceId"?}: CloudFormation puts the stack and resource
 *                                     in progress before it sends this custom-resource request
 *   POST   /_emulator/stacks/end-request   {"RequestId", "physicalResourceId"?, "failed"?}: records the answer
 *   POST   /_emulator/namespaces      {"name", "type"?: "HTTP"|"DNS_PRIVATE"|"DNS_PUBLIC", "accountId"?}: a Cloud Map
 *                                     namespace, already created → {"arn", "id"}
 * Stack ids hold slashes and colons, hence in the body rather than the path.
 */
import { beginRequest, type CustomResourceRequest, type RequestInProgress } from './cloudformation/requests';
import type { Emulator, InjectedError, StackResourceInput, ThrottlePreset } from './types';
import { isPlainObject } from './util';

export type ControlHandler = (
  method: string,
  path: string,
  body: string,
) => { status: number; body: unknown };

function asArray(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isPlainObject) : [];
}

/** A planned fault's optional `caller` (an access key id). */
function scope(f: Record<string, unknown>): { caller?: string } {
  return typeof f.caller === 'string' ? { caller: f.caller } : {};
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function resourceInput(r: Record<string, unknown>): StackResourceInput {
  const physicalResourceId = optionalString(r.physicalResourceId);
  const resourceStatusReason = optionalString(r.resourceStatusReason);
  return {
    logicalResourceId: String(r.logicalResourceId),
    resourceType: String(r.resourceType),
    resourceStatus: String(r.resourceStatus),
    ...(physicalResourceId !== undefined ? { physicalResourceId } : {}),
    ...(resourceStatusReason !== undefined ? { resourceStatusReason } : {}),
  };
}

const PRESETS: readonly string[] = ['ecs', 'appmesh'] satisfies ThrottlePreset[];

export function createControl(emulator: () => Emulator): ControlHandler {
  const inProgress = new Map<string, RequestInProgress>();
  return (method, path, body) => {
    const e = emulator();
    const route = `${method} ${path.replace(/\/+$/, '')}`;
    try {
      const payload: unknown = body.trim() === '' ? {} : JSON.parse(body);
      const input = isPlainObject(payload) ? payload : {};
      switch (route) {
        case 'GET /_emulator/health':
          return { status: 200, body: { ok: true, url: e.url, region: e.region, accountId: e.accountId } };
        case 'GET /_emulator/snapshot':
          return { status: 200, body: e.snapshot() };
        case 'POST /_emulator/reset':
          e.reset();
          return { status: 200, body: {} };
        case 'GET /_emulator/requests':
          return { status: 200, body: { requests: e.requests } };
        case 'DELETE /_emulator/requests':
          e.clearRequests();
          return { status: 200, body: {} };
        case 'GET /_emulator/faults':
          return { status: 200, body: { killed: e.faults.killed() } };
        case 'POST /_emulator/faults': {
          if (input.clear === true) e.faults.clear();
          for (const preset of Array.isArray(input.preset) ? input.preset : []) {
            if (!PRESETS.includes(String(preset))) {
              throw new RangeError(
                `unknown throttle preset '${String(preset)}' (presets: ${PRESETS.join(', ')})`,
              );
            }
            e.faults.throttlePreset(preset as ThrottlePreset);
          }
          for (const l of asArray(input.latency)) e.faults.latency(String(l.match), Number(l.ms));
          for (const t of asArray(input.throttle)) {
            e.faults.throttle(String(t.group), {
              burst: Number(t.burst),
              refillPerSecond: Number(t.refillPerSecond),
              operations: Array.isArray(t.operations) ? t.operations.map(String) : [],
            });
          }
          for (const f of asArray(input.failNth)) {
            e.faults.failNth(
              String(f.operation),
              Number(f.n),
              isPlainObject(f.error) ? (f.error as unknown as InjectedError) : undefined,
              scope(f),
            );
          }
          for (const h of asArray(input.hangNth)) {
            e.faults.hangNth(String(h.operation), Number(h.n), {
              ...scope(h),
              applied: h.applied === true,
              ...(h.count !== undefined ? { count: Number(h.count) } : {}),
            });
          }
          for (const r of asArray(input.resetNth)) {
            e.faults.resetNth(String(r.operation), Number(r.n), { ...scope(r), applied: r.applied === true });
          }
          for (const k of asArray(input.killAt)) {
            e.faults.killAt(String(k.operation), Number(k.n), { ...scope(k), applied: k.applied === true });
          }
          return { status: 200, body: { killed: e.faults.killed() } };
        }
        case 'POST /_emulator/share-mesh':
          e.shareMesh(
            String(input.meshName),
            String(input.meshOwner),
            typeof input.accountId === 'string' ? input.accountId : undefined,
          );
          return { status: 200, body: {} };
        case 'POST /_emulator/unshare-mesh':
          e.unshareMesh(
            String(input.meshName),
            String(input.meshOwner),
            typeof input.accountId === 'string' ? input.accountId : undefined,
          );
          return { status: 200, body: {} };
        case 'GET /_emulator/stacks':
          return { status: 200, body: { stacks: e.snapshot().cloudformation.stacks } };
        case 'POST /_emulator/stacks': {
          const stackId =
            typeof input.stackId === 'string'
              ? input.stackId
              : e.cloudformation.stackId(String(input.stackName), optionalString(input.accountId));
          const stackStatusReason = optionalString(input.stackStatusReason);
          const stack = e.cloudformation.putStack({
            stackId,
            stackStatus: String(input.stackStatus),
            ...(stackStatusReason !== undefined ? { stackStatusReason } : {}),
            ...(Array.isArray(input.resources)
              ? { resources: asArray(input.resources).map(resourceInput) }
              : {}),
          });
          return { status: 200, body: stack };
        }
        case 'POST /_emulator/stacks/status':
          return {
            status: 200,
            body: e.cloudformation.setStackStatus(
              String(input.stackId),
              String(input.stackStatus),
              optionalString(input.stackStatusReason),
            ),
          };
        case 'POST /_emulator/stacks/resources':
          return {
            status: 200,
            body: e.cloudformation.putStackResource(String(input.stackId), resourceInput(input)),
          };
        case 'POST /_emulator/stacks/delete':
          return { status: 200, body: e.cloudformation.deleteStack(String(input.stackId)) };
        case 'POST /_emulator/stacks/begin-request': {
          const request = input as unknown as CustomResourceRequest & { RequestId: string };
          inProgress.set(String(request.RequestId), beginRequest(e.cloudformation, request));
          return { status: 200, body: {} };
        }
        case 'POST /_emulator/stacks/end-request': {
          const started = inProgress.get(String(input.RequestId));
          if (!started)
            return { status: 404, body: { message: `no request ${String(input.RequestId)} in progress` } };
          inProgress.delete(String(input.RequestId));
          const physicalResourceId = optionalString(input.physicalResourceId);
          const failed = optionalString(input.failed);
          started.end({
            ...(physicalResourceId !== undefined ? { physicalResourceId } : {}),
            ...(failed !== undefined ? { failed } : {}),
          });
          return { status: 200, body: {} };
        }
        case 'POST /_emulator/namespaces': {
          const type = optionalString(input.type);
          if (type !== undefined && !['HTTP', 'DNS_PRIVATE', 'DNS_PUBLIC'].includes(type))
            throw new RangeError(`unknown namespace type '${type}' (HTTP, DNS_PRIVATE, DNS_PUBLIC)`);
          const accountId = optionalString(input.accountId);
          return {
            status: 200,
            body: e.servicediscovery.putNamespace(String(input.name), {
              ...(accountId !== undefined ? { accountId } : {}),
              ...(type !== undefined ? { type: type as 'HTTP' | 'DNS_PRIVATE' | 'DNS_PUBLIC' } : {}),
            }),
          };
        }
        default:
          return { status: 404, body: { message: `No emulator control endpoint ${route}` } };
      }
    } catch (error) {
      return { status: 400, body: { message: error instanceof Error ? error.message : String(error) } };
    }
  };
}
