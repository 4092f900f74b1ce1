/**
 * VPC Lattice through the real @aws-sdk/client-vpc-lattice: the wire protocol (REST-JSON, paths not under one base,
 * ISO 8601 timestamps), ids and ARNs in Lattice's formats, the lifecycle of each resource, the documented rules
 * (emulator/vpc-lattice/rules.ts and the header of emulator/vpc-lattice/service.ts) with the real error codes,
 * pagination, tags and model validation.
 */
import {
  BatchUpdateRuleCommand,
  CreateAccessLogSubscriptionCommand,
  CreateListenerCommand,
  CreateRuleCommand,
  type CreateRuleCommandInput,
  CreateServiceCommand,
  CreateServiceNetworkCommand,
  CreateServiceNetworkServiceAssociationCommand,
  CreateTargetGroupCommand,
  type CreateTargetGroupCommandInput,
  DeleteAccessLogSubscriptionCommand,
  DeleteAuthPolicyCommand,
  DeleteListenerCommand,
  DeleteRuleCommand,
  DeleteServiceCommand,
  DeleteServiceNetworkCommand,
  DeleteServiceNetworkServiceAssociationCommand,
  DeleteTargetGroupCommand,
  DeregisterTargetsCommand,
  GetAccessLogSubscriptionCommand,
  GetAuthPolicyCommand,
  GetListenerCommand,
  GetRuleCommand,
  GetServiceCommand,
  GetServiceNetworkCommand,
  GetServiceNetworkServiceAssociationCommand,
  GetTargetGroupCommand,
  ListAccessLogSubscriptionsCommand,
  ListListenersCommand,
  ListRulesCommand,
  ListServiceNetworkServiceAssociationsCommand,
  ListServiceNetworksCommand,
  ListServicesCommand,
  ListTagsForResourceCommand,
  ListTargetGroupsCommand,
  ListTargetsCommand,
  PutAuthPolicyCommand,
  paginateListServices,
  RegisterTargetsCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateListenerCommand,
  UpdateRuleCommand,
  UpdateServiceCommand,
  UpdateTargetGroupCommand,
  VPCLatticeClient,
} from '@aws-sdk/client-vpc-lattice';
import { failureOf, OTHER_ACCOUNT, rawRequest, useEmulator } from './helpers';

const ctx = useEmulator();
let lattice: VPCLatticeClient;
beforeAll(() => {
  lattice = new VPCLatticeClient({});
});
afterAll(() => lattice.destroy());

const ACCOUNT = '111122223333';
const VPC = 'vpc-0123456789abcdef0';

async function targetGroup(name: string, extra: Partial<CreateTargetGroupCommandInput> = {}) {
  return lattice.send(
    new CreateTargetGroupCommand({
      name,
      type: 'IP',
      config: { port: 8080, protocol: 'HTTP', protocolVersion: 'HTTP1', vpcIdentifier: VPC },
      ...extra,
    }),
  );
}

/** A service with an HTTP listener forwarding to a fresh target group. */
async function serviceWithListener(name = 'checkout') {
  const svc = await lattice.send(new CreateServiceCommand({ name, customDomainName: `${name}.local` }));
  const tg = await targetGroup(`${name}-v1`);
  const listener = await lattice.send(
    new CreateListenerCommand({
      serviceIdentifier: svc.id!,
      name: 'http',
      protocol: 'HTTP',
      port: 80,
      defaultAction: { forward: { targetGroups: [{ targetGroupIdentifier: tg.arn!, weight: 100 }] } },
    }),
  );
  return { svc, tg, listener };
}

function rule(
  svc: string,
  listener: string,
  name: string,
  priority: number,
  targetGroups: { targetGroupIdentifier: string; weight?: number }[],
): CreateRuleCommandInput {
  return {
    serviceIdentifier: svc,
    listenerIdentifier: listener,
    name,
    priority,
    match: {
      httpMatch: { method: 'GET', pathMatch: { match: { prefix: `/${name}` }, caseSensitive: false } },
    },
    action: { forward: { targetGroups } },
  };
}

