/**
 * Elastic Load Balancing v2 through the real @aws-sdk/client-elastic-load-balancing-v2: the AWS query wire protocol
 * (signed for elasticloadbalancing), model validation, load balancers, listeners, rules (conditions, weighted
 * forwards, transforms, priorities), target groups, targets, tags and ELB's error codes.
 */
import {
  AddTagsCommand,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  type CreateRuleCommandInput,
  CreateTargetGroupCommand,
  DeleteListenerCommand,
  DeleteRuleCommand,
  DeleteTargetGroupCommand,
  DeregisterTargetsCommand,
  DescribeListenersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyRuleCommand,
  RegisterTargetsCommand,
  RemoveTagsCommand,
  SetRulePrioritiesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  GetResourcesCommand,
  ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';
import { failureOf, useEmulator } from './helpers';

const ctx = useEmulator();
let elb: ElasticLoadBalancingV2Client;
beforeAll(() => {
  elb = new ElasticLoadBalancingV2Client({ maxAttempts: 1 });
});
afterAll(() => elb.destroy());

async function platform() {
  const lb = await elb.send(
    new CreateLoadBalancerCommand({
      Name: 'mesh-ingress',
      Subnets: ['subnet-a', 'subnet-b'],
      Scheme: 'internal',
    }),
  );
  const lbArn = lb.LoadBalancers![0]!.LoadBalancerArn!;
  const listener = await elb.send(
    new CreateListenerCommand({
      LoadBalancerArn: lbArn,
      Protocol: 'HTTP',
      Port: 80,
      DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
    }),
  );
  return { lbArn, listenerArn: listener.Listeners![0]!.ListenerArn! };
}

async function targetGroup(name: string, extra: Record<string, unknown> = {}) {
  const out = await elb.send(
    new CreateTargetGroupCommand({
      Name: name,
      Protocol: 'HTTP',
      Port: 3000,
      VpcId: 'vpc-0e0e0e0e0e0e0e0e0',
      TargetType: 'ip',
      ...extra,
    }),
  );
  return out.TargetGroups![0]!.TargetGroupArn!;
}

const rule = (listenerArn: string, tg: string, over: Partial<CreateRuleCommandInput> = {}) =>
  new CreateRuleCommand({
    ListenerArn: listenerArn,
    Priority: 10,
    Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } }],
    Actions: [{ Type: 'forward', TargetGroupArn: tg }],
    ...over,
  });

