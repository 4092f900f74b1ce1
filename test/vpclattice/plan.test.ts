/** The VPC Lattice plan (pure): what exists against what the model wants; only what differs changes. */
import type { VpcLatticeModel } from '../../lambda/vpclattice/model';
import {
  emptyObservation,
  immutableChanges,
  isNoop,
  type ObservedLattice,
  planLattice,
  planRemoval,
} from '../../lambda/vpclattice/plan';
import { canary, NETWORK_ARN, parseLattice } from './props';

const arnOf = (name: string) =>
  `arn:aws:vpc-lattice:us-east-1:111122223333:targetgroup/tg-${name.replace(/-/g, '').slice(-17).padStart(17, '0')}`;
const SERVICE = 'arn:aws:vpc-lattice:us-east-1:111122223333:service/svc-0123456789abcdef0';
const LISTENER = `${SERVICE}/listener/listener-0123456789abcdef0`;

/** What Lattice would hold once the model was applied. */
function observedFor(m: VpcLatticeModel): ObservedLattice {
  const byArn = (a: VpcLatticeModel['listener']['defaultAction']) =>
    a.kind === 'forward'
      ? {
          kind: 'forward' as const,
          targets: a.targets.map((t) => ({ targetGroupArn: arnOf(t.targetGroup), weight: t.weight })),
        }
      : a;
  return {
    service: {
      arn: SERVICE,
      id: 'svc-0123456789abcdef0',
      name: m.serviceName,
      customDomainName: m.customDomainName,
      authType: m.authType,
      tags: [],
    },
    targetGroups: new Map(
      m.targetGroups.map((t) => [
        t.name,
        {
          arn: arnOf(t.name),
          id: 'tg',
          name: t.name,
          port: t.port,
          protocolVersion: t.protocolVersion,
          vpcId: t.vpcId,
          ...(t.healthCheck ? { healthCheck: t.healthCheck } : {}),
          tags: [],
        },
      ]),
    ),
    listener: {
      arn: LISTENER,
      id: 'listener-0123456789abcdef0',
      name: m.listener.name,
      port: m.listener.port,
      protocol: m.listener.protocol,
      defaultAction: byArn(m.listener.defaultAction),
      tags: [],
    },
    rules: new Map(
      m.rules.map((r, i) => [
        r.name,
        {
          arn: `${LISTENER}/rule/rule-${i}`,
          id: `rule-${i}`,
          name: r.name,
          priority: r.priority,
          match: r.match,
          action: byArn(r.action),
          tags: [],
        },
      ]),
    ),
    associations: [{ arn: 'assoc', id: 'snsa-1', serviceNetworkArn: NETWORK_ARN }],
    ...(m.authPolicy ? { authPolicy: m.authPolicy } : {}),
    accessLogs: m.accessLogDestinationArn
      ? [{ arn: 'als', id: 'als-1', destinationArn: m.accessLogDestinationArn }]
      : [],
  };
}

const withRoutes = {
  ...canary,
  Routes: [
    {
      Name: 'beta',
      Priority: '1',
      Match: { Headers: [{ Name: 'x-beta', Exact: 'yes' }] },
      Targets: [{ Version: 'v2', Weight: '1' }],
    },
    {
      Name: 'api',
      Priority: '2',
      Match: { Prefix: '/api' },
      Targets: [
        { Version: 'v1', Weight: '90' },
        { Version: 'v2', Weight: '10' },
      ],
    },
    {
      Name: 'default',
      Targets: [
        { Version: 'v1', Weight: '90' },
        { Version: 'v2', Weight: '10' },
      ],
    },
  ],
};