describe('GIVEN service networks and services', () => {
  test('WHEN created, associated and deleted THEN ids, ARNs, DNS entry, status and counts are Lattice’s', async () => {
    const sn = await lattice.send(new CreateServiceNetworkCommand({ name: 'platform', tags: { team: 'a' } }));
    expect(sn.id).toMatch(/^sn-[0-9a-z]{17}$/);
    expect(sn.arn).toBe(`arn:aws:vpc-lattice:us-east-1:${ACCOUNT}:servicenetwork/${sn.id}`);
    expect(sn.authType).toBe('NONE');
    const svc = await lattice.send(
      new CreateServiceCommand({ name: 'checkout', customDomainName: 'checkout.local', tags: { team: 'a' } }),
    );
    expect(svc.id).toMatch(/^svc-[0-9a-z]{17}$/);
    expect(svc.arn).toBe(`arn:aws:vpc-lattice:us-east-1:${ACCOUNT}:service/${svc.id}`);
    expect(svc).toMatchObject({ name: 'checkout', customDomainName: 'checkout.local', status: 'ACTIVE' });
    expect(svc.dnsEntry?.domainName).toMatch(
      /^checkout-[0-9a-z]{17}\.[0-9a-f]{7}\.vpc-lattice-svcs\.us-east-1\.on\.aws$/,
    );

    const assoc = await lattice.send(
      new CreateServiceNetworkServiceAssociationCommand({
        serviceIdentifier: svc.arn!,
        serviceNetworkIdentifier: sn.id!,
      }),
    );
    expect(assoc.id).toMatch(/^snsa-[0-9a-z]{17}$/);
    expect(assoc).toMatchObject({ status: 'ACTIVE', createdBy: ACCOUNT, customDomainName: 'checkout.local' });
    const got = await lattice.send(
      new GetServiceNetworkServiceAssociationCommand({
        serviceNetworkServiceAssociationIdentifier: assoc.arn!,
      }),
    );
    expect(got).toMatchObject({ serviceId: svc.id, serviceNetworkName: 'platform', status: 'ACTIVE' });
    expect(got.createdAt).toBeInstanceOf(Date);
    const listed = await lattice.send(
      new ListServiceNetworkServiceAssociationsCommand({ serviceNetworkIdentifier: sn.arn! }),
    );
    expect(listed.items!.map((a) => a.id)).toEqual([assoc.id]);
    expect(
      (await lattice.send(new GetServiceNetworkCommand({ serviceNetworkIdentifier: sn.id! })))
        .numberOfAssociatedServices,
    ).toBe(1);

    // "A service can't be deleted if it's associated with a service network."; a network with services neither.
    const svcInUse = await failureOf(lattice.send(new DeleteServiceCommand({ serviceIdentifier: svc.id! })));
    expect(svcInUse.name).toBe('ConflictException');
    expect(svcInUse.$metadata?.httpStatusCode).toBe(409);
    const snInUse = await failureOf(
      lattice.send(new DeleteServiceNetworkCommand({ serviceNetworkIdentifier: sn.id! })),
    );
    expect(snInUse.name).toBe('ConflictException');

    const gone = await lattice.send(
      new DeleteServiceNetworkServiceAssociationCommand({
        serviceNetworkServiceAssociationIdentifier: assoc.id!,
      }),
    );
    expect(gone.status).toBe('DELETE_IN_PROGRESS');
    expect((await lattice.send(new DeleteServiceCommand({ serviceIdentifier: svc.id! }))).status).toBe(
      'DELETE_IN_PROGRESS',
    );
    await lattice.send(new DeleteServiceNetworkCommand({ serviceNetworkIdentifier: sn.id! }));
    const missing = await failureOf(lattice.send(new GetServiceCommand({ serviceIdentifier: svc.id! })));
    expect(missing.name).toBe('ResourceNotFoundException');
    expect(missing.$metadata?.httpStatusCode).toBe(404);
    expect(ctx.emulator.snapshot(['vpclattice']).vpclattice).toMatchObject({
      services: [],
      serviceNetworks: [],
    });
  });

  test('WHEN a name, or a service-network pair, is used twice THEN ConflictException; UpdateService changes what it takes', async () => {
    const sn = await lattice.send(new CreateServiceNetworkCommand({ name: 'platform' }));
    expect((await failureOf(lattice.send(new CreateServiceNetworkCommand({ name: 'platform' })))).name).toBe(
      'ConflictException',
    );
    const svc = await lattice.send(new CreateServiceCommand({ name: 'checkout' }));
    expect((await failureOf(lattice.send(new CreateServiceCommand({ name: 'checkout' })))).name).toBe(
      'ConflictException',
    );
    const pair = { serviceIdentifier: svc.id!, serviceNetworkIdentifier: sn.id! };
    await lattice.send(new CreateServiceNetworkServiceAssociationCommand(pair));
    expect(
      (await failureOf(lattice.send(new CreateServiceNetworkServiceAssociationCommand(pair)))).name,
    ).toBe('ConflictException');
    const updated = await lattice.send(
      new UpdateServiceCommand({ serviceIdentifier: svc.arn!, authType: 'AWS_IAM', idleTimeoutSeconds: 120 }),
    );
    expect(updated).toMatchObject({ authType: 'AWS_IAM', idleTimeoutSeconds: 120, name: 'checkout' });
  });

  test('WHEN the same clientToken comes again THEN the first answer; with other parameters THEN ConflictException', async () => {
    const first = await lattice.send(new CreateServiceCommand({ name: 'checkout', clientToken: 'tok-1' }));
    const again = await lattice.send(new CreateServiceCommand({ name: 'checkout', clientToken: 'tok-1' }));
    expect(again.id).toBe(first.id);
    const other = await failureOf(
      lattice.send(new CreateServiceCommand({ name: 'payments', clientToken: 'tok-1' })),
    );
    expect(other.name).toBe('ConflictException');
    expect(ctx.emulator.snapshot(['vpclattice']).vpclattice!.services).toHaveLength(1);
  });
});

