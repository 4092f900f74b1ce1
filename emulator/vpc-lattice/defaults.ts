/**
 * What VPC Lattice fills in that the caller did not send; each entry says why we believe the real service does it.
 * Quotes are from the API reference (the documentation strings of the botocore model the committed one comes from).
 */
import { randomBytes } from 'node:crypto';
import type { JsonObject } from '../util';

/**
 * Page size of the List operations when `maxResults` is absent. The reference gives only the range ("Valid Range:
 * Minimum value of 1. Maximum value of 100."): the emulator's choice is the maximum.
 */
export const DEFAULT_MAX_RESULTS = 100;

/** CreateServiceRequest.authType: "NONE: The resource does not use an IAM policy. This is the default." */
export const DEFAULT_AUTH_TYPE = 'NONE';

/** CreateListenerRequest.port: "For HTTP, the default is 80. For HTTPS, the default is 443." */
export const DEFAULT_LISTENER_PORTS: Readonly<Record<string, number>> = { HTTP: 80, HTTPS: 443 };

/** TargetGroupConfig.port: "For HTTP, the default is 80. For HTTPS, the default is 443." */
export const DEFAULT_TARGET_GROUP_PORTS: Readonly<Record<string, number>> = { HTTP: 80, HTTPS: 443 };

/**
 * TargetGroupConfig (a copy, with what Lattice fills in):
 * - protocolVersion: "The default is HTTP1." (HTTP and HTTPS groups; a TCP group has no protocol version);
 * - ipAddressType: "Supported only if the target group type is IP. The default is IPV4.";
 * - port: as DEFAULT_TARGET_GROUP_PORTS;
 * - healthCheck (HTTP and HTTPS groups of type IP or INSTANCE; "Not supported if the target group type is LAMBDA or
 *   ALB"): path "The default path is /.", healthCheckIntervalSeconds "The default is 30
 *   seconds.", healthCheckTimeoutSeconds "The default is 5 seconds.", healthyThresholdCount "The default is 5.",
 *   unhealthyThresholdCount "The default is 2." — each only where the caller left it out.
 */
export function targetGroupConfigWithDefaults(type: string, config: JsonObject): JsonObject {
  const out: JsonObject = { ...config };
  const protocol = typeof out.protocol === 'string' ? out.protocol : undefined;
  if (out.port === undefined && protocol && DEFAULT_TARGET_GROUP_PORTS[protocol] !== undefined)
    out.port = DEFAULT_TARGET_GROUP_PORTS[protocol];
  if (protocol !== 'TCP' && out.protocolVersion === undefined) out.protocolVersion = 'HTTP1';
  if (type === 'IP' && out.ipAddressType === undefined) out.ipAddressType = 'IPV4';
  if (protocol !== 'TCP' && (type === 'IP' || type === 'INSTANCE'))
    out.healthCheck = healthCheckWithDefaults((out.healthCheck as JsonObject) ?? {});
  return out;
}

/** The documented health-check defaults (see targetGroupConfigWithDefaults), under what the caller gave. */
export function healthCheckWithDefaults(healthCheck: JsonObject): JsonObject {
  return {
    path: '/',
    healthCheckIntervalSeconds: 30,
    healthCheckTimeoutSeconds: 5,
    healthyThresholdCount: 5,
    unhealthyThresholdCount: 2,
    ...healthCheck,
  };
}

/**
 * The DNS name Lattice gives a service, `<name>-<id digits>.<7 hex>.vpc-lattice-svcs.<region>.on.aws` (the shape of
 * the `dnsEntry.domainName` in the user guide's examples), in a hosted zone of Lattice's (an id of the Route 53
 * shape; the real ids are per Region and not published).
 */
export function serviceDnsEntry(name: string, id: string, region: string): JsonObject {
  return {
    domainName: `${name}-${id.slice('svc-'.length)}.${randomBytes(4).toString('hex').slice(0, 7)}.vpc-lattice-svcs.${region}.on.aws`,
    hostedZoneId: 'Z03EMULATORLATTICE01',
  };
}