describe('GIVEN an Application Load Balancer with an HTTP listener', () => {
  test('WHEN a rule forwards by path, header, query and method with weights and rewrites THEN DescribeRules answers it as ELB does, the default rule last', async () => {
    const { lbArn, listenerArn } = await platform();
    const blue = await targetGroup('blue');
    const green = await targetGroup('green');
    const created = await elb.send(
      rule(listenerArn, blue, {
        Conditions: [
          { Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } },
          { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'x-canary', Values: ['on'] } },
          { Field: 'query-string', QueryStringConfig: { Values: [{ Key: 'v', Value: '2' }] } },
          { Field: 'http-request-method', HttpRequestMethodConfig: { Values: ['GET'] } },
        ],
        Actions: [
          {
            Type: 'forward',
            ForwardConfig: {
              TargetGroups: [
                { TargetGroupArn: blue, Weight: 90 },
                { TargetGroupArn: green, Weight: 10 },
              ],
            },
          },
        ],
        Transforms: [
          { Type: 'url-rewrite', UrlRewriteConfig: { Rewrites: [{ Regex: '^/api/(.*)$', Replace: '/$1' }] } },
          {
            Type: 'host-header-rewrite',
            HostHeaderRewriteConfig: { Rewrites: [{ Regex: '.*', Replace: 'backend' }] },
          },
        ],
        Tags: [{ Key: 'team', Value: 'a' }],
      }),
    );
    const ruleArn = created.Rules![0]!.RuleArn!;
    expect(ruleArn).toMatch(
      /^arn:aws:elasticloadbalancing:us-east-1:111122223333:listener-rule\/app\/mesh-ingress\//,
    );
    const { Rules } = await elb.send(new DescribeRulesCommand({ ListenerArn: listenerArn }));
    expect(Rules!.map((r) => [r.Priority, r.IsDefault])).toEqual([
      ['10', false],
      ['default', true],
    ]);
    expect(Rules![0]!.Actions![0]!.ForwardConfig!.TargetGroups).toEqual([
      { TargetGroupArn: blue, Weight: 90 },
      { TargetGroupArn: green, Weight: 10 },
    ]);
    expect(Rules![0]!.Transforms!.map((t) => t.Type)).toEqual(['url-rewrite', 'host-header-rewrite']);
    expect(Rules![0]!.Conditions![1]!.HttpHeaderConfig).toEqual({
      HttpHeaderName: 'x-canary',
      Values: ['on'],
    });
    const tgs = await elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [blue] }));
    expect(tgs.TargetGroups![0]).toMatchObject({
      LoadBalancerArns: [lbArn],
      HealthCheckPath: '/',
      HealthCheckPort: 'traffic-port',
      Matcher: { HttpCode: '200' },
      TargetType: 'ip',
    });
    const tags = await elb.send(new DescribeTagsCommand({ ResourceArns: [ruleArn] }));
    expect(tags.TagDescriptions![0]!.Tags).toEqual([{ Key: 'team', Value: 'a' }]);
  });

  test('WHEN a single TargetGroupArn is forwarded to THEN it is also described as a ForwardConfig of weight 1', async () => {
    const { listenerArn } = await platform();
    const tg = await targetGroup('web');
    const { Rules } = await elb.send(rule(listenerArn, tg));
    expect(Rules![0]!.Actions![0]).toMatchObject({
      Type: 'forward',
      TargetGroupArn: tg,
      ForwardConfig: { TargetGroups: [{ TargetGroupArn: tg, Weight: 1 }] },
    });
  });

  test('WHEN a second rule takes a priority in use THEN PriorityInUse; SetRulePriorities moves it; the default rule cannot be moved or deleted', async () => {
    const { listenerArn } = await platform();
    const tg = await targetGroup('web');
    const first = (await elb.send(rule(listenerArn, tg))).Rules![0]!.RuleArn!;
    const taken = await failureOf(elb.send(rule(listenerArn, tg)));
    expect(taken.name).toBe('PriorityInUseException');
    const second = (await elb.send(rule(listenerArn, tg, { Priority: 20 }))).Rules![0]!.RuleArn!;
    const swap = await failureOf(
      elb.send(new SetRulePrioritiesCommand({ RulePriorities: [{ RuleArn: second, Priority: 10 }] })),
    );
    expect(swap.name).toBe('PriorityInUseException');
    await elb.send(
      new SetRulePrioritiesCommand({
        RulePriorities: [
          { RuleArn: second, Priority: 10 },
          { RuleArn: first, Priority: 20 },
        ],
      }),
    );
    const { Rules } = await elb.send(new DescribeRulesCommand({ ListenerArn: listenerArn }));
    expect(Rules!.map((r) => r.RuleArn)).toEqual([second, first, expect.any(String)]);
    const defaultArn = Rules![2]!.RuleArn!;
    expect((await failureOf(elb.send(new DeleteRuleCommand({ RuleArn: defaultArn })))).name).toBe(
      'OperationNotPermittedException',
    );
    expect(
      (
        await failureOf(
          elb.send(new SetRulePrioritiesCommand({ RulePriorities: [{ RuleArn: defaultArn, Priority: 5 }] })),
        )
      ).name,
    ).toBe('OperationNotPermittedException');
  });

  test.each([
    [
      'six condition values in a rule',
      [
        { Field: 'path-pattern', PathPatternConfig: { Values: ['/a', '/b', '/c'] } },
        {
          Field: 'host-header',
          HostHeaderConfig: { Values: ['a.example.com', 'b.example.com', 'c.example.com'] },
        },
      ],
      /at most 5 condition values/,
    ],
    [
      'four values in one condition',
      [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/a', '/b', '/c', '/d'] } }],
      /at most 3 values/,
    ],
    [
      'two path-pattern conditions',
      [
        { Field: 'path-pattern', PathPatternConfig: { Values: ['/a'] } },
        { Field: 'path-pattern', PathPatternConfig: { Values: ['/b'] } },
      ],
      /at most one 'path-pattern'/,
    ],
    ['no condition', [], /at least one condition/],
    [
      'a path with a character ELB does not allow',
      [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/a b'] } }],
      /not a valid path-pattern value/,
    ],
    [
      'a lowercase method',
      [{ Field: 'http-request-method', HttpRequestMethodConfig: { Values: ['get'] } }],
      /not a valid http-request-method value/,
    ],
  ])('WHEN a rule has %s THEN ValidationError', async (_what, conditions, message) => {
    const { listenerArn } = await platform();
    const tg = await targetGroup('web');
    const error = await failureOf(elb.send(rule(listenerArn, tg, { Conditions: conditions as never })));
    expect(error.name).toBe('ValidationError');
    expect(error.message).toMatch(message);
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });

  test('WHEN weights leave 0-999, six target groups are forwarded to, or two url-rewrites are given THEN refused', async () => {
    const { listenerArn } = await platform();
    const tgs = await Promise.all(['a', 'b', 'c', 'd', 'e', 'f'].map((n) => targetGroup(`tg-${n}`)));
    const weighted = (weights: number[]) =>
      elb.send(
        rule(listenerArn, tgs[0]!, {
          Actions: [
            {
              Type: 'forward',
              ForwardConfig: {
                TargetGroups: weights.map((w, i) => ({ TargetGroupArn: tgs[i]!, Weight: w })),
              },
            },
          ],
        }),
      );
    expect((await failureOf(weighted([1000]))).message).toMatch(/0 to 999/);
    expect((await failureOf(weighted([1, 1, 1, 1, 1, 1]))).name).toBe('TooManyTargetGroupsException');
    const rewrite = {
      Type: 'url-rewrite' as const,
      UrlRewriteConfig: { Rewrites: [{ Regex: 'a', Replace: 'b' }] },
    };
    expect(
      (await failureOf(elb.send(rule(listenerArn, tgs[0]!, { Transforms: [rewrite, rewrite] })))).message,
    ).toMatch(/at most one url-rewrite/);
    const unknown = await failureOf(elb.send(rule(listenerArn, `${tgs[0]!}0`)));
    expect(unknown.name).toBe('TargetGroupNotFoundException');
  });

  test('WHEN a target group a rule forwards to is deleted THEN ResourceInUse; once the rule is gone it deletes', async () => {
    const { listenerArn } = await platform();
    const tg = await targetGroup('web');
    const ruleArn = (await elb.send(rule(listenerArn, tg))).Rules![0]!.RuleArn!;
    const inUse = await failureOf(elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: tg })));
    expect(inUse.name).toBe('ResourceInUseException');
    await elb.send(new DeleteRuleCommand({ RuleArn: ruleArn }));
    await elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: tg }));
    // Deleting it again succeeds: the model declares no TargetGroupNotFound for DeleteTargetGroup.
    await elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: tg }));
    expect(ctx.emulator.snapshot(['elbv2']).elbv2!.targetGroups).toEqual([]);
  });

  test('WHEN ModifyRule changes conditions, actions and resets transforms THEN only those change', async () => {
    const { listenerArn } = await platform();
    const a = await targetGroup('a');
    const b = await targetGroup('b');
    const ruleArn = (
      await elb.send(
        rule(listenerArn, a, {
          Transforms: [
            { Type: 'url-rewrite', UrlRewriteConfig: { Rewrites: [{ Regex: 'x', Replace: 'y' }] } },
          ],
        }),
      )
    ).Rules![0]!.RuleArn!;
    await elb.send(
      new ModifyRuleCommand({
        RuleArn: ruleArn,
        Actions: [{ Type: 'forward', TargetGroupArn: b }],
        ResetTransforms: true,
      }),
    );
    const { Rules } = await elb.send(new DescribeRulesCommand({ RuleArns: [ruleArn] }));
    expect(Rules![0]!.Actions![0]!.TargetGroupArn).toBe(b);
    expect(Rules![0]!.Transforms).toBeUndefined();
    expect(Rules![0]!.Conditions).toEqual([
      { Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } },
    ]);
    // The target group no longer forwarded to may go.
    await elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: a }));
  });

  test('WHEN the listener is deleted THEN its rules go and its target groups are free again', async () => {
    const { listenerArn } = await platform();
    const tg = await targetGroup('web');
    await elb.send(rule(listenerArn, tg));
    await elb.send(new DeleteListenerCommand({ ListenerArn: listenerArn }));
    expect(ctx.emulator.snapshot(['elbv2']).elbv2!.rules).toEqual([]);
    const gone = await failureOf(elb.send(new DescribeListenersCommand({ ListenerArns: [listenerArn] })));
    expect(gone.name).toBe('ListenerNotFoundException');
    await elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: tg }));
  });
});

