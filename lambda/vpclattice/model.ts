/**
 * The VPC Lattice backend's service model: what a `Custom::MeshService` with `Backend: VpcLattice` declares, with
 * every default resolved, in Lattice's own terms (docs/migration.md, the mapping): the service (its name and custom
 * domain name), the service network it is associated with, a target group per version, the listener on `Port` whose
 * default action is the route that takes every request, a listener rule per other route, the auth policy and the
 * access log subscription. Its identity is the physical id `vpc-lattice/service/<ServiceName>` (Lattice service names
 * are unique in an account and Region). Built from properties that passed the contract, which has refused what
 * Lattice cannot express (contract.ts). Pure: no AWS calls.
 */

import type { RouteProps } from '../contract/properties';
import { parseTaskDefinitionRef } from '../contract/task-definition-ref';
import { PropertyValidationError } from '../errors';
import { type CoreModel, type CoreVersion, defaultVirtualServiceName, healthCheckModel } from '../model';
import {
  authPolicyOf,
  type Finding,
  targetGroupNameOf,
  type VpcLatticeServiceProps,
  vpcLatticeWarnings,
} from './contract';
import { parseVpcLatticeId, vpcLatticeIdOf } from './identity';

export { parseVpcLatticeId, vpcLatticeIdOf };

export type ProtocolVersion = 'HTTP1' | 'HTTP2' | 'GRPC';

/** A target group's health check as Lattice's HealthCheckConfig holds it. */
export interface LatticeHealthCheck {
  readonly protocol: 'HTTP';
  readonly protocolVersion: 'HTTP1' | 'HTTP2';
  readonly port: number;
  readonly path: string;
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
}

export interface LatticeVersion extends CoreVersion {
  /**
   * The target group of the version: its TargetGroupName, by default `<ServiceName>-<version>`, or `<ServiceName>`
   * for the implicit version.
   */
  readonly targetGroupName: string;
}

export interface TargetGroupModel {
  readonly name: string;
  readonly port: number;
  readonly protocol: 'HTTP';
  readonly protocolVersion: ProtocolVersion;
  readonly vpcId: string;
  readonly healthCheck?: LatticeHealthCheck;
}

/** A listener rule's or the default action, with target groups by name (their ARNs are known once they exist). */
export type ActionModel =
  | {
      readonly kind: 'forward';
      readonly targets: readonly { readonly targetGroup: string; readonly weight: number }[];
    }
  | { readonly kind: 'fixed-response'; readonly statusCode: number };

export interface HttpMatchModel {
  readonly method?: string;
  readonly path?: { readonly kind: 'exact' | 'prefix'; readonly value: string };
  readonly headers: readonly {
    readonly name: string;
    readonly kind: 'exact' | 'prefix';
    readonly value: string;
  }[];
}

export interface RuleModel {
  /** The route's Name: rules are matched by name on update. */
  readonly name: string;
  readonly priority: number;
  readonly match: HttpMatchModel;
  readonly action: ActionModel;
}

export interface VpcLatticeModel {
  /** The Lattice service: ServiceName. */
  readonly serviceName: string;
  /** VirtualServiceName or its default. */
  readonly customDomainName: string;
  readonly serviceNetwork: string;
  readonly vpcId: string;
  readonly authType: 'NONE' | 'AWS_IAM';
  /** With AWS_IAM: the auth policy, as PutAuthPolicy takes it. */
  readonly authPolicy?: string;
  readonly certificateArn?: string;
  readonly listener: {
    readonly name: string;
    readonly protocol: 'HTTP' | 'HTTPS';
    readonly port: number;
    readonly defaultAction: ActionModel;
  };
  readonly targetGroups: readonly TargetGroupModel[];
  /** The routes other than the one the default action takes, by priority. */
  readonly rules: readonly RuleModel[];
  readonly accessLogDestinationArn?: string;
  /** Accepted but not carried over (contract.ts). */
  readonly warnings: readonly Finding[];
}