describe('GIVEN listeners and rules', () => {
  test('WHEN a listener, rules and their updates run THEN Get and List answer them, the default rule included', async () => {
    const { svc, tg, listener } = await serviceWithListener();
    expect(listener.id).toMatch(/^listener-[0-9a-z]{17}$/);
    expect(listener.arn).toBe(`${svc.arn}/listener/${listener.id}`);
    // Target groups are named by id in actions, whatever the request named.
    expect(listener.defaultAction).toEqual({
      forward: { targetGroups: [{ targetGroupIdentifier: tg.id, weight: 100 }] },
    });
    const v2 = await targetGroup('checkout-v2');
    const created = await lattice.send(
      new CreateRuleCommand({
        ...rule(svc.id!, listener.arn!, 'canary', 10, [
          { targetGroupIdentifier: tg.id!, weight: 90 },
          { targetGroupIdentifier: v2.arn!, weight: 10 },
        ]),
        match: {
          httpMatch: {
            method: 'GET',
            pathMatch: { match: { exact: '/cart' }, caseSensitive: true },
            headerMatches: [{ name: 'x-canary', match: { contains: 'yes' }, caseSensitive: false }],
          },
        },
        tags: { team: 'a' },
      }),
    );
    expect(created.id).toMatch(/^rule-[0-9a-z]{17}$/);
    expect(created.arn).toBe(`${listener.arn}/rule/${created.id}`);
    const got = await lattice.send(
      new GetRuleCommand({
        serviceIdentifier: svc.id!,
        listenerIdentifier: listener.id!,
        ruleIdentifier: created.arn!,
      }),
    );
    expect(got).toMatchObject({ name: 'canary', priority: 10, isDefault: false });
    expect(got.match!.httpMatch!.headerMatches![0]!.match).toEqual({ contains: 'yes' });
    expect(got.lastUpdatedAt).toBeInstanceOf(Date);

    // A weight change is one UpdateRule.
    const updated = await lattice.send(
      new UpdateRuleCommand({
        serviceIdentifier: svc.id!,
        listenerIdentifier: listener.id!,
        ruleIdentifier: created.id!,
        action: {
          forward: {
            targetGroups: [
              { targetGroupIdentifier: tg.id!, weight: 50 },
              { targetGroupIdentifier: v2.id!, weight: 50 },
            ],
          },
        },
      }),
    );
    expect(updated.action!.forward!.targetGroups!.map((g) => g.weight)).toEqual([50, 50]);
    expect(updated.priority).toBe(10);

    const rules = await lattice.send(
      new ListRulesCommand({ serviceIdentifier: svc.id!, listenerIdentifier: listener.id! }),
    );
    expect(rules.items!.map((r) => [r.isDefault, r.priority]).sort()).toEqual([
      [false, 10],
      [true, undefined],
    ]);
    const defaultRule = rules.items!.find((r) => r.isDefault)!;
    const refused = await failureOf(
      lattice.send(
        new DeleteRuleCommand({
          serviceIdentifier: svc.id!,
          listenerIdentifier: listener.id!,
          ruleIdentifier: defaultRule.id!,
        }),
      ),
    );
    expect(refused.name).toBe('ValidationException');

    const changed = await lattice.send(
      new UpdateListenerCommand({
        serviceIdentifier: svc.id!,
        listenerIdentifier: listener.id!,
        defaultAction: { fixedResponse: { statusCode: 404 } },
      }),
    );
    expect(changed.defaultAction).toEqual({ fixedResponse: { statusCode: 404 } });
    const listeners = await lattice.send(new ListListenersCommand({ serviceIdentifier: svc.arn! }));
    expect(listeners.items!.map((l) => [l.name, l.protocol, l.port])).toEqual([['http', 'HTTP', 80]]);
    expect(
      (
        await lattice.send(
          new GetListenerCommand({ serviceIdentifier: svc.id!, listenerIdentifier: listener.arn! }),
        )
      ).serviceId,
    ).toBe(svc.id);

    await lattice.send(
      new DeleteRuleCommand({
        serviceIdentifier: svc.id!,
        listenerIdentifier: listener.id!,
        ruleIdentifier: created.id!,
      }),
    );
    await lattice.send(
      new DeleteListenerCommand({ serviceIdentifier: svc.id!, listenerIdentifier: listener.id! }),
    );
    expect(ctx.emulator.snapshot(['vpclattice']).vpclattice).toMatchObject({ listeners: [], rules: [] });
  });

  test('WHEN BatchUpdateRule swaps two priorities THEN both move; a clash is listed unsuccessful', async () => {
    const { svc, tg, listener } = await serviceWithListener();
    const ids = { serviceIdentifier: svc.id!, listenerIdentifier: listener.id! };
    const a = await lattice.send(
      new CreateRuleCommand(rule(svc.id!, listener.id!, 'first', 1, [{ targetGroupIdentifier: tg.id! }])),
    );
    const b = await lattice.send(
      new CreateRuleCommand(rule(svc.id!, listener.id!, 'second', 2, [{ targetGroupIdentifier: tg.id! }])),
    );
    const swap = await lattice.send(
      new BatchUpdateRuleCommand({
        ...ids,
        rules: [
          { ruleIdentifier: a.id!, priority: 2 },
          { ruleIdentifier: b.id!, priority: 1 },
        ],
      }),
    );
    expect(swap.successful!.map((r) => [r.name, r.priority])).toEqual([
      ['first', 2],
      ['second', 1],
    ]);
    expect(swap.unsuccessful).toEqual([]);
    const clash = await lattice.send(
      new BatchUpdateRuleCommand({ ...ids, rules: [{ ruleIdentifier: a.id!, priority: 1 }] }),
    );
    expect(clash.successful).toEqual([]);
    expect(clash.unsuccessful).toEqual([
      expect.objectContaining({ ruleIdentifier: a.id, failureCode: 'ConflictException' }),
    ]);
  });

  test('WHEN a rule breaks a Lattice rule THEN the real error code', async () => {
    const { svc, tg, listener } = await serviceWithListener();
    const one = [{ targetGroupIdentifier: tg.id! }];
    await lattice.send(new CreateRuleCommand(rule(svc.id!, listener.id!, 'first', 5, one)));
    // "Each rule for a specific listener must have a unique priority."
    const samePriority = await failureOf(
      lattice.send(new CreateRuleCommand(rule(svc.id!, listener.id!, 'second', 5, one))),
    );
    expect(samePriority.name).toBe('ConflictException');
    expect(samePriority.message).toMatch(/Priority 5 is already used/);
    // "The name must be unique within the listener."
    expect(
      (await failureOf(lattice.send(new CreateRuleCommand(rule(svc.id!, listener.id!, 'first', 6, one)))))
        .name,
    ).toBe('ConflictException');
    // Several target groups need a weight each.
    const v2 = await targetGroup('checkout-v2');
    const unweighted = await failureOf(
      lattice.send(
        new CreateRuleCommand(
          rule(svc.id!, listener.id!, 'split', 7, [...one, { targetGroupIdentifier: v2.id!, weight: 1 }]),
        ),
      ),
    );
    expect(unweighted.name).toBe('ValidationException');
    expect(unweighted.message).toMatch(/needs a weight for each target group/);
    // A target group that does not exist.
    const unknown = await failureOf(
      lattice.send(
        new CreateRuleCommand(
          rule(svc.id!, listener.id!, 'ghost', 8, [{ targetGroupIdentifier: 'tg-0123456789abcdef0' }]),
        ),
      ),
    );
    expect(unknown.name).toBe('ResourceNotFoundException');
    // Model: weights 0-999, priority 1-2000, at most 10 target groups, at most 5 header matches.
    const heavy = await failureOf(
      lattice.send(
        new CreateRuleCommand(
          rule(svc.id!, listener.id!, 'heavy', 9, [{ targetGroupIdentifier: tg.id!, weight: 1000 }]),
        ),
      ),
    );
    expect(heavy.name).toBe('ValidationException');
    expect(heavy.message).toMatch(/weight/);
    expect(
      (await failureOf(lattice.send(new CreateRuleCommand(rule(svc.id!, listener.id!, 'late', 2001, one)))))
        .name,
    ).toBe('ValidationException');
    const eleven = Array.from({ length: 11 }, () => ({ targetGroupIdentifier: tg.id!, weight: 1 }));
    expect(
      (await failureOf(lattice.send(new CreateRuleCommand(rule(svc.id!, listener.id!, 'wide', 10, eleven)))))
        .name,
    ).toBe('ValidationException');
    const headers = Array.from({ length: 6 }, (_, i) => ({ name: `h${i}`, match: { exact: 'x' } }));
    const tooMany = await failureOf(
      lattice.send(
        new CreateRuleCommand({
          ...rule(svc.id!, listener.id!, 'headers', 11, one),
          match: { httpMatch: { headerMatches: headers } },
        }),
      ),
    );
    expect(tooMany.name).toBe('ValidationException');
    // The default rule cannot be changed by UpdateRule.
    const rules = await lattice.send(
      new ListRulesCommand({ serviceIdentifier: svc.id!, listenerIdentifier: listener.id! }),
    );
    const defaultRule = rules.items!.find((r) => r.isDefault)!;
    const onDefault = await failureOf(
      lattice.send(
        new UpdateRuleCommand({
          serviceIdentifier: svc.id!,
          listenerIdentifier: listener.id!,
          ruleIdentifier: defaultRule.id!,
          priority: 50,
        }),
      ),
    );
    expect(onDefault.name).toBe('ValidationException');
  });

  test('WHEN the quotas are reached THEN ServiceQuotaExceededException: 2 listeners per service, 10 rules per listener', async () => {
    const { svc, tg, listener } = await serviceWithListener();
    await lattice.send(
      new CreateListenerCommand({
        serviceIdentifier: svc.id!,
        name: 'https',
        protocol: 'HTTPS',
        defaultAction: { fixedResponse: { statusCode: 404 } },
      }),
    );
    const third = await failureOf(
      lattice.send(
        new CreateListenerCommand({
          serviceIdentifier: svc.id!,
          name: 'extra',
          protocol: 'HTTP',
          port: 8080,
          defaultAction: { fixedResponse: { statusCode: 404 } },
        }),
      ),
    );
    expect(third.name).toBe('ServiceQuotaExceededException');
    expect(third.$metadata?.httpStatusCode).toBe(402);
    for (let i = 1; i <= 10; i++)
      await lattice.send(
        new CreateRuleCommand(
          rule(svc.id!, listener.id!, `route-${i}`, i, [{ targetGroupIdentifier: tg.id! }]),
        ),
      );
    const eleventh = await failureOf(
      lattice.send(
        new CreateRuleCommand(
          rule(svc.id!, listener.id!, 'route-11', 11, [{ targetGroupIdentifier: tg.id! }]),
        ),
      ),
    );
    expect(eleventh.name).toBe('ServiceQuotaExceededException');
  });

  test('WHEN a listener’s name or port repeats, or a TLS_PASSTHROUGH listener forwards to an HTTP group THEN refused', async () => {
    const { svc, tg } = await serviceWithListener();
    const fixed = { fixedResponse: { statusCode: 404 } };
    expect(
      (
        await failureOf(
          lattice.send(
            new CreateListenerCommand({
              serviceIdentifier: svc.id!,
              name: 'http',
              protocol: 'HTTP',
              port: 8080,
              defaultAction: fixed,
            }),
          ),
        )
      ).name,
    ).toBe('ConflictException');
    expect(
      (
        await failureOf(
          lattice.send(
            new CreateListenerCommand({
              serviceIdentifier: svc.id!,
              name: 'other',
              protocol: 'HTTP',
              defaultAction: fixed,
            }),
          ),
        )
      ).name,
    ).toBe('ConflictException');
    const tls = await failureOf(
      lattice.send(
        new CreateListenerCommand({
          serviceIdentifier: svc.id!,
          name: 'tls',
          protocol: 'TLS_PASSTHROUGH',
          port: 443,
          defaultAction: { forward: { targetGroups: [{ targetGroupIdentifier: tg.id! }] } },
        }),
      ),
    );
    expect(tls.name).toBe('ValidationException');
  });
});

