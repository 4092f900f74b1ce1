/**
 * VPC Lattice rules the model cannot express, each a small pure function (or a constant) that throws the error
 * Lattice answers with. Quotes are from the API reference (the documentation strings of the botocore model the
 * committed one comes from) and the user guide; the messages are ours.
 *
 * What the model itself enforces (ValidationException from the pipeline): names 3-40 (services), 3-63 (service
 * networks, listeners, rules), 3-128 (target groups) of lowercase letters, digits and single inner hyphens; rule
 * priorities 1-2000 (RuleUpdate.priority "Valid Range: Minimum value of 1. Maximum value of 2000."); weights 0-999
 * (the user guide, Listener rules: "Each target group weight is a value from 0 to 999."); 1-10 target groups per
 * forward action; 1-5 header matches per rule (HttpMatch.headerMatches "Maximum number of 5 items."); the unions
 * (one of forward/fixedResponse, exact/prefix, exact/prefix/contains); and what cannot change in place, since the
 * Update operations have no member for it: a listener's name, protocol and port (UpdateListener takes only
 * `defaultAction`), a target group's name, type and config but its health check (UpdateTargetGroup takes only
 * `healthCheck`), a service's name and custom domain name (UpdateService takes certificateArn, authType,
 * idleTimeoutSeconds), a rule's name (UpdateRule takes match, priority, action).
 */
import { latticeErrors } from '../errors';
import { isPlainObject, type JsonObject } from '../util';

/**
 * Quotas for Amazon VPC Lattice (user guide): "Listeners per service | Each supported Region: 2"; "Rules per
 * listener | Each supported Region: 10" (the current page; an earlier version said 5). The default rule is not
 * counted. ServiceQuotaExceededException.
 */
export const LISTENERS_PER_SERVICE = 2;
export const RULES_PER_LISTENER = 10;

/**
 * WeightedTargetGroup.weight: "Only required if you specify multiple target groups for a forward action." (the user
 * guide, Listener rules: "If you specify multiple target groups for a forward action, you must specify a weight for
 * each target group."). ValidationException.
 */
export function checkForwardWeights(action: JsonObject, where: string): void {
  const forward = isPlainObject(action.forward) ? action.forward : undefined;
  const groups =
    forward && Array.isArray(forward.targetGroups) ? forward.targetGroups.filter(isPlainObject) : [];
  if (groups.length > 1 && groups.some((g) => g.weight === undefined))
    throw latticeErrors.validation(
      `${where}: a forward action with ${groups.length} target groups needs a weight for each target group.`,
    );
}

/** The target group identifiers (ids or ARNs, as given) a forward action names. */
export function forwardTargetGroupIds(action: JsonObject): string[] {
  const forward = isPlainObject(action.forward) ? action.forward : undefined;
  const groups =
    forward && Array.isArray(forward.targetGroups) ? forward.targetGroups.filter(isPlainObject) : [];
  return groups.map((g) => String(g.targetGroupIdentifier));
}

/**
 * HealthCheckConfig ranges the model leaves at 0..n: healthCheckIntervalSeconds "The range is 5–300 seconds.",
 * healthCheckTimeoutSeconds "The range is 1–120 seconds.", healthyThresholdCount and unhealthyThresholdCount "The
 * range is 2–10." ValidationException.
 */
export function checkHealthCheck(healthCheck: unknown): void {
  if (!isPlainObject(healthCheck)) return;
  const ranges: [string, number, number][] = [
    ['healthCheckIntervalSeconds', 5, 300],
    ['healthCheckTimeoutSeconds', 1, 120],
    ['healthyThresholdCount', 2, 10],
    ['unhealthyThresholdCount', 2, 10],
  ];
  for (const [member, min, max] of ranges) {
    const value = healthCheck[member];
    if (typeof value === 'number' && (value < min || value > max))
      throw latticeErrors.validation(
        `healthCheck.${member} must be between ${min} and ${max}, got ${value}.`,
      );
  }
}