export interface VpcLatticeServiceModel extends CoreModel {
  readonly backend: 'VpcLattice';
  readonly versions: readonly LatticeVersion[];
  readonly vpcLattice: VpcLatticeModel;
}

/** Lattice rule priorities: 1-2000. A route's Priority (0-1000) is shifted by one; unranked routes come after. */
export const UNRANKED_PRIORITY = 1002;

export const protocolVersionOf = (protocol: string): ProtocolVersion =>
  protocol === 'grpc' ? 'GRPC' : protocol === 'http2' ? 'HTTP2' : 'HTTP1';

/** A route that takes every request: no method, no header, and a path prefix of "/" or none. */
function takesEverything(r: RouteProps): boolean {
  const m = r.Match;
  if (!m) return true;
  return (
    (m.Prefix === undefined || m.Prefix === '/') &&
    m.Path === undefined &&
    m.Method === undefined &&
    (m.Headers ?? []).length === 0
  );
}

function matchOf(r: RouteProps): HttpMatchModel {
  const m = r.Match;
  const path =
    m?.Path !== undefined
      ? { kind: 'exact' as const, value: m.Path }
      : m?.Prefix !== undefined
        ? { kind: 'prefix' as const, value: m.Prefix }
        : undefined;
  return {
    ...(m?.Method !== undefined ? { method: m.Method } : {}),
    ...(path ? { path } : {}),
    headers: (m?.Headers ?? []).map((h) =>
      h.Exact !== undefined
        ? { name: h.Name, kind: 'exact' as const, value: h.Exact }
        : { name: h.Name, kind: 'prefix' as const, value: h.Prefix! },
    ),
  };
}

function healthCheckOf(p: VpcLatticeServiceProps): LatticeHealthCheck | undefined {
  const h = healthCheckModel(p);
  if (!h) return undefined;
  return {
    protocol: 'HTTP',
    protocolVersion: h.protocol === 'http2' ? 'HTTP2' : 'HTTP1',
    port: h.port,
    path: h.path ?? '/',
    intervalSeconds: h.intervalMillis / 1000,
    timeoutSeconds: h.timeoutMillis / 1000,
    healthyThreshold: h.healthyThreshold,
    unhealthyThreshold: h.unhealthyThreshold,
  };
}