describe('GIVEN target groups and targets', () => {
  test('WHEN created, registered, updated and deleted THEN config defaults, serviceArns, targets and the in-use rule', async () => {
    const tg = await targetGroup('orders-v1', {
      config: {
        port: 8080,
        protocol: 'HTTP',
        protocolVersion: 'GRPC',
        vpcIdentifier: VPC,
        healthCheck: { enabled: true, path: '/health' },
      },
    });
    expect(tg.id).toMatch(/^tg-[0-9a-z]{17}$/);
    expect(tg.arn).toBe(`arn:aws:vpc-lattice:us-east-1:${ACCOUNT}:targetgroup/${tg.id}`);
    expect(tg.status).toBe('ACTIVE');
    expect(tg.config).toMatchObject({
      port: 8080,
      protocol: 'HTTP',
      protocolVersion: 'GRPC',
      ipAddressType: 'IPV4',
      healthCheck: {
        enabled: true,
        path: '/health',
        healthCheckIntervalSeconds: 30,
        healthyThresholdCount: 5,
      },
    });
    const reg = await lattice.send(
      new RegisterTargetsCommand({
        targetGroupIdentifier: tg.id!,
        targets: [{ id: '10.0.0.1' }, { id: '10.0.0.2', port: 9090 }],
      }),
    );
    expect(reg.successful).toEqual([
      { id: '10.0.0.1', port: 8080 },
      { id: '10.0.0.2', port: 9090 },
    ]);
    const unused = await lattice.send(new ListTargetsCommand({ targetGroupIdentifier: tg.arn! }));
    expect(unused.items!.map((t) => [t.id, t.status])).toEqual([
      ['10.0.0.1', 'UNUSED'],
      ['10.0.0.2', 'UNUSED'],
    ]);
    const dereg = await lattice.send(
      new DeregisterTargetsCommand({
        targetGroupIdentifier: tg.id!,
        targets: [{ id: '10.0.0.2', port: 9090 }, { id: '10.9.9.9' }],
      }),
    );
    expect(dereg.successful).toEqual([{ id: '10.0.0.2', port: 9090 }]);
    expect(dereg.unsuccessful!.map((f) => f.id)).toEqual(['10.9.9.9']);

    const updated = await lattice.send(
      new UpdateTargetGroupCommand({
        targetGroupIdentifier: tg.id!,
        healthCheck: { healthCheckIntervalSeconds: 10 },
      }),
    );
    expect(updated.config!.healthCheck).toMatchObject({ path: '/health', healthCheckIntervalSeconds: 10 });
    expect(updated.config!.port).toBe(8080);

    const svc = await lattice.send(new CreateServiceCommand({ name: 'orders' }));
    const listener = await lattice.send(
      new CreateListenerCommand({
        serviceIdentifier: svc.id!,
        name: 'http',
        protocol: 'HTTP',
        defaultAction: { fixedResponse: { statusCode: 404 } },
      }),
    );
    const r = await lattice.send(
      new CreateRuleCommand(rule(svc.id!, listener.id!, 'all', 1, [{ targetGroupIdentifier: tg.id! }])),
    );
    expect(
      (await lattice.send(new GetTargetGroupCommand({ targetGroupIdentifier: tg.id! }))).serviceArns,
    ).toEqual([svc.arn]);
    const listed = await lattice.send(
      new ListTargetGroupsCommand({ vpcIdentifier: VPC, targetGroupType: 'IP' }),
    );
    expect(listed.items!.map((t) => [t.name, t.port, t.protocol, t.serviceArns])).toEqual([
      ['orders-v1', 8080, 'HTTP', [svc.arn]],
    ]);
    expect(
      (await lattice.send(new ListTargetsCommand({ targetGroupIdentifier: tg.id! }))).items![0]!.status,
    ).toBe('HEALTHY');

    // "You can't delete a target group if it is used in a listener rule"
    const inUse = await failureOf(
      lattice.send(new DeleteTargetGroupCommand({ targetGroupIdentifier: tg.id! })),
    );
    expect(inUse.name).toBe('ConflictException');
    // "A target group can only be used by a single service."
    const other = await lattice.send(new CreateServiceCommand({ name: 'other' }));
    const shared = await failureOf(
      lattice.send(
        new CreateListenerCommand({
          serviceIdentifier: other.id!,
          name: 'http',
          protocol: 'HTTP',
          defaultAction: { forward: { targetGroups: [{ targetGroupIdentifier: tg.id! }] } },
        }),
      ),
    );
    expect(shared.name).toBe('ConflictException');

    await lattice.send(
      new DeleteRuleCommand({
        serviceIdentifier: svc.id!,
        listenerIdentifier: listener.id!,
        ruleIdentifier: r.id!,
      }),
    );
    expect(
      (await lattice.send(new DeleteTargetGroupCommand({ targetGroupIdentifier: tg.arn! }))).status,
    ).toBe('DELETE_IN_PROGRESS');
    expect(
      (await failureOf(lattice.send(new GetTargetGroupCommand({ targetGroupIdentifier: tg.id! })))).name,
    ).toBe('ResourceNotFoundException');
  });

  test('WHEN a target group lacks its config or a health check is out of range THEN ValidationException', async () => {
    const noVpc = await failureOf(
      lattice.send(
        new CreateTargetGroupCommand({ name: 'no-vpc', type: 'IP', config: { port: 80, protocol: 'HTTP' } }),
      ),
    );
    expect(noVpc.name).toBe('ValidationException');
    expect(noVpc.message).toMatch(/vpcIdentifier/);
    const interval = await failureOf(
      targetGroup('b-tg', {
        config: {
          port: 80,
          protocol: 'HTTP',
          vpcIdentifier: VPC,
          healthCheck: { healthCheckIntervalSeconds: 2 },
        },
      }),
    );
    expect(interval.name).toBe('ValidationException');
    expect(interval.message).toMatch(/healthCheckIntervalSeconds must be between 5 and 300/);
    await targetGroup('c-tg');
    expect((await failureOf(targetGroup('c-tg'))).name).toBe('ConflictException');
  });
});