describe('GIVEN nothing exists', () => {
  test('WHEN the canary is planned THEN everything is created: service, target groups, listener, association, rules', () => {
    const m = parseLattice(withRoutes).vpcLattice;
    const plan = planLattice(m, emptyObservation(), NETWORK_ARN);
    expect(plan.createService).toBe(true);
    expect(plan.createTargetGroups.map((t) => t.name)).toEqual([
      'ecsdemo-frontend-v1',
      'ecsdemo-frontend-v2',
    ]);
    expect(plan.createListener).toBe(true);
    expect(plan.associate).toBe(NETWORK_ARN);
    expect(plan.createRules.map((r) => [r.name, r.priority])).toEqual([
      ['beta', 2],
      ['api', 3],
    ]);
    expect(plan.updateRules).toEqual([]);
    expect(plan.putAuthPolicy).toBeUndefined();
  });
});

describe('GIVEN the service as applied', () => {
  const before = parseLattice(withRoutes).vpcLattice;
  const observed = observedFor(before);

  test('WHEN the same properties are planned again THEN nothing changes (a re-delivery is a no-op)', () => {
    expect(planLattice(before, observed, NETWORK_ARN).changes).toEqual([]);
    expect(isNoop(planLattice(before, observed, NETWORK_ARN))).toBe(true);
  });

  test("WHEN a rule's weights change (90/10 → 50/50) THEN it is exactly one rule update, of its action", () => {
    const after = parseLattice({
      ...withRoutes,
      Routes: withRoutes.Routes.map((r) =>
        r.Name === 'api'
          ? {
              ...r,
              Targets: [
                { Version: 'v1', Weight: '50' },
                { Version: 'v2', Weight: '50' },
              ],
            }
          : r,
      ),
    }).vpcLattice;
    const plan = planLattice(after, observed, NETWORK_ARN);
    expect(plan.updateRules).toEqual([
      {
        arn: `${LISTENER}/rule/rule-1`,
        name: 'api',
        action: {
          kind: 'forward',
          targets: [
            { targetGroup: 'ecsdemo-frontend-v1', weight: 50 },
            { targetGroup: 'ecsdemo-frontend-v2', weight: 50 },
          ],
        },
      },
    ]);
    expect(plan.changes).toEqual(['update rule api: action: ecsdemo-frontend-v1=50 ecsdemo-frontend-v2=50']);
  });

  test("WHEN the default route's weights change THEN it is exactly one update of the default action", () => {
    const after = parseLattice({
      ...withRoutes,
      Routes: withRoutes.Routes.map((r) =>
        r.Name === 'default'
          ? {
              ...r,
              Targets: [
                { Version: 'v1', Weight: '50' },
                { Version: 'v2', Weight: '50' },
              ],
            }
          : r,
      ),
    }).vpcLattice;
    const plan = planLattice(after, observed, NETWORK_ARN);
    expect(plan.changes).toEqual(['default action: ecsdemo-frontend-v1=50 ecsdemo-frontend-v2=50']);
  });

  test('WHEN a priority changes THEN only that priority is updated', () => {
    const after = parseLattice({
      ...withRoutes,
      Routes: withRoutes.Routes.map((r) => (r.Name === 'beta' ? { ...r, Priority: '7' } : r)),
    }).vpcLattice;
    expect(planLattice(after, observed, NETWORK_ARN).updateRules).toEqual([
      { arn: `${LISTENER}/rule/rule-0`, name: 'beta', priority: 8 },
    ]);
  });

  test('WHEN a route and a version are removed THEN their rule and target group are deleted', () => {
    const after = parseLattice({
      ...canary,
      Versions: [canary.Versions[0]!],
      Routes: [{ Name: 'default', Targets: [{ Version: 'v1', Weight: '100' }] }],
    }).vpcLattice;
    const plan = planLattice(after, observed, NETWORK_ARN);
    expect(plan.deleteRules.map((r) => r.name)).toEqual(['beta', 'api']);
    expect(plan.deleteTargetGroups.map((t) => t.name)).toEqual(['ecsdemo-frontend-v2']);
    expect(plan.updateDefaultAction).toEqual({
      kind: 'forward',
      targets: [{ targetGroup: 'ecsdemo-frontend-v1', weight: 100 }],
    });
  });

  test('WHEN the health check changes THEN the target groups are updated in place', () => {
    const after = parseLattice({ ...withRoutes, HealthCheck: { Path: '/ping' } }).vpcLattice;
    expect(planLattice(after, observed, NETWORK_ARN).updateHealthChecks.map((u) => u.arn)).toEqual(
      ['ecsdemo-frontend-v1', 'ecsdemo-frontend-v2'].map(arnOf),
    );
  });

  test('WHEN the service network changes THEN the new association is made and the old one removed', () => {
    const other = NETWORK_ARN.replace('sn-0123456789abcdef0', 'sn-0000000000000000a');
    const plan = planLattice(before, observed, other);
    expect(plan.associate).toBe(other);
    expect(plan.disassociate.map((a) => a.serviceNetworkArn)).toEqual([NETWORK_ARN]);
  });

  test('WHEN AWS_IAM is asked and dropped THEN the service and its auth policy follow', () => {
    const iam = parseLattice({
      ...withRoutes,
      VpcLattice: { ...withRoutes.VpcLattice, AuthType: 'AWS_IAM', AllowedPrincipals: ['111122223333'] },
    }).vpcLattice;
    const on = planLattice(iam, observed, NETWORK_ARN);
    expect(on.updateService).toEqual({ authType: 'AWS_IAM' });
    expect(on.putAuthPolicy).toBe(iam.authPolicy);
    const off = planLattice(before, observedFor(iam), NETWORK_ARN);
    expect(off.updateService).toEqual({ authType: 'NONE' });
    expect(off.deleteAuthPolicy).toBe(true);
  });

  test('WHEN access logs are asked, moved and dropped THEN the subscription is created, updated and deleted', () => {
    const logs = (arn?: string) =>
      parseLattice({
        ...withRoutes,
        VpcLattice: { ...withRoutes.VpcLattice, ...(arn ? { AccessLogDestinationArn: arn } : {}) },
      }).vpcLattice;
    const a = 'arn:aws:s3:::lattice-logs-a';
    const b = 'arn:aws:s3:::lattice-logs-b';
    expect(planLattice(logs(a), observed, NETWORK_ARN).createAccessLog).toBe(a);
    expect(planLattice(logs(b), observedFor(logs(a)), NETWORK_ARN).updateAccessLog).toEqual({
      arn: 'als',
      destinationArn: b,
    });
    expect(planLattice(logs(), observedFor(logs(a)), NETWORK_ARN).deleteAccessLogs.map((x) => x.arn)).toEqual(
      ['als'],
    );
  });

  test.each([
    ['Port', { Port: '8080' }, /^Port: the listener is HTTP on 3000/],
    [
      'the VPC',
      { VpcLattice: { ...canary.VpcLattice, VpcId: 'vpc-0fff1234def567890' } },
      /^VpcLattice\.VpcId: the target group ecsdemo-frontend-v1 is in vpc-0abc1234def567890/,
    ],
    ['the protocol', { Protocol: 'http2' }, /^Protocol: the target group ecsdemo-frontend-v1 speaks HTTP1/],
    [
      'the custom domain name',
      { VirtualServiceName: 'frontend.example.com' },
      /^VirtualServiceName: .*cannot change/,
    ],
  ])(
    'WHEN %s changes THEN Lattice cannot change it in place: refused by name, before any call',
    (_what, change, pattern) => {
      const after = parseLattice({ ...withRoutes, ...change }).vpcLattice;
      expect(immutableChanges(after, observed).some((m) => pattern.test(m))).toBe(true);
      expect(immutableChanges(before, observed)).toEqual([]);
    },
  );

  test('WHEN the service is deleted THEN the removal names everything it owns', () => {
    const removal = planRemoval(observed);
    expect(removal.rules.map((r) => r.name)).toEqual(['beta', 'api']);
    expect(removal.targetGroups.map((t) => t.name)).toEqual(['ecsdemo-frontend-v1', 'ecsdemo-frontend-v2']);
    expect(removal.service?.arn).toBe(SERVICE);
  });
});