describe('GIVEN target groups', () => {
  test.each([
    ['a-name-of-thirty-three-characters', /maximum of 32 characters/],
    ['web_1', /alphanumeric characters or hyphens/],
    ['-web', /must not begin or end with a hyphen/],
  ])('WHEN named %s THEN ValidationError', async (name, message) => {
    const error = await failureOf(targetGroup(name));
    expect(error.name).toBe('ValidationError');
    expect(error.message).toMatch(message);
  });

  test('WHEN created twice with the same settings THEN the same one; with other settings THEN DuplicateTargetGroupName', async () => {
    const first = await targetGroup('web');
    expect(await targetGroup('web')).toBe(first);
    expect((await failureOf(targetGroup('web', { Port: 8080 }))).name).toBe(
      'DuplicateTargetGroupNameException',
    );
  });

  test('WHEN the model refuses a value THEN ValidationError naming the member in lower camel case', async () => {
    const error = await failureOf(targetGroup('web', { HealthCheckIntervalSeconds: 1 }));
    expect(error.name).toBe('ValidationError');
    expect(error.message).toMatch(/'healthCheckIntervalSeconds'/);
  });

  test('WHEN ip targets are registered THEN they are unused until a rule forwards to them, then healthy; a non-IP target is InvalidTarget', async () => {
    const { listenerArn } = await platform();
    const tg = await targetGroup('web');
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: '10.0.0.5' }] }));
    const before = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg }));
    expect(before.TargetHealthDescriptions![0]).toMatchObject({
      Target: { Id: '10.0.0.5', Port: 3000 },
      TargetHealth: { State: 'unused', Reason: 'Target.NotInUse' },
    });
    await elb.send(rule(listenerArn, tg));
    const after = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg }));
    expect(after.TargetHealthDescriptions![0]!.TargetHealth!.State).toBe('healthy');
    await elb.send(new DeregisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: '10.0.0.5' }] }));
    expect(
      (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg }))).TargetHealthDescriptions,
    ).toEqual([]);
    const bad = await failureOf(
      elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: 'i-0123456789abcdef0' }] })),
    );
    expect(bad.name).toBe('InvalidTargetException');
  });

  test('WHEN one load balancer forwards to a target group THEN another cannot (TargetGroupAssociationLimit)', async () => {
    const { listenerArn } = await platform();
    const tg = await targetGroup('web');
    await elb.send(rule(listenerArn, tg));
    const other = await elb.send(
      new CreateLoadBalancerCommand({ Name: 'other', Subnets: ['subnet-a', 'subnet-b'] }),
    );
    const error = await failureOf(
      elb.send(
        new CreateListenerCommand({
          LoadBalancerArn: other.LoadBalancers![0]!.LoadBalancerArn!,
          Protocol: 'HTTP',
          Port: 80,
          DefaultActions: [{ Type: 'forward', TargetGroupArn: tg }],
        }),
      ),
    );
    expect(error.name).toBe('TargetGroupAssociationLimitException');
  });
});

