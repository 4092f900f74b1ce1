/**
 * The gateway route on Service Connect (lambda/serviceconnect/ingress*.ts) through the real handler and SDK clients
 * against the emulator: the ALB listener rule and target group a resource owns, created, changed in place, replaced,
 * deleted, and the refusals that come before any change.
 */
import {
  CreateRuleCommand,
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { seedPlatform } from '../../emulator';
import { TAG } from '../../lambda/ownership';
import { ingressLines, seedIngressListener } from '../../scripts/demo-ingress';
import {
  createEvent,
  deleteEvent,
  type Props,
  startWorld,
  updateEvent,
  type World,
} from '../support/harness';
import { calls, mutating } from './support';

let world: World;
let elb: ElasticLoadBalancingV2Client;
let listenerArn: string;
beforeAll(async () => {
  world = await startWorld();
  elb = new ElasticLoadBalancingV2Client({});
});
afterAll(async () => {
  elb.destroy();
  await world.close();
});

beforeEach(async () => {
  world.emulator.reset();
  await seedPlatform(world.emulator);
  world.emulator.servicediscovery.putNamespace('service.local');
  // The platform's ALB and HTTP listener on 3000, as the demo seeds it (MeshPlatform with serviceConnectIngress).
  listenerArn = (await seedIngressListener()).MeshIngressListenerArn!;
});

const base = (td: string, gateway: Props = {}, over: Props = {}): Props => ({
  Backend: 'ServiceConnect',
  MeshName: 'ecs-mesh',
  ServiceName: 'crystal',
  Namespace: 'service.local',
  Port: '3000',
  TaskDefinition: td,
  Gateway: { ListenerArn: listenerArn, ...gateway },
  ...over,
});

const elbv2 = () => world.emulator.snapshot(['elbv2']).elbv2!;
const owned = () => {
  const snap = elbv2();
  const owner = (arn: string) => snap.tags[arn]?.find((t) => t.key === TAG.owner)?.value;
  return {
    rules: snap.rules.filter((r) => owner(String(r.RuleArn)) !== undefined),
    targetGroups: snap.targetGroups.filter((t) => owner(String(t.TargetGroupArn)) !== undefined),
    owner,
  };
};
const elbWrites = () => mutating(world.emulator).filter((c) => c.startsWith('elbv2:'));
const elbMutating = () =>
  world.emulator.requests
    .filter((r) => r.service === 'elbv2' && /^(Create|Modify|Delete|Set|Add|Remove)/.test(r.operation))
    .map((r) => `elbv2:${r.operation}`);

describe('GIVEN a Service Connect service with a Gateway on the platform listener', () => {
  test('WHEN it is created THEN it owns a rule with the matches as conditions, the rewrite as a transform, forwarding to an ip target group whose ARN it returns', async () => {
    const td = await world.registerApp('crystal');
    const created = await world.provider()(
      createEvent(
        base(
          td,
          {
            Prefix: '/crystal/',
            Hostname: 'shop.example.com',
            Method: 'GET',
            Headers: [{ Name: 'x-team', Exact: 'blue' }],
            QueryParameters: [{ Name: 'debug' }],
          },
          {
            HealthCheck: { Path: '/health', IntervalMillis: '10000', TimeoutMillis: '4000' },
            Tags: [{ Key: 'team', Value: 'blue' }],
          },
        ),
      ),
    );
    const { rules, targetGroups, owner } = owned();
    expect(rules).toHaveLength(1);
    expect(targetGroups).toHaveLength(1);
    const [rule] = rules;
    const [tg] = targetGroups;
    expect(created.Data).toMatchObject({
      TargetGroupArn: tg!.TargetGroupArn,
      ListenerRuleArn: rule!.RuleArn,
      ListenerRulePriority: rule!.Priority,
    });
    expect(Number(rule!.Priority)).toBeGreaterThanOrEqual(10001);
    expect(rule!.ListenerArn).toBe(listenerArn);
    const fields = (rule!.Conditions as { Field: string }[]).map((c) => c.Field).sort();
    expect(fields).toEqual([
      'host-header',
      'http-header',
      'http-request-method',
      'path-pattern',
      'query-string',
    ]);
    expect(rule!.Conditions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Field: 'path-pattern', PathPatternConfig: { Values: ['/crystal/*'] } }),
        expect.objectContaining({
          Field: 'http-header',
          HttpHeaderConfig: { HttpHeaderName: 'x-team', Values: ['blue'] },
        }),
        expect.objectContaining({
          Field: 'query-string',
          QueryStringConfig: { Values: [{ Key: 'debug', Value: '*' }] },
        }),
      ]),
    );
    // App Mesh rewrote the matched prefix to "/" by default: so does the rule.
    expect(rule!.Transforms).toEqual([
      {
        Type: 'url-rewrite',
        UrlRewriteConfig: { Rewrites: [{ Regex: '^/crystal/(.*)$', Replace: '/$1' }] },
      },
    ]);
    expect(rule!.Actions).toEqual([
      expect.objectContaining({ Type: 'forward', TargetGroupArn: tg!.TargetGroupArn }),
    ]);
    expect(tg).toMatchObject({
      TargetType: 'ip',
      Protocol: 'HTTP',
      ProtocolVersion: 'HTTP1',
      Port: 3000,
      VpcId: 'vpc-0e0e0e0e0e0e0e0e0',
      HealthCheckPath: '/health',
      HealthCheckIntervalSeconds: 10,
      HealthCheckTimeoutSeconds: 4,
    });
    for (const arn of [String(rule!.RuleArn), String(tg!.TargetGroupArn)]) {
      expect(owner(arn)).toBe(created.PhysicalResourceId);
      expect(elbv2().tags[arn]).toEqual(expect.arrayContaining([{ key: 'team', value: 'blue' }]));
    }
  });

  test('WHEN the matches and health check change THEN only ModifyRule and ModifyTargetGroup are called, on the same rule and target group; a no-op update changes nothing', async () => {
    const td = await world.registerApp('crystal');
    const a = base(td, { Prefix: '/a/' });
    const b = base(
      td,
      { Prefix: '/b/', Rewrite: { DefaultPrefix: 'DISABLED' } },
      { HealthCheck: { Path: '/ok' } },
    );
    const provider = world.provider();
    const created = await provider(createEvent(a));
    world.emulator.clearRequests();
    const updated = await provider(updateEvent(created.PhysicalResourceId, b, a));
    expect(elbMutating().sort()).toEqual(['elbv2:ModifyRule', 'elbv2:ModifyTargetGroup']);
    expect(updated.Data!.TargetGroupArn).toBe(created.Data!.TargetGroupArn);
    expect(updated.Data!.ListenerRuleArn).toBe(created.Data!.ListenerRuleArn);
    const [rule] = owned().rules;
    expect(rule!.Conditions).toEqual([
      expect.objectContaining({ Field: 'path-pattern', PathPatternConfig: { Values: ['/b/*'] } }),
    ]);
    expect(rule!.Transforms).toBeUndefined();
    expect(owned().targetGroups[0]!.HealthCheckPath).toBe('/ok');

    world.emulator.clearRequests();
    await provider(updateEvent(created.PhysicalResourceId, b, b));
    expect(elbMutating()).toEqual([]);
  });

  test('WHEN the target group cannot change in place (VpcId) THEN a new one is created, the rule forwards to it, the old one is kept for a rollback and removed by the next update', async () => {
    const td = await world.registerApp('crystal');
    const a = base(td);
    const b = base(td, { VpcId: 'vpc-0e0e0e0e0e0e0e0e0' });
    const provider = world.provider();
    const created = await provider(createEvent(a));
    world.emulator.clearRequests();
    const updated = await provider(updateEvent(created.PhysicalResourceId, b, a));
    expect(elbWrites()).toEqual(['elbv2:CreateTargetGroup']);
    expect(elbMutating()).toEqual(['elbv2:CreateTargetGroup', 'elbv2:ModifyRule']);
    expect(updated.Data!.TargetGroupArn).not.toBe(created.Data!.TargetGroupArn);
    expect(
      owned()
        .targetGroups.map((t) => t.TargetGroupArn)
        .sort(),
    ).toEqual([created.Data!.TargetGroupArn, updated.Data!.TargetGroupArn].sort());
    // CloudFormation's rollback finds the old one again.
    const rolledBack = await provider(updateEvent(created.PhysicalResourceId, a, b));
    expect(rolledBack.Data!.TargetGroupArn).toBe(created.Data!.TargetGroupArn);
    // The next update keeps only its previous one.
    const again = await provider(updateEvent(created.PhysicalResourceId, base(td, { Prefix: '/x/' }), a));
    expect(owned().targetGroups.map((t) => t.TargetGroupArn)).toEqual([again.Data!.TargetGroupArn]);
  });

  test('WHEN the identity changes (a replacement) THEN a new rule and target group are built beside the old, and the Delete of the old id removes only the old', async () => {
    const td = await world.registerApp('crystal');
    const a = base(td);
    const b = base(td, {}, { ServiceName: 'crystal2' });
    const provider = world.provider();
    const created = await provider(createEvent(a));
    const replaced = await provider(updateEvent(created.PhysicalResourceId, b, a));
    expect(replaced.PhysicalResourceId).not.toBe(created.PhysicalResourceId);
    expect(owned().rules).toHaveLength(2);
    expect(owned().targetGroups).toHaveLength(2);
    expect(replaced.Data!.ListenerRulePriority).not.toBe(created.Data!.ListenerRulePriority);
    await provider(deleteEvent(created.PhysicalResourceId, a));
    expect(owned().rules.map((r) => r.RuleArn)).toEqual([replaced.Data!.ListenerRuleArn]);
    expect(owned().targetGroups.map((t) => t.TargetGroupArn)).toEqual([replaced.Data!.TargetGroupArn]);
    await provider(deleteEvent(replaced.PhysicalResourceId, b));
    expect(owned()).toMatchObject({ rules: [], targetGroups: [] });
  });

  test('WHEN the Gateway is removed by an update THEN its rule and target group are deleted; a Delete leaves nothing', async () => {
    const td = await world.registerApp('crystal');
    const a = base(td);
    const { Gateway: _g, ...b } = a;
    const provider = world.provider();
    const created = await provider(createEvent(a));
    const updated = await provider(updateEvent(created.PhysicalResourceId, b, a));
    expect(updated.Data!.TargetGroupArn).toBeUndefined();
    expect(owned()).toMatchObject({ rules: [], targetGroups: [] });
    await provider(updateEvent(created.PhysicalResourceId, a, b));
    expect(owned().rules).toHaveLength(1);
    await provider(deleteEvent(created.PhysicalResourceId, a));
    expect(owned()).toMatchObject({ rules: [], targetGroups: [] });
  });

  test('WHEN RulePriority is held by a rule it does not own THEN it is refused before any change; when free, it is used', async () => {
    const td = await world.registerApp('crystal');
    const tg = await elb.send(
      new CreateTargetGroupCommand({
        Name: 'someone-else',
        Protocol: 'HTTP',
        Port: 80,
        VpcId: 'vpc-0e0e0e0e0e0e0e0e0',
        TargetType: 'ip',
      }),
    );
    await elb.send(
      new CreateRuleCommand({
        ListenerArn: listenerArn,
        Priority: 7,
        Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/other/*'] } }],
        Actions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroups![0]!.TargetGroupArn! }],
      }),
    );
    world.emulator.clearRequests();
    await expect(world.provider()(createEvent(base(td, { RulePriority: '7' })))).rejects.toThrow(
      /Gateway\.RulePriority: priority 7 .* is held by rule .*not created by Custom::MeshService/,
    );
    expect(mutating(world.emulator)).toEqual([]);
    const created = await world.provider()(createEvent(base(td, { RulePriority: '8' })));
    expect(created.Data!.ListenerRulePriority).toBe('8');
  });

  test('WHEN the demo describes it THEN the rule reads as conditions, rewrite and target group', async () => {
    const td = await world.registerApp('crystal');
    const created = await world.provider()(
      createEvent(base(td, { Prefix: '/crystal/', Headers: [{ Name: 'x-team', Prefix: 'bl' }] })),
    );
    const text = ingressLines(world.emulator, created.Data!).join('\n');
    expect(text).toContain(`priority ${created.Data!.ListenerRulePriority} on`);
    expect(text).toContain('when   path is /crystal/*');
    expect(text).toContain('and header x-team is bl*');
    expect(text).toContain('then   rewrite URL ^/crystal/(.*)$ → /$1');
    expect(text).toContain('(ip targets, HTTP HTTP1 port 3000, vpc-0e0e0e0e0e0e0e0e0)');
    expect(ingressLines(world.emulator, {})).toEqual(['no gateway route (no Gateway)']);
  });

  test('WHEN the listener does not exist THEN the Create fails naming Gateway.ListenerArn, before any change', async () => {
    const td = await world.registerApp('crystal');
    world.emulator.clearRequests();
    const missing = listenerArn.replace(/\/[0-9a-f]+$/, '/0000000000000000');
    await expect(world.provider()(createEvent(base(td, { ListenerArn: missing })))).rejects.toThrow(
      /Gateway\.ListenerArn: listener .* not found/,
    );
    expect(mutating(world.emulator)).toEqual([]);
  });
});

describe('GIVEN a Gateway an ALB listener rule cannot express, or one of the wrong backend', () => {
  test.each([
    [
      'VirtualGatewayName on Service Connect',
      { VirtualGatewayName: 'vgw' },
      /Gateway\.VirtualGatewayName: names an App Mesh virtual gateway/,
    ],
    [
      'no ListenerArn',
      { ListenerArn: undefined },
      /Gateway\.ListenerArn: required with Backend ServiceConnect/,
    ],
    ['a regex path', { PathRegex: '^/a.*' }, /Gateway\.PathRegex: regular-expression path matches/],
    ['a regex header', { Headers: [{ Name: 'x', Regex: 'a.*' }] }, /Gateway\.Headers\[0\]\.Regex/],
    [
      'a range header',
      { Headers: [{ Name: 'x', Range: { Start: '1', End: '5' } }] },
      /Gateway\.Headers\[0\]\.Range/,
    ],
    [
      'an inverted header',
      { Headers: [{ Name: 'x', Exact: 'a', Invert: 'true' }] },
      /Gateway\.Headers\[0\]\.Invert/,
    ],
    [
      'a wildcard in a value',
      { Headers: [{ Name: 'x', Exact: 'a*' }] },
      /Gateway\.Headers\[0\]\.Exact: contains \* or \?/,
    ],
    [
      'more than 5 condition values',
      {
        Hostname: 'a.example.com',
        Method: 'GET',
        Headers: [
          { Name: 'a', Exact: '1' },
          { Name: 'b', Exact: '2' },
          { Name: 'c', Exact: '3' },
        ],
      },
      /Gateway: an ALB listener rule takes at most 5 condition values/,
    ],
    ['an App Mesh priority', { Priority: '3' }, /Gateway\.Priority: .*RulePriority/],
  ] as const)(
    'WHEN it has %s THEN it is refused by name with no AWS call',
    async (_name, gateway, message) => {
      world.emulator.clearRequests();
      await expect(world.provider()(createEvent(base('crystal:1', gateway as Props)))).rejects.toThrow(
        message,
      );
      expect(calls(world.emulator)).toEqual([]);
    },
  );

  test('WHEN an App Mesh service names a listener THEN it is refused by name, and VirtualGatewayName is required', async () => {
    world.emulator.clearRequests();
    const props = {
      MeshName: 'ecs-mesh',
      ServiceName: 'crystal',
      Namespace: 'service.local',
      Port: '3000',
      Gateway: { ListenerArn: listenerArn },
    };
    await expect(world.provider()(createEvent(props))).rejects.toThrow(
      /Gateway\.VirtualGatewayName: required with Backend AppMesh[\s\S]*Gateway\.ListenerArn: only with Backend ServiceConnect/,
    );
    expect(calls(world.emulator)).toEqual([]);
  });
});
