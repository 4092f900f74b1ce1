import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { MeshServiceProperties, parseProperties } from '../../lambda/backends';
import { parseWith, Unresolved } from '../../lambda/contract/dsl';
import { PropertyValidationError } from '../../lambda/errors';

const base = {
  MeshName: 'ecs-mesh',
  ServiceName: 'ecsdemo-frontend',
  Namespace: 'service.local',
  Port: '3000',
};

/** The messages a template author would read, one per issue. */
function problems(props: unknown): string[] {
  const result = parseWith(MeshServiceProperties, props);
  return result.ok ? [] : result.issues.map((i) => `${i.path}: ${i.message}`);
}

describe('GIVEN CloudFormation-shaped properties', () => {
  test('WHEN numbers and booleans arrive as strings THEN they parse exactly as the typed values', () => {
    const asStrings = parseProperties({ ...base, Port: '3000', Edge: 'false', Envoy: undefined });
    const asTypes = parseProperties({ ...base, Port: 3000, Edge: false });
    expect(asStrings).toEqual(asTypes);
    expect(asStrings.port).toBe(3000);
  });

  test('WHEN ServiceToken and ServiceTimeout are present THEN they are ignored', () => {
    expect(problems({ ...base, ServiceToken: 'arn:aws:lambda:x', ServiceTimeout: '900' })).toEqual([]);
  });

  test.each([
    [{ Port: 'abc' }, 'Port: expected an integer 1-65535, got "abc"'],
    [{ Port: '70000' }, 'Port: expected an integer 1-65535, got "70000"'],
    [{ Port: '30.5' }, 'Port: expected an integer 1-65535, got "30.5"'],
    [{ Port: '' }, 'Port: expected an integer 1-65535, got ""'],
    [
      { Protocol: 'HTTP' },
      'Protocol: expected one of http, http2, grpc, tcp, got "HTTP" (values are case-sensitive: use "http")',
    ],
    [{ Edge: 'yes' }, 'Edge: expected true or false, got "yes"'],
    [{ MeshOwner: '1234' }, 'MeshOwner: expected a 12-digit AWS account id, got "1234"'],
    [{ MeshName: 'x'.repeat(256) }, 'MeshName: expected a string of 1-255 characters, got 256 characters'],
    [
      { ServiceName: '-bad' },
      'ServiceName: expected a name of 1-63 letters, digits, hyphens and underscores, not starting or ending with a hyphen, got "-bad"',
    ],
    [{ Backends: 'a,b' }, 'Backends: expected a list, got "a,b"'],
    [{ Backends: ['a', 'a'] }, 'Backends[1]: duplicate backend "a" (also at Backends[0])'],
    [
      { TaskDefinition: 'not a task/definition' },
      'TaskDefinition: expected a task definition ARN or family[:revision], got "not a task/definition"',
    ],
    [
      { Tags: [{ Key: 'aws:cloudformation:stack' }] },
      'Tags[0].Key: tag keys starting with aws: are reserved by AWS',
    ],
    [
      { Tags: [{ Key: 'mesh-service:owner' }] },
      "Tags[0].Key: tag keys starting with mesh-service: are reserved for the provider's ownership tags",
    ],
    [
      { HealthCheck: { Path: '/', IntervalMillis: '1000' } },
      'HealthCheck.IntervalMillis: expected an integer 5000-300000, got "1000"',
    ],
    [{ Envoy: { DrainTimeSeconds: '200' } }, 'Envoy.DrainTimeSeconds: expected an integer 5-110, got "200"'],
    [
      { Routes: [{ Name: 'r', Targets: [{ Weight: '101' }] }] },
      'Routes[0].Targets[0].Weight: expected an integer 0-100, got "101"',
    ],
  ])('WHEN %j THEN the error names the property and the rule', (override, message) => {
    expect(problems({ ...base, ...override })).toContain(message);
  });

  test('WHEN a property is unknown THEN the error lists the known ones', () => {
    const [message] = problems({ ...base, Prot: 'http' });
    expect(message).toMatch(
      /^Prot: unknown property; known properties are MeshName, MeshOwner, ServiceName, /,
    );
    expect(message).toContain('Tags');
  });

  test('WHEN a property differs only in case THEN the error suggests the right name', () => {
    expect(problems({ ...base, port: 3000, Port: undefined })).toContain(
      'port: unknown property; did you mean Port? (names are case-sensitive)',
    );
  });

  test('WHEN a nested property is unknown THEN the path is nested too', () => {
    expect(problems({ ...base, HealthCheck: { Path: '/', Interval: 5 } })[0]).toMatch(
      /^HealthCheck\.Interval: unknown property/,
    );
  });

  test('WHEN required properties are missing THEN each is named', () => {
    expect(problems({})).toEqual(
      expect.arrayContaining([
        'MeshName: required property is missing',
        'ServiceName: required property is missing',
        'Port: required property is missing',
      ]),
    );
  });

  test('WHEN parseProperties meets invalid input THEN it throws one error carrying every issue', () => {
    expect(() => parseProperties({ ...base, Port: 'abc', Protocol: 'udp' })).toThrow(PropertyValidationError);
    try {
      parseProperties({ ...base, Port: 'abc', Protocol: 'udp' });
    } catch (e) {
      expect((e as PropertyValidationError).issues).toHaveLength(2);
      expect((e as Error).message).toContain(
        'Port: expected an integer 1-65535, got "abc"; Protocol: expected one of',
      );
    }
  });
});