describe('GIVEN tags', () => {
  test('WHEN added, removed and described THEN the Tagging API lists the tagged ELB resources too', async () => {
    const tg = await targetGroup('web', { Tags: [{ Key: 'mesh-service:owner', Value: 'stack/Frontend' }] });
    await elb.send(new AddTagsCommand({ ResourceArns: [tg], Tags: [{ Key: 'team', Value: 'a' }] }));
    await elb.send(new RemoveTagsCommand({ ResourceArns: [tg], TagKeys: ['team'] }));
    const { TagDescriptions } = await elb.send(new DescribeTagsCommand({ ResourceArns: [tg] }));
    expect(TagDescriptions![0]!.Tags).toEqual([{ Key: 'mesh-service:owner', Value: 'stack/Frontend' }]);
    const tagging = new ResourceGroupsTaggingAPIClient({});
    try {
      const found = await tagging.send(
        new GetResourcesCommand({
          TagFilters: [{ Key: 'mesh-service:owner' }],
          ResourceTypeFilters: ['elasticloadbalancing'],
        }),
      );
      expect(found.ResourceTagMappingList!.map((r) => r.ResourceARN)).toEqual([tg]);
    } finally {
      tagging.destroy();
    }
  });

  test('WHEN an untagged resource is described with a tagged one THEN the untagged one has no Tags member (the model: at least one tag when present)', async () => {
    const [plain, tagged] = [await targetGroup('plain'), await targetGroup('tagged')];
    await elb.send(new AddTagsCommand({ ResourceArns: [tagged], Tags: [{ Key: 'team', Value: 'blue' }] }));
    const { TagDescriptions } = await elb.send(new DescribeTagsCommand({ ResourceArns: [plain, tagged] }));
    expect(TagDescriptions).toEqual([
      { ResourceArn: plain },
      { ResourceArn: tagged, Tags: [{ Key: 'team', Value: 'blue' }] },
    ]);
  });

  test('WHEN 51 tags would be on a resource THEN TooManyTags; an unknown ARN THEN its kind of NotFound', async () => {
    const tg = await targetGroup('web');
    const tags = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    expect((await failureOf(elb.send(new AddTagsCommand({ ResourceArns: [tg], Tags: tags })))).name).toBe(
      'TooManyTagsException',
    );
    expect((await failureOf(elb.send(new DescribeTagsCommand({ ResourceArns: [`${tg}0`] })))).name).toBe(
      'TargetGroupNotFoundException',
    );
  });

  test('WHEN another account names a target group THEN it is not found', async () => {
    const tg = await targetGroup('web');
    const other = new ElasticLoadBalancingV2Client({
      maxAttempts: 1,
      credentials: {
        accessKeyId: ctx.emulator.env('444455556666').AWS_ACCESS_KEY_ID!,
        secretAccessKey: 'x',
      },
    });
    try {
      const error = await failureOf(other.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [tg] })));
      expect(error.name).toBe('TargetGroupNotFoundException');
    } finally {
      other.destroy();
    }
  });
});