/**
 * A target group of type IP, INSTANCE or ALB needs the config that routes to it: TargetGroupConfig's protocol and
 * vpcIdentifier are "Not supported if the target group type is LAMBDA" and have no default otherwise (the port
 * defaults by protocol, except for TCP). ValidationException, our wording.
 */
export function checkTargetGroupConfig(type: string, config: unknown): void {
  if (type === 'LAMBDA') {
    if (isPlainObject(config) && (config.port !== undefined || config.protocol !== undefined))
      throw latticeErrors.validation(
        'config.port and config.protocol are not supported for a LAMBDA target group.',
      );
    return;
  }
  if (!isPlainObject(config))
    throw latticeErrors.validation(
      `A target group of type ${type} needs a config (protocol, port, vpcIdentifier).`,
    );
  for (const member of ['protocol', 'vpcIdentifier'])
    if (config[member] === undefined)
      throw latticeErrors.validation(`config.${member} is required for a target group of type ${type}.`);
  if (config.protocol === 'TCP' && config.port === undefined)
    throw latticeErrors.validation(
      'config.port is required for a TCP target group (it has no default port).',
    );
  if (config.protocol === 'TCP' && config.protocolVersion !== undefined)
    throw latticeErrors.validation(
      'config.protocolVersion is supported only for HTTP and HTTPS target groups.',
    );
}

/**
 * Which target-group protocols a listener can forward to, our reading (unquoted): HTTP and HTTPS listeners route
 * requests to HTTP or HTTPS target groups; a TLS_PASSTHROUGH listener passes the TLS connection through, to TCP target
 * groups. ValidationException, our wording.
 */
export function checkProtocolFits(listenerProtocol: string, targetGroupProtocol: string, tg: string): void {
  const tcp = listenerProtocol === 'TLS_PASSTHROUGH';
  if (tcp !== (targetGroupProtocol === 'TCP'))
    throw latticeErrors.validation(
      `Target group ${tg} uses protocol ${targetGroupProtocol}; a ${listenerProtocol} listener forwards only to ${tcp ? 'TCP' : 'HTTP or HTTPS'} target groups.`,
    );
}

/** CreateListenerRequest.port: a TLS_PASSTHROUGH listener has no default port (only HTTP's and HTTPS's are given). */
export function checkListenerPort(protocol: string, port: unknown): void {
  if (protocol === 'TLS_PASSTHROUGH' && port === undefined)
    throw latticeErrors.validation('port is required for a TLS_PASSTHROUGH listener.');
}

/**
 * TagMap: keys "accept a maximum of 128 Unicode characters. Valid characters are Unicode letters, digits, white
 * space, and any of the following symbols: _ . : / = + - @ May not begin with aws:."; values "accept a maximum of 256
 * Unicode characters" of the same set. ValidationException (the model gives the lengths only).
 */
const TAG_CHARACTERS = /^[\p{L}\p{N}\s_.:/=+\-@]*$/u;

export function checkTags(tags: unknown): void {
  if (!isPlainObject(tags)) return;
  for (const [key, value] of Object.entries(tags)) {
    if (key.toLowerCase().startsWith('aws:'))
      throw latticeErrors.validation(`Tag key ${key} may not begin with aws: (reserved for AWS use).`);
    if (!TAG_CHARACTERS.test(key) || !TAG_CHARACTERS.test(String(value)))
      throw latticeErrors.validation(
        `Tag ${key}: keys and values take Unicode letters, digits, white space and _ . : / = + - @ only.`,
      );
  }
}

/**
 * TargetGroupConfig.healthCheck: "Not supported if the target group type is LAMBDA or ALB." ValidationException.
 */
export function checkHealthCheckSupported(type: string, config: unknown): void {
  if ((type === 'LAMBDA' || type === 'ALB') && isPlainObject(config) && config.healthCheck !== undefined)
    throw latticeErrors.validation(`config.healthCheck is not supported for a target group of type ${type}.`);
}
