/**
 * What Backend VpcLattice refuses, by name and before any AWS call (the contract), and what it accepts without
 * carrying over (warnings).
 */
import { parseFor } from '../../lambda/backends';
import { REFUSAL } from '../../lambda/vpclattice/contract';
import { base, canary, issuesOf, parseLattice } from './props';

describe('GIVEN properties with Backend VpcLattice', () => {
  test('WHEN they declare what Lattice expresses THEN they pass', () => {
    expect(issuesOf(base)).toEqual([]);
    expect(issuesOf(canary)).toEqual([]);
    expect(
      issuesOf({
        ...canary,
        Routes: [
          {
            Name: 'beta',
            Priority: '0',
            Match: { Prefix: '/api', Method: 'POST', Headers: [{ Name: 'x-beta', Exact: 'yes' }] },
            Targets: [{ Version: 'v2', Weight: '1' }],
          },
          {
            Name: 'default',
            Targets: [
              { Version: 'v1', Weight: '90' },
              { Version: 'v2', Weight: '10' },
            ],
          },
        ],
        HealthCheck: { Path: '/health', IntervalMillis: '10000' },
        VpcLattice: {
          ...base.VpcLattice,
          AuthType: 'AWS_IAM',
          AllowedPrincipals: ['111122223333', 'arn:aws:iam::444455556666:role/caller'],
          AccessLogDestinationArn: 'arn:aws:logs:us-east-1:111122223333:log-group:lattice',
        },
      }),
    ).toEqual([]);
  });

  const route = (extra: Record<string, unknown>) => ({ ...canary, Routes: [{ Name: 'r1', ...extra }] });
  test.each([
    ['no VpcLattice', { ...base, VpcLattice: undefined }, `VpcLattice: ${REFUSAL.options}`],
    ['tcp', { ...base, Protocol: 'tcp' }, `Protocol: ${REFUSAL.tcp}`],
    ['an Edge service', { ...base, Edge: 'true' }, `Edge: ${REFUSAL.edge}`],
    [
      'a retry policy',
      route({ Retry: { MaxRetries: '2', PerRetryTimeoutMillis: '1000', HttpRetryEvents: ['server-error'] } }),
      `Routes[0].Retry: ${REFUSAL.retry}`,
    ],
    [
      'a route timeout',
      route({ Timeout: { PerRequestMillis: '5000' } }),
      `Routes[0].Timeout: ${REFUSAL.timeout}`,
    ],
    [
      'a listener timeout',
      { ...base, ListenerTimeout: { PerRequestMillis: '5000' } },
      `ListenerTimeout: ${REFUSAL.listenerTimeout}`,
    ],
    [
      'outlier detection',
      {
        ...base,
        OutlierDetection: {
          MaxServerErrors: '5',
          IntervalMillis: '10000',
          BaseEjectionDurationMillis: '30000',
          MaxEjectionPercent: '10',
        },
      },
      `OutlierDetection: ${REFUSAL.outlierDetection}`,
    ],
    [
      'a connection pool',
      { ...base, ConnectionPool: { MaxConnections: '10' } },
      `ConnectionPool: ${REFUSAL.connectionPool}`,
    ],
    [
      'mutual TLS',
      {
        ...base,
        Tls: {
          Mode: 'STRICT',
          Certificate: { AcmCertificateArn: 'arn:aws:acm:us-east-1:111122223333:certificate/abc' },
          Validation: { Trust: { CertificateChain: '/certs/ca.pem' } },
        },
      },
      `Tls: ${REFUSAL.tls}`,
    ],
    [
      'a path regex',
      route({ Match: { PathRegex: '/a.*' } }),
      `Routes[0].Match.PathRegex: ${REFUSAL.pathRegex}`,
    ],
    [
      'a header regex',
      route({ Match: { Headers: [{ Name: 'x', Regex: 'a.*' }] } }),
      `Routes[0].Match.Headers[0]: ${REFUSAL.headerKind}`,
    ],
    [
      'a header range',
      route({ Match: { Headers: [{ Name: 'x', Range: { Start: '1', End: '5' } }] } }),
      `Routes[0].Match.Headers[0]: ${REFUSAL.headerKind}`,
    ],
    [
      'a header suffix',
      route({ Match: { Headers: [{ Name: 'x', Suffix: 'z' }] } }),
      `Routes[0].Match.Headers[0]: ${REFUSAL.headerKind}`,
    ],
    [
      'a header presence',
      route({ Match: { Headers: [{ Name: 'x' }] } }),
      `Routes[0].Match.Headers[0]: ${REFUSAL.headerPresence}`,
    ],
    [
      'an inverted header',
      route({ Match: { Headers: [{ Name: 'x', Exact: 'y', Invert: 'true' }] } }),
      `Routes[0].Match.Headers[0].Invert: ${REFUSAL.headerInvert}`,
    ],
    [
      'query parameters',
      route({ Match: { QueryParameters: [{ Name: 'q', Exact: '1' }] } }),
      `Routes[0].Match.QueryParameters: ${REFUSAL.queryParameters}`,
    ],
    ['a scheme', route({ Match: { Scheme: 'https' } }), `Routes[0].Match.Scheme: ${REFUSAL.scheme}`],
    [
      'six header matches',
      route({ Match: { Headers: ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => ({ Name: n, Exact: 'v' })) } }),
      `Routes[0].Match.Headers: ${REFUSAL.headers}`,
    ],
    [
      'a gRPC method match',
      { ...canary, Protocol: 'grpc', Routes: [{ Name: 'r1', Match: { ServiceName: 'pkg.Svc' } }] },
      `Routes[0].Match: ${REFUSAL.grpcMatch}`,
    ],
    [
      'a gateway',
      { ...base, Gateway: { VirtualGatewayName: 'gw', Prefix: '/' } },
      `Gateway: ${REFUSAL.gateway}`,
    ],
    [
      'an access log format',
      { ...base, AccessLogFormat: { Text: '%START_TIME%' } },
      `AccessLogFormat: ${REFUSAL.accessLogFormat}`,
    ],
    [
      'a target port',
      route({ Targets: [{ Version: 'v1', Weight: '1', Port: '3000' }] }),
      `Routes[0].Targets[0].Port: ${REFUSAL.targetPort}`,
    ],
    [
      'a health check of a gRPC service',
      { ...base, Protocol: 'grpc', HealthCheck: {} },
      `HealthCheck.Protocol: ${REFUSAL.healthCheckProtocol}`,
    ],
    [
      'a health check interval in milliseconds',
      { ...base, HealthCheck: { Path: '/h', IntervalMillis: '5500' } },
      `HealthCheck.IntervalMillis: ${REFUSAL.healthCheckSeconds}`,
    ],
    [
      'AWS_IAM without callers',
      { ...base, VpcLattice: { ...base.VpcLattice, AuthType: 'AWS_IAM' } },
      `VpcLattice.AllowedPrincipals: ${REFUSAL.principals}`,
    ],
    [
      'callers without AWS_IAM',
      { ...base, VpcLattice: { ...base.VpcLattice, AllowedPrincipals: ['111122223333'] } },
      `VpcLattice.AllowedPrincipals: ${REFUSAL.principalsWithoutAuth}`,
    ],
    [
      'a certificate on an HTTP listener',
      {
        ...base,
        VpcLattice: {
          ...base.VpcLattice,
          CertificateArn: 'arn:aws:acm:us-east-1:111122223333:certificate/abc',
        },
      },
      `VpcLattice.CertificateArn: ${REFUSAL.certificate}`,
    ],
  ])('WHEN they declare %s THEN it is refused by name', (_what, props, message) => {
    expect(issuesOf(props)).toContain(message);
  });

  test.each([
    [
      'an uppercase ServiceName',
      { ...base, ServiceName: 'Frontend' },
      /^ServiceName: with Backend VpcLattice, ServiceName must be a VPC Lattice name/,
    ],
    [
      'a ServiceName over 40 characters',
      { ...base, ServiceName: 'a'.repeat(41) },
      /^ServiceName: .*up to 40/,
    ],
    ['a ServiceName starting with svc-', { ...base, ServiceName: 'svc-front' }, /^ServiceName: .*"svc-"/],
    [
      'a version name Lattice cannot use',
      { ...canary, Versions: [{ Name: 'V_1', Weight: '100' }] },
      /^Versions\[0\]\.Name: .*<ServiceName>-<Name>/,
    ],
    [
      'a route name starting with rule-',
      { ...canary, Routes: [{ Name: 'rule-one' }] },
      /^Routes\[0\]\.Name: .*"rule-"/,
    ],
    [
      'two routes of one priority',
      {
        ...canary,
        Routes: [
          { Name: 'one', Priority: '3', Match: { Prefix: '/a' } },
          { Name: 'two', Priority: '3' },
        ],
      },
      /^Routes\[1\]\.Priority: VPC Lattice rule priorities are unique per listener: Routes\[0\] has Priority 3/,
    ],
    [
      'a path Lattice cannot match',
      { ...canary, Routes: [{ Name: 'one', Match: { Path: '/a b' } }] },
      /^Routes\[0\]\.Match\.Path: VPC Lattice paths/,
    ],
    [
      'a network that is no name, id or ARN',
      { ...base, VpcLattice: { ...base.VpcLattice, ServiceNetwork: 'Platform_Net' } },
      /^VpcLattice\.ServiceNetwork: expected a service network name/,
    ],
    [
      'a VPC that is no VPC id',
      { ...base, VpcLattice: { ...base.VpcLattice, VpcId: 'subnet-0123abcd' } },
      /^VpcLattice\.VpcId: /,
    ],
  ])('WHEN they declare %s THEN it is refused by name', (_what, props, pattern) => {
    expect(issuesOf(props).some((i) => pattern.test(i))).toBe(true);
  });

  test('WHEN VpcLattice is given with another Backend THEN it is refused', () => {
    expect(issuesOf({ ...base, Backend: 'AppMesh' })).toContain('VpcLattice: only with Backend: VpcLattice');
  });

  test('WHEN a refusal is given THEN the model is never built (the handler makes no call)', () => {
    expect(() => parseFor('VpcLattice', { ...base, OutlierDetection: {} })).toThrow(/OutlierDetection/);
  });

  test('WHEN they declare what Lattice does not carry over THEN it is a warning, not a refusal', () => {
    const m = parseLattice({
      ...base,
      TaskDefinition: 'frontend:1',
      Backends: ['ecsdemo-crystal.service.local'],
      Envoy: { LogLevel: 'debug' },
      AccessLogPath: '/var/log/access.log',
    });
    expect(m.vpcLattice.warnings.map((w) => w.path)).toEqual(['Backends', 'Envoy', 'AccessLogPath']);
  });
});

