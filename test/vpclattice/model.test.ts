/** The VPC Lattice model: the mapping of the properties to Lattice (docs/migration.md), every default resolved. */
import { backendOwning } from '../../lambda/backends';
import { checkTargetGroupMove, parseVpcLatticeId } from '../../lambda/vpclattice/model';
import { base, canary, parseLattice } from './props';

describe('GIVEN the identity of a Lattice service', () => {
  test('WHEN the physical id is derived THEN it is ServiceName, owned by the VpcLattice backend', () => {
    const m = parseLattice(base);
    expect(m.physicalId).toBe('vpc-lattice/service/ecsdemo-frontend');
    expect(parseVpcLatticeId(m.physicalId)).toEqual({ serviceName: 'ecsdemo-frontend' });
    expect(backendOwning(m.physicalId)?.name).toBe('VpcLattice');
    expect(backendOwning('mesh/ecs-mesh/service/ecsdemo-frontend')?.name).toBe('AppMesh');
  });

  test('WHEN the network, the weights or the routes change THEN the identity does not', () => {
    const id = parseLattice(canary).physicalId;
    expect(
      parseLattice({ ...canary, VpcLattice: { ...canary.VpcLattice, ServiceNetwork: 'other' } }).physicalId,
    ).toBe(id);
    expect(
      parseLattice({ ...canary, Versions: canary.Versions.map((v) => ({ ...v, Weight: '50' })) }).physicalId,
    ).toBe(id);
  });
});

describe('GIVEN the workshop canary at 90/10', () => {
  const m = parseLattice({
    ...canary,
    HealthCheck: { Path: '/health', IntervalMillis: '10000', TimeoutMillis: '3000' },
  });
  const vl = m.vpcLattice;

  test('WHEN it is mapped THEN the service is named ServiceName, with the virtual service name as custom domain name', () => {
    expect(vl.serviceName).toBe('ecsdemo-frontend');
    expect(vl.customDomainName).toBe('ecsdemo-frontend.service.local');
    expect(vl.serviceNetwork).toBe('platform');
    expect(vl.authType).toBe('NONE');
    expect(vl.authPolicy).toBeUndefined();
  });

  test('WHEN it is mapped THEN each version is a target group of type IP on Port, with the health check in seconds', () => {
    expect(vl.targetGroups).toEqual(
      ['ecsdemo-frontend-v1', 'ecsdemo-frontend-v2'].map((name) => ({
        name,
        port: 3000,
        protocol: 'HTTP',
        protocolVersion: 'HTTP1',
        vpcId: 'vpc-0abc1234def567890',
        healthCheck: {
          protocol: 'HTTP',
          protocolVersion: 'HTTP1',
          port: 3000,
          path: '/health',
          intervalSeconds: 10,
          timeoutSeconds: 3,
          healthyThreshold: 2,
          unhealthyThreshold: 2,
        },
      })),
    );
    expect(m.versions.map((v) => v.targetGroupName)).toEqual(['ecsdemo-frontend-v1', 'ecsdemo-frontend-v2']);
  });

  test('WHEN it has no Routes THEN the listener forwards by the versions weights as given, with no rule', () => {
    expect(vl.listener).toEqual({
      name: 'http-3000',
      protocol: 'HTTP',
      port: 3000,
      defaultAction: {
        kind: 'forward',
        targets: [
          { targetGroup: 'ecsdemo-frontend-v1', weight: 90 },
          { targetGroup: 'ecsdemo-frontend-v2', weight: 10 },
        ],
      },
    });
    expect(vl.rules).toEqual([]);
  });
});

describe('GIVEN routes', () => {
  const m = parseLattice({
    ...canary,
    Routes: [
      { Name: 'all', Targets: [{ Version: 'v1' }] },
      {
        Name: 'beta',
        Priority: '5',
        Match: { Prefix: '/api', Headers: [{ Name: 'x-beta', Prefix: 'y' }] },
        Targets: [{ Version: 'v2', Weight: '1' }],
      },
      { Name: 'login', Priority: '0', Match: { Path: '/login', Method: 'POST' } },
    ],
  });

  test('WHEN they are mapped THEN each route but the one that takes everything is a rule, by priority (shifted to 1-2000)', () => {
    expect(m.vpcLattice.rules).toEqual([
      {
        name: 'login',
        priority: 1,
        match: { method: 'POST', path: { kind: 'exact', value: '/login' }, headers: [] },
        action: {
          kind: 'forward',
          targets: [
            { targetGroup: 'ecsdemo-frontend-v1', weight: 90 },
            { targetGroup: 'ecsdemo-frontend-v2', weight: 10 },
          ],
        },
      },
      {
        name: 'beta',
        priority: 6,
        match: {
          path: { kind: 'prefix', value: '/api' },
          headers: [{ name: 'x-beta', kind: 'prefix', value: 'y' }],
        },
        action: { kind: 'forward', targets: [{ targetGroup: 'ecsdemo-frontend-v2', weight: 1 }] },
      },
    ]);
  });

  test("WHEN one route takes everything THEN it is the listener's default action, with the version's weight", () => {
    expect(m.vpcLattice.listener.defaultAction).toEqual({
      kind: 'forward',
      targets: [{ targetGroup: 'ecsdemo-frontend-v1', weight: 90 }],
    });
  });

  test('WHEN no route takes everything THEN the default action answers 404, as a mesh router does', () => {
    const n = parseLattice({ ...canary, Routes: [{ Name: 'api', Match: { Prefix: '/api' } }] });
    expect(n.vpcLattice.listener.defaultAction).toEqual({ kind: 'fixed-response', statusCode: 404 });
    expect(n.vpcLattice.rules.map((r) => [r.name, r.priority])).toEqual([['api', 1002]]);
  });
});