describe('GIVEN access logs, auth policies and tags', () => {
  test('WHEN an access log subscription and an auth policy are put and removed THEN Lattice answers them', async () => {
    const svc = await lattice.send(new CreateServiceCommand({ name: 'checkout', authType: 'AWS_IAM' }));
    const destinationArn = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/lattice/checkout`;
    const als = await lattice.send(
      new CreateAccessLogSubscriptionCommand({ resourceIdentifier: svc.arn!, destinationArn }),
    );
    expect(als.id).toMatch(/^als-[0-9a-z]{17}$/);
    expect(als).toMatchObject({ resourceId: svc.id, resourceArn: svc.arn, destinationArn });
    expect(
      (await lattice.send(new GetAccessLogSubscriptionCommand({ accessLogSubscriptionIdentifier: als.arn! })))
        .createdAt,
    ).toBeInstanceOf(Date);
    expect(
      (await lattice.send(new ListAccessLogSubscriptionsCommand({ resourceIdentifier: svc.id! }))).items!.map(
        (a) => a.id,
      ),
    ).toEqual([als.id]);
    const bad = await failureOf(
      lattice.send(
        new CreateAccessLogSubscriptionCommand({
          resourceIdentifier: svc.id!,
          destinationArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:q`,
        }),
      ),
    );
    expect(bad.name).toBe('ValidationException');

    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', Action: 'vpc-lattice-svcs:Invoke', Resource: '*' }],
    });
    expect(
      await lattice.send(new PutAuthPolicyCommand({ resourceIdentifier: svc.id!, policy })),
    ).toMatchObject({ policy, state: 'Active' });
    expect((await lattice.send(new GetAuthPolicyCommand({ resourceIdentifier: svc.arn! }))).policy).toBe(
      policy,
    );
    await lattice.send(new DeleteAuthPolicyCommand({ resourceIdentifier: svc.id! }));
    expect(
      (await failureOf(lattice.send(new GetAuthPolicyCommand({ resourceIdentifier: svc.id! })))).name,
    ).toBe('ResourceNotFoundException');
    await lattice.send(new DeleteAccessLogSubscriptionCommand({ accessLogSubscriptionIdentifier: als.id! }));
    expect(
      (await lattice.send(new ListAccessLogSubscriptionsCommand({ resourceIdentifier: svc.id! }))).items,
    ).toEqual([]);
  });

  test('WHEN a service is deleted THEN its listeners, rules, logs and auth policy go with it', async () => {
    const { svc, tg, listener } = await serviceWithListener();
    await lattice.send(
      new CreateRuleCommand(rule(svc.id!, listener.id!, 'first', 1, [{ targetGroupIdentifier: tg.id! }])),
    );
    await lattice.send(
      new CreateAccessLogSubscriptionCommand({
        resourceIdentifier: svc.id!,
        destinationArn: 'arn:aws:s3:::access-logs',
      }),
    );
    await lattice.send(new PutAuthPolicyCommand({ resourceIdentifier: svc.id!, policy: '{"Statement":[]}' }));
    await lattice.send(new DeleteServiceCommand({ serviceIdentifier: svc.id! }));
    expect(ctx.emulator.snapshot(['vpclattice']).vpclattice).toMatchObject({
      services: [],
      listeners: [],
      rules: [],
      accessLogSubscriptions: [],
      authPolicies: [],
    });
    // The target group stays, and is free again.
    await lattice.send(new DeleteTargetGroupCommand({ targetGroupIdentifier: tg.id! }));
  });

  test('WHEN tags are given at create, added and removed THEN ListTagsForResource follows', async () => {
    const { tg, listener } = await serviceWithListener();
    await lattice.send(new TagResourceCommand({ resourceArn: tg.arn!, tags: { owner: 'me', stage: 'dev' } }));
    await lattice.send(new UntagResourceCommand({ resourceArn: tg.arn!, tagKeys: ['stage'] }));
    expect((await lattice.send(new ListTagsForResourceCommand({ resourceArn: tg.arn! }))).tags).toEqual({
      owner: 'me',
    });
    expect((await lattice.send(new ListTagsForResourceCommand({ resourceArn: listener.arn! }))).tags).toEqual(
      {},
    );
    const missing = await failureOf(
      lattice.send(
        new ListTagsForResourceCommand({
          resourceArn: `arn:aws:vpc-lattice:us-east-1:${ACCOUNT}:service/svc-0123456789abcdef0`,
        }),
      ),
    );
    expect(missing.name).toBe('ResourceNotFoundException');
  });
});

