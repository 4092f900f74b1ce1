/**
 * VPC Lattice's request and answer shapes turned into the plan's (plan.ts) and back: rule actions with their target
 * groups by ARN, HTTP matches, health checks. Pure.
 */
import type { HealthCheckConfig, HttpMatch, RuleAction } from '@aws-sdk/client-vpc-lattice';
import type { HttpMatchModel, LatticeHealthCheck } from './model';
import type { ObservedAction } from './plan';

export function toRuleAction(action: ObservedAction): RuleAction {
  return action.kind === 'fixed-response'
    ? { fixedResponse: { statusCode: action.statusCode } }
    : {
        forward: {
          targetGroups: action.targets.map((t) => ({
            targetGroupIdentifier: t.targetGroupArn,
            weight: t.weight,
          })),
        },
      };
}

export function fromRuleAction(action: RuleAction | undefined): ObservedAction {
  if (action?.fixedResponse)
    return { kind: 'fixed-response', statusCode: action.fixedResponse.statusCode ?? 0 };
  return {
    kind: 'forward',
    targets: (action?.forward?.targetGroups ?? []).map((t) => ({
      targetGroupArn: t.targetGroupIdentifier ?? '',
      weight: t.weight ?? 1,
    })),
  };
}

export function toHttpMatch(m: HttpMatchModel): HttpMatch {
  return {
    ...(m.method !== undefined ? { method: m.method } : {}),
    ...(m.path
      ? {
          pathMatch: {
            match: m.path.kind === 'exact' ? { exact: m.path.value } : { prefix: m.path.value },
            caseSensitive: true,
          },
        }
      : {}),
    ...(m.headers.length
      ? {
          headerMatches: m.headers.map((h) => ({
            name: h.name,
            match: h.kind === 'exact' ? { exact: h.value } : { prefix: h.value },
            caseSensitive: true,
          })),
        }
      : {}),
  };
}

export function fromHttpMatch(m: HttpMatch | undefined): HttpMatchModel {
  const p = m?.pathMatch?.match;
  const path =
    p?.exact !== undefined
      ? { kind: 'exact' as const, value: p.exact }
      : p?.prefix !== undefined
        ? { kind: 'prefix' as const, value: p.prefix }
        : undefined;
  return {
    ...(m?.method ? { method: m.method } : {}),
    ...(path ? { path } : {}),
    headers: (m?.headerMatches ?? []).map((h) =>
      h.match?.exact !== undefined
        ? { name: h.name ?? '', kind: 'exact' as const, value: h.match.exact }
        : // A contains match is none the model declares: kept as a prefix of an impossible value, so it differs.
          {
            name: h.name ?? '',
            kind: 'prefix' as const,
            value: h.match?.prefix ?? `\u0000${h.match?.contains ?? ''}`,
          },
    ),
  };
}

export const toHealthCheck = (h: LatticeHealthCheck): HealthCheckConfig => ({
  enabled: true,
  protocol: h.protocol,
  protocolVersion: h.protocolVersion,
  port: h.port,
  path: h.path,
  healthCheckIntervalSeconds: h.intervalSeconds,
  healthCheckTimeoutSeconds: h.timeoutSeconds,
  healthyThresholdCount: h.healthyThreshold,
  unhealthyThresholdCount: h.unhealthyThreshold,
});

export function fromHealthCheck(h: HealthCheckConfig | undefined): LatticeHealthCheck | undefined {
  if (!h || h.enabled === false) return undefined;
  return {
    protocol: 'HTTP',
    protocolVersion: h.protocolVersion === 'HTTP2' ? 'HTTP2' : 'HTTP1',
    port: h.port ?? 0,
    path: h.path ?? '/',
    intervalSeconds: h.healthCheckIntervalSeconds ?? 0,
    timeoutSeconds: h.healthCheckTimeoutSeconds ?? 0,
    healthyThreshold: h.healthyThresholdCount ?? 0,
    unhealthyThreshold: h.unhealthyThresholdCount ?? 0,
  };
}