describe('GIVEN a version that names its own target group (Versions[].TargetGroupName)', () => {
  const keeping = (first: Record<string, unknown>, second: Record<string, unknown> = {}) => ({
    ...canary,
    Versions: [
      { ...canary.Versions[0], ...first },
      { ...canary.Versions[1], ...second },
    ],
  });

  test('WHEN the first version keeps the target group of the service without Versions THEN it passes and the model serves that version from it', () => {
    const props = keeping({ TargetGroupName: 'ecsdemo-frontend' });
    expect(issuesOf(props)).toEqual([]);
    const m = parseLattice(props);
    expect(m.versions.map((v) => v.targetGroupName)).toEqual(['ecsdemo-frontend', 'ecsdemo-frontend-v2']);
    expect(m.vpcLattice.targetGroups.map((t) => t.name)).toEqual(['ecsdemo-frontend', 'ecsdemo-frontend-v2']);
    expect(m.vpcLattice.listener.defaultAction).toEqual({
      kind: 'forward',
      targets: [
        { targetGroup: 'ecsdemo-frontend', weight: 90 },
        { targetGroup: 'ecsdemo-frontend-v2', weight: 10 },
      ],
    });
  });

  test('WHEN the name is given THEN the version name need not make a Lattice name (it names no Lattice resource)', () => {
    const props = keeping({ Name: 'V_1', TargetGroupName: 'front' });
    expect(issuesOf(props)).toEqual([]);
    expect(
      issuesOf({
        ...props,
        Versions: [{ ...props.Versions[0], TargetGroupName: undefined }, props.Versions[1]],
      }),
    ).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Versions\[0\]\.Name: .*<ServiceName>-<Name>/)]),
    );
  });

  test.each([
    ['too short', 'ab', /^Versions\[0\]\.TargetGroupName: expected a string of 3-128 characters/],
    ['too long', 'a'.repeat(129), /^Versions\[0\]\.TargetGroupName: expected a string of 3-128 characters/],
    ['uppercase', 'Frontend', /^Versions\[0\]\.TargetGroupName: expected a VPC Lattice target group name/],
    ['a leading hyphen', '-frontend', /^Versions\[0\]\.TargetGroupName: .*VPC Lattice target group name/],
    ['a trailing hyphen', 'frontend-', /^Versions\[0\]\.TargetGroupName: .*VPC Lattice target group name/],
    [
      'two hyphens in a row',
      'front--end',
      /^Versions\[0\]\.TargetGroupName: .*VPC Lattice target group name/,
    ],
    ['the tg- prefix', 'tg-frontend', /^Versions\[0\]\.TargetGroupName: .*"tg-"/],
  ])('WHEN it is %s THEN it is refused by name', (_what, name, pattern) => {
    const issues = issuesOf(keeping({ TargetGroupName: name }));
    expect(issues.some((i) => pattern.test(i))).toBe(true);
  });

  test("WHEN two versions would share a target group (one's name, the other's default) THEN the second is refused naming the first", () => {
    expect(issuesOf(keeping({ TargetGroupName: 'ecsdemo-frontend-v2' }))).toContain(
      'Versions[1].TargetGroupName: target group "ecsdemo-frontend-v2" is also Versions[0]\'s; give each version its own',
    );
    expect(issuesOf(keeping({ TargetGroupName: 'shared' }, { TargetGroupName: 'shared' }))).toContain(
      'Versions[1].TargetGroupName: target group "shared" is also Versions[0]\'s; give each version its own',
    );
  });

  test.each([
    ['AppMesh', {}],
    ['ServiceConnect', { ServiceConnect: { Namespace: 'service.local' } }],
  ])('WHEN it is given with Backend %s THEN it is refused by name', (backend, extra) => {
    const { VpcLattice: _, ...rest } = keeping({ TargetGroupName: 'ecsdemo-frontend' });
    expect(issuesOf({ ...rest, ...extra, Backend: backend })).toContain(
      'Versions[0].TargetGroupName: only with Backend VpcLattice (the target group of a Lattice version); remove TargetGroupName',
    );
  });
});