describe('GIVEN many resources', () => {
  test('WHEN listed with maxResults THEN pages with a nextToken, the last without; a foreign token is refused', async () => {
    for (let i = 0; i < 5; i++) await lattice.send(new CreateServiceCommand({ name: `shop-${i}` }));
    const first = await lattice.send(new ListServicesCommand({ maxResults: 2 }));
    expect(first.items).toHaveLength(2);
    expect(first.nextToken).toBeDefined();
    const names: string[] = [];
    for await (const page of paginateListServices({ client: lattice, pageSize: 2 }, {}))
      names.push(...page.items!.map((s) => s.name!));
    expect(names.sort()).toEqual(['shop-0', 'shop-1', 'shop-2', 'shop-3', 'shop-4']);
    const bad = await failureOf(lattice.send(new ListServicesCommand({ nextToken: 'not-a-token' })));
    expect(bad.name).toBe('ValidationException');
    expect((await lattice.send(new ListServiceNetworksCommand({}))).items).toEqual([]);
  });
});

describe('GIVEN a request the model refuses', () => {
  test('WHEN a name breaks the pattern or length THEN ValidationException naming the member, before any change', async () => {
    const upper = await failureOf(lattice.send(new CreateServiceCommand({ name: 'Checkout' })));
    expect(upper.name).toBe('ValidationException');
    expect(upper.$metadata?.httpStatusCode).toBe(400);
    expect(upper.message).toMatch(/name/);
    expect((await failureOf(lattice.send(new CreateServiceCommand({ name: 'x'.repeat(41) })))).name).toBe(
      'ValidationException',
    );
    expect((await failureOf(lattice.send(new CreateServiceCommand({ name: 'svc-prefixed' })))).name).toBe(
      'ValidationException',
    );
    expect(
      (await failureOf(lattice.send(new GetServiceCommand({ serviceIdentifier: 'svc-short' })))).name,
    ).toBe('ValidationException');
    expect(ctx.emulator.snapshot(['vpclattice']).vpclattice!.services).toEqual([]);
  });
});

