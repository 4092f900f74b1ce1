/**
 * What App Mesh, Cloud Map or ECS would refuse must be refused by the contract, before any AWS call, naming the
 * property and the rule: a refusal that only comes from AWS arrives after other changes were made.
 */

import { MeshServiceProperties } from '../../lambda/backends';
import { parseWith } from '../../lambda/contract/dsl';

const base = {
  MeshName: 'ecs-mesh',
  ServiceName: 'web',
  Namespace: 'service.local',
  Port: '3000',
};

function problems(props: unknown): string[] {
  const result = parseWith(MeshServiceProperties, props);
  return result.ok ? [] : result.issues.map((i) => `${i.path}: ${i.message}`);
}

const versions = (...weights: (string | undefined)[]) =>
  weights.map((w, i) => ({
    Name: `v${i}`,
    TaskDefinition: `fam-${i}`,
    ...(w === undefined ? {} : { Weight: w }),
  }));

describe('GIVEN route weights (App Mesh: the weights of a route total at most 100, and one must be above 0)', () => {
  test.each([
    [
      'explicit targets over 100',
      {
        Versions: versions('60', '60'),
        Routes: [
          {
            Name: 'main',
            Targets: [
              { Version: 'v0', Weight: '70' },
              { Version: 'v1', Weight: '40' },
            ],
          },
        ],
      },
      'Routes[0].Targets: the weights total 110; App Mesh allows at most 100',
    ],
    [
      'version weights over 100',
      { Versions: versions('90', '20') },
      'Versions: the weights total 110; App Mesh allows the weights of a route to total at most 100',
    ],
    [
      'version weights over 100 in a route without its own Targets',
      { Versions: versions('90', '20'), Routes: [{ Name: 'main' }] },
      'Routes[0].Targets: the weights total 110 (from Versions[].Weight); App Mesh allows at most 100',
    ],
    [
      'explicit targets all zero',
      {
        Versions: versions('0', '0'),
        Routes: [{ Name: 'main', Targets: [{ Version: 'v0' }, { Version: 'v1' }] }],
      },
      'Routes[0].Targets: at least one target needs a weight above 0',
    ],
  ])('WHEN %s THEN the route is refused naming it', (_what, props, message) => {
    expect(problems({ ...base, ...props })).toContain(message);
  });

  test('WHEN weights total exactly 100 or less THEN they are accepted', () => {
    expect(problems({ ...base, Versions: versions('90', '10') })).toEqual([]);
    expect(problems({ ...base, Versions: versions('30', '20') })).toEqual([]);
  });
});

describe('GIVEN App Mesh names (addressed in ARNs and URL paths, and used in Envoy cluster names)', () => {
  test.each([
    ['MeshName', { MeshName: 'team/mesh' }],
    ['VirtualServiceName', { VirtualServiceName: 'web/../../x' }],
    ['Backends[0]', { Backends: ['a b'] }],
    ['Gateway.VirtualGatewayName', { Gateway: { VirtualGatewayName: 'gw?x' } }],
    ['Gateway.RouteName', { Gateway: { VirtualGatewayName: 'gw', RouteName: 'r#1' } }],
    ['Routes[0].Name', { Routes: [{ Name: 'a/b' }] }],
    ['Versions[0].VirtualNodeName', { Versions: [{ Name: 'v1', VirtualNodeName: 'node%2f', Weight: '1' }] }],
  ])(
    'WHEN %s holds a character App Mesh cannot address THEN it is refused naming the property',
    (path, props) => {
      const found = problems({ ...base, ...props });
      expect(found).toHaveLength(1);
      expect(found[0]).toMatch(
        new RegExp(
          `^${path.replace(/[[\].]/g, '\\$&')}: expected a name of 1-255 letters, digits, periods, hyphens and underscores`,
        ),
      );
    },
  );

  test('WHEN names use letters, digits, periods, hyphens and underscores THEN they are accepted', () => {
    expect(
      problems({
        ...base,
        VirtualServiceName: 'web_v2.service-a.local',
        Backends: ['crystal.service.local'],
      }),
    ).toEqual([]);
  });
});

describe('GIVEN tags (ECS and App Mesh accept letters, digits, spaces and _ . : / = + - @, as the whole string)', () => {
  test.each([
    [
      { Key: 'team!', Value: 'a' },
      'Tags[0].Key: expected letters, digits, spaces and _ . : / = + - @ only, got "team!"',
    ],
    [
      { Key: 'team', Value: 'a;b' },
      'Tags[0].Value: expected letters, digits, spaces and _ . : / = + - @ only, got "a;b"',
    ],
    [
      { Key: 'cost', Value: 'aws:billing' },
      'Tags[0].Value: tag values starting with aws: are reserved by AWS',
    ],
    [{ Key: 'AWS:x', Value: '1' }, 'Tags[0].Key: tag keys starting with aws: are reserved by AWS'],
  ])('WHEN a tag is %j THEN it is refused naming the tag and the rule', (tag, message) => {
    expect(problems({ ...base, Tags: [tag] })).toContain(message);
  });

  test('WHEN tags use letters of any script, digits, spaces and the allowed symbols THEN they are accepted', () => {
    expect(
      problems({ ...base, Tags: [{ Key: 'équipe', Value: 'paiement 2/3 = ok+@team:x_y.z-w' }] }),
    ).toEqual([]);
  });
});

describe('GIVEN HealthCheck.Port (App Mesh: it must match the port of the listener)', () => {
  test('WHEN it differs from Port THEN it is refused naming both', () => {
    expect(problems({ ...base, HealthCheck: { Path: '/health', Port: '8080' } })).toContain(
      'HealthCheck.Port: must equal Port (3000): App Mesh checks the listener port, got 8080',
    );
  });
  test('WHEN it equals Port THEN it is accepted', () => {
    expect(problems({ ...base, HealthCheck: { Path: '/health', Port: '3000' } })).toEqual([]);
  });
});

describe('GIVEN control characters (NUL, newlines, escapes) anywhere in a string', () => {
  test.each([
    ['ServiceName', { ServiceName: 'web\u0000' }],
    ['Namespace', { Namespace: 'service.local\n' }],
    ['Envoy.Image', { TaskDefinition: 'web', Envoy: { Image: 'public.ecr.aws/x\u001b[31m' } }],
    ['Tags[0].Value', { Tags: [{ Key: 'k', Value: 'a\tb' }] }],
    ['AccessLogPath', { AccessLogPath: '/dev/stdout\r' }],
    [
      'DiscoveryAttributes.ECS_TASK_DEFINITION_FAMILY',
      { DiscoveryAttributes: { ECS_TASK_DEFINITION_FAMILY: 'x\u007f' } },
    ],
  ])('WHEN %s holds one THEN it is refused naming the property and the character', (path, props) => {
    const found = problems({ ...base, ...props });
    expect(found.some((m) => m.startsWith(`${path}: must not contain control characters (found U+00`))).toBe(
      true,
    );
  });
});