export function buildVpcLatticeModel(p: VpcLatticeServiceProps): VpcLatticeServiceModel {
  // The contract requires VpcLattice with this backend.
  const vl = p.VpcLattice!;
  const serviceName = p.ServiceName;
  const versions: LatticeVersion[] = (
    p.Versions ?? [{ Name: undefined, TaskDefinition: p.TaskDefinition }]
  ).map((v) => {
    const taskDefinition =
      v.TaskDefinition !== undefined ? parseTaskDefinitionRef(v.TaskDefinition) : undefined;
    return {
      ...(v.Name !== undefined ? { name: v.Name } : {}),
      ...(taskDefinition ? { taskDefinition } : {}),
      // The contract has checked the name (or its parts): a Lattice name, one per version.
      targetGroupName: targetGroupNameOf(serviceName, v)!,
    };
  });
  const groupOf = new Map(versions.map((v) => [v.name, v.targetGroupName] as const));
  const weightOf = new Map(
    (p.Versions ?? []).map((v) => [v.Name, v.Weight ?? (versions.length === 1 ? 100 : 0)]),
  );
  const healthCheck = healthCheckOf(p);
  const targetGroups: TargetGroupModel[] = versions.map((v) => ({
    name: v.targetGroupName,
    port: p.Port,
    protocol: 'HTTP',
    protocolVersion: protocolVersionOf(p.Protocol),
    vpcId: vl.VpcId,
    ...(healthCheck ? { healthCheck } : {}),
  }));

  const forward = (r: RouteProps): ActionModel => ({
    kind: 'forward',
    targets: r.Targets
      ? r.Targets.map((t) => ({
          targetGroup: groupOf.get(t.Version)!,
          weight: t.Weight ?? (t.Version !== undefined ? weightOf.get(t.Version)! : 100),
        }))
      : versions.map((v) => ({
          targetGroup: v.targetGroupName,
          weight: v.name !== undefined ? weightOf.get(v.name)! : 100,
        })),
  });
  const routes: RouteProps[] = p.Routes ?? [{ Name: 'default' } as RouteProps];
  const ranked = routes
    .map((r, i) => ({ r, priority: r.Priority !== undefined ? r.Priority + 1 : UNRANKED_PRIORITY + i }))
    .sort((a, b) => a.priority - b.priority);
  // The first route (by priority) that takes every request is the listener's default action; Lattice evaluates the
  // default rule last, and a route after it could never be taken (as in App Mesh).
  const catchAll = ranked.findIndex((x) => takesEverything(x.r));
  const rules = (catchAll === -1 ? ranked : ranked.slice(0, catchAll)).map(
    (x): RuleModel => ({ name: x.r.Name, priority: x.priority, match: matchOf(x.r), action: forward(x.r) }),
  );
  const defaultAction: ActionModel =
    catchAll === -1 ? { kind: 'fixed-response', statusCode: 404 } : forward(ranked[catchAll]!.r);
  const listenerProtocol = vl.ListenerProtocol;

  const hc = healthCheckModel(p);
  return {
    backend: 'VpcLattice',
    physicalId: vpcLatticeIdOf(serviceName),
    serviceName,
    port: p.Port,
    protocol: p.Protocol,
    ...(hc ? { healthCheck: hc } : {}),
    versions,
    tags: p.Tags.map((t) => ({ key: t.Key, value: t.Value })),
    vpcLattice: {
      serviceName,
      customDomainName: p.VirtualServiceName ?? defaultVirtualServiceName(p),
      serviceNetwork: vl.ServiceNetwork,
      vpcId: vl.VpcId,
      authType: vl.AuthType,
      ...(vl.AuthType === 'AWS_IAM' ? { authPolicy: authPolicyOf(vl.AllowedPrincipals ?? []) } : {}),
      ...(vl.CertificateArn !== undefined ? { certificateArn: vl.CertificateArn } : {}),
      listener: {
        name: `${listenerProtocol.toLowerCase()}-${p.Port}`,
        protocol: listenerProtocol,
        port: p.Port,
        defaultAction,
      },
      targetGroups,
      rules,
      ...(vl.AccessLogDestinationArn !== undefined
        ? { accessLogDestinationArn: vl.AccessLogDestinationArn }
        : {}),
      warnings: vpcLatticeWarnings(p),
    },
  };
}

/**
 * An in-place update keeps at least one of the service's target groups. The ECS services are registered in them, and
 * their VpcLatticeConfigurations change only once CloudFormation has updated this resource (they read its
 * attributes): with every group replaced, the listener would forward only to new, empty target groups until then.
 * Refused before any AWS call; a canary added to a service without Versions keeps the serving group with its first
 * version's TargetGroupName. The rule is symmetric, so the rollback of an update that passed passes too.
 */
export function checkTargetGroupMove(
  previous: VpcLatticeServiceModel | undefined,
  desired: VpcLatticeServiceModel,
): void {
  if (!previous || previous.physicalId !== desired.physicalId) return;
  const before = previous.versions.map((v) => v.targetGroupName);
  const after = desired.versions.map((v) => v.targetGroupName);
  if (before.length === 0 || after.some((name) => before.includes(name))) return;
  const what = `every target group would be replaced (${before.join(', ')} deleted; ${after.join(', ')} created): the listener would forward only to new, empty target groups while the ECS services are still registered in the old ones, until CloudFormation updates their VpcLatticeConfigurations`;
  throw new PropertyValidationError([
    desired.versions.some((v) => v.name !== undefined)
      ? {
          path: 'Versions[0].TargetGroupName',
          message: `${what}; give the version that runs the serving ECS service TargetGroupName: ${before[0]} (docs/migration.md)`,
        }
      : {
          path: 'Versions',
          message: `${what}; keep the serving version in Versions, alone (it keeps its target group, e.g. ${before[0]}) (docs/migration.md)`,
        },
  ]);
}