describe('GIVEN what cannot change in place', () => {
  test('WHEN an update names a listener’s port or protocol, or a target group’s port THEN ValidationException: the update has no such member', async () => {
    const { svc, tg, listener } = await serviceWithListener();
    const port = await rawRequest(ctx.emulator, {
      method: 'PATCH',
      path: `/services/${svc.id}/listeners/${listener.id}`,
      body: { defaultAction: { fixedResponse: { statusCode: 404 } }, port: 8080, protocol: 'HTTPS' },
    });
    expect(port.status).toBe(400);
    expect(port.headers.get('x-amzn-errortype')).toBe('ValidationException');
    expect(String(port.json.message)).toMatch(/Unknown member 'port'/);
    const config = await rawRequest(ctx.emulator, {
      method: 'PATCH',
      path: `/targetgroups/${tg.id}`,
      body: { healthCheck: { path: '/ready' }, config: { port: 9090 } },
    });
    expect(config.status).toBe(400);
    expect(String(config.json.message)).toMatch(/Unknown member 'config'/);
    const after = await lattice.send(new GetTargetGroupCommand({ targetGroupIdentifier: tg.id! }));
    expect(after.config).toMatchObject({ port: 8080, healthCheck: { path: '/' } });
    expect(
      (
        await lattice.send(
          new GetListenerCommand({ serviceIdentifier: svc.id!, listenerIdentifier: listener.id! }),
        )
      ).port,
    ).toBe(80);
  });
});

