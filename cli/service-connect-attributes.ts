/**
 * `mesh-service validate`: whether a Service Connect resource returns a rollout, access-log or TLS attribute for the
 * properties it has (lambda/serviceconnect/rollout.ts and proxy.ts say when each is present). A GetAtt of an absent
 * attribute fails at deploy time; here it is found offline. Pure.
 */
import type { MeshServiceProps } from '../lambda/backends';
import { isResolved } from '../lambda/contract/dsl';
import { testTrafficRouteIndex } from '../lambda/serviceconnect/rollout';

const known = <T>(v: T | undefined): v is T => v !== undefined && isResolved(v);

/** Why the attribute is not returned, or undefined when it is (or is not one of these). */
export function serviceConnectAttributeAbsence(
  props: MeshServiceProps,
  attribute: string,
): string | undefined {
  const p = props as MeshServiceProps & {
    ServiceConnect?: {
      Rollout?: { Strategy?: string; BakeMinutes?: number; TestTrafficHeader?: unknown };
      Tls?: { KmsKey?: string; RoleArn?: string };
    };
  };
  const sc = known(p.ServiceConnect) ? p.ServiceConnect : undefined;
  const rollout = sc && known(sc.Rollout) ? sc.Rollout : undefined;
  const versions = known(p.Versions) ? p.Versions : undefined;
  const isRollout = rollout !== undefined || versions?.length === 2;
  const strategy = rollout && known(rollout.Strategy) ? rollout.Strategy : 'CANARY';
  const needs: Record<string, [boolean, string]> = {
    DeploymentStrategy: [isRollout, 'only with a rollout (ServiceConnect.Rollout or two Versions)'],
    CanaryPercent: [isRollout && strategy === 'CANARY', 'only with a CANARY rollout'],
    CanaryBakeTimeInMinutes: [isRollout && strategy === 'CANARY', 'only with a CANARY rollout'],
    StepPercent: [isRollout && strategy === 'LINEAR', 'only with a LINEAR rollout'],
    StepBakeTimeInMinutes: [isRollout && strategy === 'LINEAR', 'only with a LINEAR rollout'],
    BakeTimeInMinutes: [rollout?.BakeMinutes !== undefined, 'only with ServiceConnect.Rollout.BakeMinutes'],
    TestTrafficHeaderName: [
      rollout?.TestTrafficHeader !== undefined || testTrafficRouteIndex(p) !== undefined,
      'only with test traffic (ServiceConnect.Rollout.TestTrafficHeader or an exact-header route)',
    ],
    AccessLogFormat: [p.AccessLogFormat !== undefined, 'only with AccessLogFormat'],
    TlsAwsPcaAuthorityArn: [sc?.Tls !== undefined, 'only with ServiceConnect.Tls'],
    TlsKmsKey: [known(sc?.Tls) && sc.Tls.KmsKey !== undefined, 'only with ServiceConnect.Tls.KmsKey'],
    TlsRoleArn: [known(sc?.Tls) && sc.Tls.RoleArn !== undefined, 'only with ServiceConnect.Tls.RoleArn'],
  };
  needs.TestTrafficHeaderValue = needs.TestTrafficHeaderName!;
  const need = needs[attribute];
  if (!need || need[0]) return undefined;
  return props.Backend === 'ServiceConnect'
    ? `"${attribute}" is returned ${need[1]}`
    : `"${attribute}" is returned with Backend: ServiceConnect only`;
}