describe('GIVEN rules that span properties', () => {
  test.each([
    [
      { Namespace: undefined },
      'Namespace: give exactly one of Namespace (Cloud Map discovery) and DnsHostname (DNS discovery)',
    ],
    [
      { DnsHostname: 'x.example.com' },
      'DnsHostname: give exactly one of Namespace (Cloud Map discovery) and DnsHostname (DNS discovery)',
    ],
    [
      { Edge: 'true', Gateway: { VirtualGatewayName: 'gw' } },
      'Gateway: an Edge service has no virtual service, router, gateway route or versions',
    ],
    [
      { Envoy: { LogLevel: 'debug' } },
      'Envoy: has no effect without a TaskDefinition to patch; remove it or give TaskDefinition',
    ],
    [{ HealthCheck: {} }, 'HealthCheck.Path: required for an http health check'],
    [{ Protocol: 'tcp', HealthCheck: { Path: '/' } }, 'HealthCheck.Path: not allowed for a tcp health check'],
    [
      { HealthCheck: { Path: '/', IntervalMillis: 5000, TimeoutMillis: 6000 } },
      'HealthCheck.TimeoutMillis: must be shorter than IntervalMillis (5000), got 6000',
    ],
    [
      { Routes: [{ Name: 'r', Match: { Prefix: '/aws-appmesh/x' } }] },
      'Routes[0].Match.Prefix: prefixes starting with /aws-appmesh are reserved by App Mesh',
    ],
    [
      { Routes: [{ Name: 'r', Match: { Prefix: 'api' } }] },
      'Routes[0].Match.Prefix: expected a path starting with "/", got "api"',
    ],
    [
      { Routes: [{ Name: 'r', Match: { Prefix: '/', Path: '/x' } }] },
      'Routes[0].Match: give Prefix or Path, not both',
    ],
    [
      { Protocol: 'tcp', Routes: [{ Name: 'r', Match: { Prefix: '/' } }] },
      'Routes[0].Match.Prefix: tcp routes take all traffic; a tcp match has only Port',
    ],
    [
      { Protocol: 'grpc', Routes: [{ Name: 'r', Match: { Prefix: '/' } }] },
      'Routes[0].Match.Prefix: not a grpc match; use ServiceName, MethodName and Metadata',
    ],
    [
      { Routes: [{ Name: 'r', Retry: { MaxRetries: 1, PerRetryTimeoutMillis: 100 } }] },
      'Routes[0].Retry: give at least one of HttpRetryEvents, TcpRetryEvents, GrpcRetryEvents',
    ],
    [
      { Routes: [{ Name: 'r', Targets: [{ Version: 'v1' }] }] },
      'Routes[0].Targets[0].Version: only with Versions; this service has a single version',
    ],
    [
      { Routes: [{ Name: 'r', Targets: [{ Weight: 0 }] }] },
      'Routes[0].Targets: at least one target needs a weight above 0',
    ],
    [{ Routes: [{ Name: 'a' }, { Name: 'a' }] }, 'Routes[1]: duplicate route name "a" (also at Routes[0])'],
    [
      { Protocol: 'tcp', Gateway: { VirtualGatewayName: 'gw' } },
      'Gateway: virtual gateways route http, http2 and grpc only; a tcp service cannot be exposed',
    ],
    [
      { Gateway: { VirtualGatewayName: 'gw', Rewrite: { Prefix: '/x/', DefaultPrefix: 'DISABLED' } } },
      'Gateway.Rewrite: give Prefix or DefaultPrefix, not both',
    ],
    [
      { Gateway: { VirtualGatewayName: 'gw', Rewrite: { Prefix: '/x' } } },
      'Gateway.Rewrite.Prefix: expected a path that starts and ends with "/", got "/x"',
    ],
    [
      { Envoy: { Memory: 128, MemoryReservation: 256 }, TaskDefinition: 'a:1' },
      'Envoy.MemoryReservation: must not exceed Memory (128 MiB), got 256',
    ],
    [
      { TaskDefinition: 'a:1', Envoy: { Tracing: { Provider: 'xray', Port: 2000 } } },
      'Envoy.Tracing.Port: applies to datadog and jaeger only',
    ],
    [
      { Namespace: undefined, DnsHostname: 'x.example.com', DiscoveryAttributes: { a: 'b' } },
      'DiscoveryAttributes: only for Cloud Map discovery (Namespace), not with DnsHostname',
    ],
  ])('WHEN %j THEN %s', (override, message) => {
    expect(problems({ ...base, ...override })).toContain(message);
  });

  describe('with Versions', () => {
    const two = [
      { Name: 'blue', TaskDefinition: 'nodejs-blue:1', Weight: '90' },
      { Name: 'green', TaskDefinition: 'nodejs-green:1', Weight: '10' },
    ];
    test('WHEN two versions carry weights THEN they parse', () => {
      expect(problems({ ...base, Versions: two })).toEqual([]);
    });
    test.each([
      [{ TaskDefinition: 'x:1' }, 'TaskDefinition: with Versions, give each version its own TaskDefinition'],
      [
        { Versions: [two[0], { ...two[1], Weight: undefined }] },
        'Versions[1].Weight: required when several versions share a route without its own Targets',
      ],
      [
        { Versions: [two[0], { Name: 'green', Weight: 10 }] },
        "Versions[1]: give TaskDefinition or DiscoveryAttributes, so that this version's virtual node discovers only its own tasks",
      ],
      [
        { Versions: [two[0], { ...two[1], TaskDefinition: 'nodejs-blue:2' }] },
        'Versions[1].TaskDefinition: task definition family "nodejs-blue" is also Versions[0]\'s; versions are told apart by family in Cloud Map, so give each its own family or DiscoveryAttributes',
      ],
      [
        { Versions: [two[0], { ...two[1], Name: 'blue' }] },
        'Versions[1]: duplicate version name "blue" (also at Versions[0])',
      ],
      [
        { Versions: [two[0], { ...two[1], VirtualNodeName: 'ecsdemo-frontend-blue' }] },
        'Versions[1].VirtualNodeName: virtual node name "ecsdemo-frontend-blue" is also used by Versions[0]',
      ],
      [
        { Versions: two, Routes: [{ Name: 'r', Targets: [{ Version: 'red', Weight: 1 }] }] },
        'Routes[0].Targets[0].Version: no version named "red"; versions are blue, green',
      ],
      [
        { Versions: two, Routes: [{ Name: 'r', Targets: [{ Weight: 1 }] }] },
        'Routes[0].Targets[0].Version: required with Versions; one of blue, green',
      ],
      [
        {
          Versions: [
            { ...two[0], Weight: 0 },
            { ...two[1], Weight: 0 },
          ],
        },
        'Versions: every version has Weight 0; at least one needs a weight above 0',
      ],
      [
        {
          Namespace: undefined,
          DnsHostname: 'n.example.com',
          Versions: [
            { Name: 'a', Weight: 1 },
            { Name: 'b', Weight: 1 },
          ],
        },
        'Versions[0].DnsHostname: required for each version when several versions use DNS discovery',
      ],
      [
        { Edge: 'true', Versions: two },
        'Versions: an Edge service has no virtual service, router, gateway route or versions',
      ],
    ])('WHEN %j THEN %s', (override, message) => {
      expect(problems({ ...base, Versions: two, ...override })).toContain(message);
    });
  });
});

describe('GIVEN values a template linter cannot resolve (intrinsic functions)', () => {
  test('WHEN scalars, lists and objects are Unresolved THEN only the known parts are checked', () => {
    const unknown = new Unresolved('!Ref X');
    expect(
      problems({
        ...base,
        Port: unknown,
        TaskDefinition: unknown,
        Backends: unknown,
        Versions: undefined,
        Envoy: { LogLevel: unknown },
      }),
    ).toEqual([]);
    expect(problems({ ...base, Port: unknown, Protocol: 'HTTP' })).toHaveLength(1);
  });
});

describe('GIVEN property fixtures written for earlier versions of the provider', () => {
  const dir = path.join(__dirname, '..', 'fixtures', 'properties');
  test.each(readdirSync(dir).filter((f) => f.endsWith('.json')))(
    'WHEN %s is parsed THEN it is still valid',
    (file) => {
      const raw = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
      expect(problems(raw)).toEqual([]);
    },
  );
});
