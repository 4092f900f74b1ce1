/**
 * What Elastic Load Balancing fills in that its caller did not set, each with why (API reference of the operation,
 * or the User Guide for Application Load Balancers).
 */

/** DescribeLoadBalancers / DescribeTargetGroups / DescribeListeners / DescribeRules, PageSize: "The maximum number of results to return with this call." The emulator's page when none is given (AWS documents none; ours). */
export const DEFAULT_PAGE_SIZE = 400;

/** CreateLoadBalancer, Type: "The type of load balancer. The default is application." */
export const DEFAULT_LOAD_BALANCER_TYPE = 'application';
/** CreateLoadBalancer, Scheme: "The default is an Internet-facing load balancer." */
export const DEFAULT_SCHEME = 'internet-facing';
/** CreateLoadBalancer, IpAddressType: the default is ipv4 (the only family every load balancer supports). */
export const DEFAULT_IP_ADDRESS_TYPE = 'ipv4';
/** The emulator has no EC2: every load balancer is in one made-up VPC (ours). */
export const EMULATED_VPC = 'vpc-0e0e0e0e0e0e0e0e0';
/** Route 53 hosted zone of us-east-1 Application Load Balancers (the Region's published ELB zone id). */
export const CANONICAL_HOSTED_ZONE_ID = 'Z35SXDOTRQ7X7K';

/**
 * CreateTargetGroup defaults for an HTTP/HTTPS target group (API reference, each member): HealthCheckProtocol "the
 * default is the HTTP protocol" (the target group's for HTTP/HTTPS), HealthCheckPort "The default is traffic-port",
 * HealthCheckEnabled "If the target type is instance, ip, or alb, health checks are always enabled" (default true),
 * HealthCheckPath "For HTTP and HTTPS health checks, the default is /", HealthCheckIntervalSeconds "the default is 30
 * seconds", HealthCheckTimeoutSeconds "For target groups with a protocol of HTTP, HTTPS, or GENEVE, the default is 5
 * seconds", HealthyThresholdCount "For target groups with a protocol of HTTP or HTTPS, the default is 5",
 * UnhealthyThresholdCount "For target groups with a protocol of HTTP or HTTPS, the default is 2", Matcher "For
 * target groups with a protocol of HTTP or HTTPS, the default is 200", ProtocolVersion "The default is HTTP1",
 * TargetType "The default is instance", IpAddressType ipv4.
 */
export function httpTargetGroupDefaults(protocol: string) {
  return {
    HealthCheckProtocol: protocol,
    HealthCheckPort: 'traffic-port',
    HealthCheckEnabled: true,
    HealthCheckPath: '/',
    HealthCheckIntervalSeconds: 30,
    HealthCheckTimeoutSeconds: 5,
    HealthyThresholdCount: 5,
    UnhealthyThresholdCount: 2,
    Matcher: { HttpCode: '200' },
    ProtocolVersion: 'HTTP1',
    TargetType: 'instance',
    IpAddressType: 'ipv4',
  };
}

/** A listener's default rule: DescribeRules answers it with Priority "default" and IsDefault true. */
export const DEFAULT_RULE_PRIORITY = 'default';