describe('GIVEN the options', () => {
  test('WHEN AWS_IAM names callers THEN the auth policy allows them to invoke the service, nobody else', () => {
    const m = parseLattice({
      ...base,
      VpcLattice: { ...base.VpcLattice, AuthType: 'AWS_IAM', AllowedPrincipals: ['111122223333'] },
    });
    expect(JSON.parse(m.vpcLattice.authPolicy!)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: ['111122223333'] },
          Action: 'vpc-lattice-svcs:Invoke',
          Resource: '*',
        },
      ],
    });
  });

  test('WHEN the protocol is grpc or http2 THEN the target groups speak it', () => {
    expect(parseLattice({ ...base, Protocol: 'grpc' }).vpcLattice.targetGroups[0]!.protocolVersion).toBe(
      'GRPC',
    );
    expect(parseLattice({ ...base, Protocol: 'http2' }).vpcLattice.targetGroups[0]!.protocolVersion).toBe(
      'HTTP2',
    );
  });

  test('WHEN a service has no Versions THEN its one target group is named ServiceName and forwards everything', () => {
    const m = parseLattice({ ...base, TaskDefinition: 'frontend:3' });
    expect(m.versions).toEqual([
      {
        taskDefinition: expect.objectContaining({ family: 'frontend', revision: 3 }),
        targetGroupName: 'ecsdemo-frontend',
      },
    ]);
    expect(m.vpcLattice.listener.defaultAction).toEqual({
      kind: 'forward',
      targets: [{ targetGroup: 'ecsdemo-frontend', weight: 100 }],
    });
  });

  test('WHEN access logs are asked for THEN the model names their destination', () => {
    const arn = 'arn:aws:s3:::lattice-logs';
    const m = parseLattice({ ...base, VpcLattice: { ...base.VpcLattice, AccessLogDestinationArn: arn } });
    expect(m.vpcLattice.accessLogDestinationArn).toBe(arn);
  });
});

describe('GIVEN an in-place update of the versions (checkTargetGroupMove)', () => {
  const single = parseLattice({ ...base, TaskDefinition: 'frontend-v1:3' });
  const keeping = parseLattice({
    ...canary,
    Versions: [{ ...canary.Versions[0], TargetGroupName: 'ecsdemo-frontend' }, canary.Versions[1]],
  });
  const fresh = parseLattice(canary);
  const renamed = parseLattice({ ...canary, Versions: [{ Name: 'v3', TaskDefinition: 'frontend-v3:1' }] });
  test.each([
    ['a Create', undefined, fresh, undefined],
    ['a canary keeping the serving group', single, keeping, undefined],
    ['its end, back to no Versions', keeping, single, undefined],
    [
      'a weight change',
      fresh,
      parseLattice({ ...canary, Versions: canary.Versions.map((v) => ({ ...v, Weight: '50' })) }),
      undefined,
    ],
    [
      'a canary replacing the serving group',
      single,
      fresh,
      /^Versions\[0\]\.TargetGroupName: every target group would be replaced/,
    ],
    [
      'no Versions replacing every version group',
      fresh,
      single,
      /^Versions: every target group would be replaced/,
    ],
    [
      'every version renamed',
      fresh,
      renamed,
      /^Versions\[0\]\.TargetGroupName: every target group would be replaced \(ecsdemo-frontend-v1, ecsdemo-frontend-v2 deleted; ecsdemo-frontend-v3 created\)/,
    ],
  ])('WHEN %s THEN it is refused only if no target group is kept', (_what, previous, desired, refused) => {
    const check = () => checkTargetGroupMove(previous, desired);
    if (refused) expect(check).toThrow(refused);
    else expect(check).not.toThrow();
  });

  test('WHEN an update passes THEN its rollback (the same pair swapped) passes too', () => {
    for (const [a, b] of [
      [single, keeping],
      [fresh, renamed],
      [single, fresh],
    ] as const) {
      let forward = true;
      try {
        checkTargetGroupMove(a, b);
      } catch {
        forward = false;
      }
      if (forward) expect(() => checkTargetGroupMove(b, a)).not.toThrow();
      else expect(() => checkTargetGroupMove(b, a)).toThrow();
    }
  });
});