describe('GIVEN accounts and faults', () => {
  test('WHEN another account names a resource THEN ResourceNotFoundException, and its lists are its own', async () => {
    const svc = await lattice.send(new CreateServiceCommand({ name: 'checkout' }));
    const theirs = new VPCLatticeClient({
      credentials: { accessKeyId: `EMULATOR${OTHER_ACCOUNT}`, secretAccessKey: 'x' },
    });
    try {
      expect(
        (await failureOf(theirs.send(new GetServiceCommand({ serviceIdentifier: svc.arn! })))).name,
      ).toBe('ResourceNotFoundException');
      expect((await theirs.send(new ListServicesCommand({}))).items).toEqual([]);
      // Names are per account.
      const same = await theirs.send(new CreateServiceCommand({ name: 'checkout' }));
      expect(same.arn).toBe(`arn:aws:vpc-lattice:us-east-1:${OTHER_ACCOUNT}:service/${same.id}`);
    } finally {
      theirs.destroy();
    }
  });

  test('WHEN a fault names vpclattice:<Operation> THEN that call fails with Lattice’s error and has no effect', async () => {
    ctx.emulator.faults.failNth('vpclattice:CreateService', 1, {
      type: 'ThrottlingException',
      status: 429,
      message: 'Rate exceeded',
    });
    const retried = await lattice.send(new CreateServiceCommand({ name: 'checkout' }));
    const log = ctx.emulator.requests.filter(
      (r) => r.service === 'vpclattice' && r.operation === 'CreateService',
    );
    expect(log.map((r) => [r.status, r.error])).toEqual([
      [429, 'ThrottlingException'],
      [201, undefined],
    ]);
    expect(ctx.emulator.snapshot(['vpclattice']).vpclattice!.services.map((s) => s.id)).toEqual([retried.id]);
  });

  test('WHEN a Create takes effect and its answer is lost THEN the SDK’s retry carries the same clientToken and gets the same resource', async () => {
    ctx.emulator.faults.resetNth('vpclattice:CreateTargetGroup', 1, { applied: true });
    const tg = await targetGroup('orders-v1');
    const calls = ctx.emulator.requests.filter((r) => r.operation === 'CreateTargetGroup');
    expect(calls.map((r) => r.error)).toEqual(['Reset', undefined]);
    expect(ctx.emulator.snapshot(['vpclattice']).vpclattice!.targetGroups.map((t) => t.id)).toEqual([tg.id]);
  });
});

describe('GIVEN the documented input rules the model leaves out', () => {
  test('WHEN a tag key begins with aws: or has a character Lattice refuses THEN ValidationException, at create and on TagResource', async () => {
    const reserved = await failureOf(
      lattice.send(new CreateServiceCommand({ name: 'checkout', tags: { 'aws:owner': 'me' } })),
    );
    expect(reserved.name).toBe('ValidationException');
    expect(reserved.message).toMatch(/aws:/);
    const svc = await lattice.send(
      new CreateServiceCommand({ name: 'checkout', tags: { 'mesh-service:stack': 'a/b=c+d@e' } }),
    );
    const odd = await failureOf(
      lattice.send(new TagResourceCommand({ resourceArn: svc.arn!, tags: { 'team#1': 'x' } })),
    );
    expect(odd.name).toBe('ValidationException');
    expect((await lattice.send(new ListTagsForResourceCommand({ resourceArn: svc.arn! }))).tags).toEqual({
      'mesh-service:stack': 'a/b=c+d@e',
    });
  });

  test('WHEN an ALB target group is given a health check THEN ValidationException ("Not supported if the target group type is LAMBDA or ALB")', async () => {
    const error = await failureOf(
      lattice.send(
        new CreateTargetGroupCommand({
          name: 'alb-tg',
          type: 'ALB',
          config: { port: 80, protocol: 'HTTP', vpcIdentifier: VPC, healthCheck: { path: '/' } },
        }),
      ),
    );
    expect(error.name).toBe('ValidationException');
    expect(error.message).toMatch(/healthCheck/);
  });

  test('WHEN associations are listed with neither a service network nor a service THEN ValidationException', async () => {
    const error = await failureOf(lattice.send(new ListServiceNetworkServiceAssociationsCommand({})));
    expect(error.name).toBe('ValidationException');
  });
});
