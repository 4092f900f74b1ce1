/**
 * ECS task definitions through the real SDK: families and revisions, ACTIVE/INACTIVE/DELETE_IN_PROGRESS, Describe
 * forms, the defaults ECS fills in, list operations with pagination, tags, and model validation.
 */
import {
  DeleteTaskDefinitionsCommand,
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListTagsForResourceCommand,
  ListTaskDefinitionFamiliesCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-ecs';
import { startEmulator } from '../../emulator';
import { patchedTaskDefinition, simpleTaskDefinition } from './fixtures';
import { failureOf, rawEcs, useEmulator } from './helpers';

const ctx = useEmulator();
const ARN_PREFIX = 'arn:aws:ecs:us-east-1:111122223333:task-definition';

const register = (input: RegisterTaskDefinitionCommandInput) =>
  ctx.ecs.send(new RegisterTaskDefinitionCommand(input));
const describeTd = (taskDefinition: string, include?: 'TAGS'[]) =>
  ctx.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition, include }));
const deregister = (taskDefinition: string) =>
  ctx.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition }));

describe('families and revisions', () => {
  test('GIVEN three registrations of a family and one of another THEN revisions count 1,2,3 per family with real ARNs', async () => {
    const arns: string[] = [];
    for (const family of ['web', 'web', 'api', 'web']) {
      arns.push((await register(simpleTaskDefinition(family))).taskDefinition?.taskDefinitionArn ?? '');
    }
    expect(arns).toEqual([
      `${ARN_PREFIX}/web:1`,
      `${ARN_PREFIX}/web:2`,
      `${ARN_PREFIX}/api:1`,
      `${ARN_PREFIX}/web:3`,
    ]);
  });

  test('GIVEN a registration THEN the response echoes the definition plus what ECS adds', async () => {
    const registered = await register({ ...patchedTaskDefinition(), tags: [{ key: 'team', value: 'mesh' }] });
    const td = registered.taskDefinition;
    expect(td).toMatchObject({
      family: 'ecsdemo-frontend',
      revision: 1,
      status: 'ACTIVE',
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      compatibilities: ['EC2', 'FARGATE'],
      registeredBy: 'arn:aws:iam::111122223333:root',
      proxyConfiguration: { type: 'APPMESH', containerName: 'envoy' },
    });
    expect(td?.registeredAt).toBeInstanceOf(Date);
    expect(td?.requiresAttributes?.map((a) => a.name)).toEqual(
      expect.arrayContaining([
        'ecs.capability.task-eni',
        'ecs.capability.aws-appmesh',
        'ecs.capability.container-ordering',
      ]),
    );
    expect(registered.tags).toEqual([{ key: 'team', value: 'mesh' }]);
    expect(td?.deregisteredAt).toBeUndefined();
  });

  test('GIVEN a registration without cpu, essential, protocol or hostPort THEN Describe shows the ECS defaults', async () => {
    await register({
      family: 'defaults',
      networkMode: 'awsvpc',
      cpu: '1 vCPU',
      memory: '2 GB',
      containerDefinitions: [{ name: 'app', image: 'nginx', portMappings: [{ containerPort: 8080 }] }],
    });
    const td = (await describeTd('defaults')).taskDefinition;
    expect(td?.cpu).toBe('1024');
    expect(td?.memory).toBe('2048');
    expect(td?.volumes).toEqual([]);
    expect(td?.containerDefinitions?.[0]).toEqual({
      name: 'app',
      image: 'nginx',
      cpu: 0,
      essential: true,
      portMappings: [{ containerPort: 8080, hostPort: 8080, protocol: 'tcp' }],
      environment: [],
      mountPoints: [],
      volumesFrom: [],
      systemControls: [],
    });
  });

  test('GIVEN bridge networking THEN hostPort is not invented', async () => {
    await register({
      family: 'bridge',
      containerDefinitions: [
        { name: 'app', image: 'nginx', memory: 64, portMappings: [{ containerPort: 80 }] },
      ],
    });
    const mapping = (await describeTd('bridge')).taskDefinition?.containerDefinitions?.[0]?.portMappings?.[0];
    expect(mapping).toEqual({ containerPort: 80, protocol: 'tcp' });
  });
});

describe('what ECS adds to a described definition', () => {
  // Real describe outputs: a bridge (or default network mode) definition lists "compatibilities": ["EXTERNAL", "EC2"]
  // (huannv93/ucadity-labs1 task_be.tpl; ECS Anywhere supports bridge, host and none, not awsvpc), an awsvpc Fargate
  // one ["EC2", "FARGATE"] (suryaval/aws-summit-2019 lab-2); both carry "placementConstraints": [].
  test.each<[string, RegisterTaskDefinitionCommandInput, string[]]>([
    ['the default network mode (bridge)', simpleTaskDefinition('plain'), ['EXTERNAL', 'EC2']],
    ['host networking', { ...simpleTaskDefinition('host'), networkMode: 'host' }, ['EXTERNAL', 'EC2']],
    ['awsvpc at a Fargate size', patchedTaskDefinition('fargate'), ['EC2', 'FARGATE']],
    ['awsvpc without a task size', { ...simpleTaskDefinition('vpc'), networkMode: 'awsvpc' }, ['EC2']],
  ])(
    'GIVEN %s WHEN described THEN compatibilities are %j and placementConstraints is []',
    async (_, input, expected) => {
      await register(input);
      const td = (await describeTd(input.family ?? '')).taskDefinition;
      expect(td?.compatibilities).toEqual(expected);
      expect(td?.placementConstraints).toEqual([]);
    },
  );

  test('GIVEN placement constraints WHEN described THEN they are kept', async () => {
    const placementConstraints = [
      { type: 'memberOf' as const, expression: 'attribute:ecs.instance-type =~ t3.*' },
    ];
    await register({ ...simpleTaskDefinition('placed'), placementConstraints });
    expect((await describeTd('placed')).taskDefinition?.placementConstraints).toEqual(placementConstraints);
  });
});

describe('DescribeTaskDefinition', () => {
  test('GIVEN revisions 1 and 2 WHEN described by family, family:revision and ARN THEN each resolves as ECS does', async () => {
    await register(simpleTaskDefinition('web'));
    await register(simpleTaskDefinition('web'));
    expect((await describeTd('web')).taskDefinition?.revision).toBe(2);
    expect((await describeTd('web:1')).taskDefinition?.revision).toBe(1);
    expect((await describeTd(`${ARN_PREFIX}/web:1`)).taskDefinition?.revision).toBe(1);
  });

  test('GIVEN tags WHEN described with include TAGS THEN tags are returned, and without it they are not', async () => {
    await register({ ...simpleTaskDefinition('web'), tags: [{ key: 'a', value: '1' }] });
    expect((await describeTd('web', ['TAGS'])).tags).toEqual([{ key: 'a', value: '1' }]);
    expect((await describeTd('web')).tags).toBeUndefined();
  });

  test('GIVEN no tags WHEN described with include TAGS THEN tags is an empty list', async () => {
    await register(simpleTaskDefinition('web'));
    expect((await describeTd('web', ['TAGS'])).tags).toEqual([]);
  });

  test.each([
    'nope',
    'web:9',
    `${ARN_PREFIX}/nope:1`,
    'arn:aws:ecs:eu-west-1:111122223333:task-definition/web:1',
  ])(
    'GIVEN no task definition %s THEN ClientException "Unable to describe task definition."',
    async (reference) => {
      await register(simpleTaskDefinition('web'));
      const error = await failureOf(describeTd(reference));
      expect(error.name).toBe('ClientException');
      expect(error.message).toBe('Unable to describe task definition.');
      expect(error.$metadata?.httpStatusCode).toBe(400);
    },
  );
});

describe('DeregisterTaskDefinition', () => {
  test('GIVEN revisions 1 and 2 WHEN 2 is deregistered THEN it is INACTIVE with deregisteredAt, still describable, and the family resolves to 1', async () => {
    await register(simpleTaskDefinition('web'));
    await register(simpleTaskDefinition('web'));
    const result = await deregister('web:2');
    expect(result.taskDefinition?.status).toBe('INACTIVE');
    expect(result.taskDefinition?.deregisteredAt).toBeInstanceOf(Date);
    expect((await describeTd('web:2')).taskDefinition?.status).toBe('INACTIVE');
    expect((await describeTd('web')).taskDefinition?.revision).toBe(1);
  });

  test('GIVEN every revision deregistered WHEN described by family THEN ClientException', async () => {
    await register(simpleTaskDefinition('web'));
    await deregister('web:1');
    expect((await failureOf(describeTd('web'))).name).toBe('ClientException');
  });

  test('GIVEN a family without a revision THEN ClientException: a revision is required', async () => {
    await register(simpleTaskDefinition('web'));
    const error = await failureOf(deregister('web'));
    expect(error.name).toBe('ClientException');
    expect(error.message).toContain('Revision is required');
  });

  test('GIVEN an unknown revision THEN ClientException', async () => {
    expect((await failureOf(deregister('web:7'))).name).toBe('ClientException');
  });

  test('GIVEN a deregistered revision WHEN deregistered again THEN it stays INACTIVE with the first deregisteredAt', async () => {
    await register(simpleTaskDefinition('web'));
    const first = await deregister('web:1');
    const second = await deregister('web:1');
    expect(second.taskDefinition?.deregisteredAt?.getTime()).toBe(
      first.taskDefinition?.deregisteredAt?.getTime(),
    );
  });
});

describe('DeleteTaskDefinitions', () => {
  test('GIVEN an INACTIVE, an ACTIVE and an unknown revision THEN the INACTIVE one goes DELETE_IN_PROGRESS and the others are failures', async () => {
    await register(simpleTaskDefinition('web'));
    await register(simpleTaskDefinition('web'));
    await deregister('web:1');
    const result = await ctx.ecs.send(
      new DeleteTaskDefinitionsCommand({ taskDefinitions: ['web:1', 'web:2', 'web:9'] }),
    );
    expect(result.taskDefinitions?.map((t) => [t.taskDefinitionArn, t.status])).toEqual([
      [`${ARN_PREFIX}/web:1`, 'DELETE_IN_PROGRESS'],
    ]);
    expect(result.taskDefinitions?.[0]?.deleteRequestedAt).toBeInstanceOf(Date);
    expect(result.failures).toEqual([
      { arn: `${ARN_PREFIX}/web:2`, reason: expect.stringContaining('ACTIVE status') },
      { arn: `${ARN_PREFIX}/web:9`, reason: 'The specified task definition does not exist.' },
    ]);
    expect((await describeTd('web:1')).taskDefinition?.status).toBe('DELETE_IN_PROGRESS');
    expect(ctx.emulator.snapshot().ecs.taskDefinitions.map((t) => t.status)).toEqual([
      'DELETE_IN_PROGRESS',
      'ACTIVE',
    ]);
  });

  test('GIVEN a deleted revision WHEN the family registers again THEN the revision number is not reused', async () => {
    await register(simpleTaskDefinition('web'));
    await deregister('web:1');
    await ctx.ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: ['web:1'] }));
    expect((await register(simpleTaskDefinition('web'))).taskDefinition?.revision).toBe(2);
  });

  test.each([0, 11])(
    'GIVEN %i task definitions THEN InvalidParameterException (1-10 per call)',
    async (count) => {
      const taskDefinitions = Array.from({ length: count }, (_, i) => `web:${i + 1}`);
      const error = await failureOf(ctx.ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions })));
      expect(error.name).toBe('InvalidParameterException');
    },
  );
});

describe('list operations', () => {
  async function registerMany() {
    for (const family of ['web', 'web', 'web', 'api', 'worker']) await register(simpleTaskDefinition(family));
    await deregister('web:1');
    await deregister('worker:1');
  }

  test('GIVEN ACTIVE and INACTIVE revisions THEN ListTaskDefinitions lists ACTIVE by default, INACTIVE on request, sorted ASC or DESC', async () => {
    await registerMany();
    const active = await ctx.ecs.send(new ListTaskDefinitionsCommand({}));
    expect(active.taskDefinitionArns).toEqual([
      `${ARN_PREFIX}/api:1`,
      `${ARN_PREFIX}/web:2`,
      `${ARN_PREFIX}/web:3`,
    ]);
    const inactive = await ctx.ecs.send(new ListTaskDefinitionsCommand({ status: 'INACTIVE' }));
    expect(inactive.taskDefinitionArns).toEqual([`${ARN_PREFIX}/web:1`, `${ARN_PREFIX}/worker:1`]);
    const desc = await ctx.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'web', sort: 'DESC' }));
    expect(desc.taskDefinitionArns).toEqual([`${ARN_PREFIX}/web:3`, `${ARN_PREFIX}/web:2`]);
  });

  test('GIVEN familyPrefix THEN ListTaskDefinitions matches the whole family name (as documented), not a prefix', async () => {
    await registerMany();
    const result = await ctx.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'we' }));
    expect(result.taskDefinitionArns).toEqual([]);
  });

  test.each([
    ['ASC', ['api:1', 'web:2', 'web:3']],
    ['DESC', ['web:3', 'web:2', 'api:1']],
  ] as const)(
    'GIVEN maxResults 1 and sort %s THEN ListTaskDefinitions pages one ARN at a time',
    async (sort, expected) => {
      await registerMany();
      const seen: string[] = [];
      let nextToken: string | undefined;
      do {
        const page = await ctx.ecs.send(new ListTaskDefinitionsCommand({ maxResults: 1, sort, nextToken }));
        expect(page.taskDefinitionArns?.length).toBeLessThanOrEqual(1);
        seen.push(...(page.taskDefinitionArns ?? []));
        nextToken = page.nextToken;
      } while (nextToken);
      expect(seen).toEqual(expected.map((r) => `${ARN_PREFIX}/${r}`));
    },
  );

  test('GIVEN families THEN ListTaskDefinitionFamilies filters by prefix and status (default: ACTIVE and INACTIVE) and pages', async () => {
    await registerMany();
    expect((await ctx.ecs.send(new ListTaskDefinitionFamiliesCommand({}))).families).toEqual([
      'api',
      'web',
      'worker',
    ]);
    expect(
      (await ctx.ecs.send(new ListTaskDefinitionFamiliesCommand({ status: 'ACTIVE' }))).families,
    ).toEqual(['api', 'web']);
    expect(
      (await ctx.ecs.send(new ListTaskDefinitionFamiliesCommand({ status: 'INACTIVE' }))).families,
    ).toEqual(['worker']);
    expect(
      (await ctx.ecs.send(new ListTaskDefinitionFamiliesCommand({ familyPrefix: 'w' }))).families,
    ).toEqual(['web', 'worker']);
    const first = await ctx.ecs.send(new ListTaskDefinitionFamiliesCommand({ maxResults: 1 }));
    const second = await ctx.ecs.send(
      new ListTaskDefinitionFamiliesCommand({ maxResults: 1, nextToken: first.nextToken }),
    );
    expect([first.families, second.families]).toEqual([['api'], ['web']]);
  });

  test('GIVEN maxResults 101 or an invalid nextToken THEN InvalidParameterException', async () => {
    expect((await failureOf(ctx.ecs.send(new ListTaskDefinitionsCommand({ maxResults: 101 })))).name).toBe(
      'InvalidParameterException',
    );
    expect(
      (await failureOf(ctx.ecs.send(new ListTaskDefinitionsCommand({ nextToken: 'garbage' })))).name,
    ).toBe('InvalidParameterException');
  });
});

describe('tags on task definitions', () => {
  test('GIVEN a task definition WHEN tagged, untagged and listed THEN the tags follow', async () => {
    const arn = (await register({ ...simpleTaskDefinition('web'), tags: [{ key: 'a', value: '1' }] }))
      .taskDefinition?.taskDefinitionArn;
    await ctx.ecs.send(
      new TagResourceCommand({
        resourceArn: arn,
        tags: [
          { key: 'b', value: '2' },
          { key: 'a', value: '3' },
        ],
      }),
    );
    expect((await ctx.ecs.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual([
      { key: 'a', value: '3' },
      { key: 'b', value: '2' },
    ]);
    await ctx.ecs.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['a'] }));
    expect((await describeTd('web', ['TAGS'])).tags).toEqual([{ key: 'b', value: '2' }]);
  });

  test('GIVEN an unknown task definition ARN WHEN tagged THEN ResourceNotFoundException', async () => {
    const error = await failureOf(
      ctx.ecs.send(
        new TagResourceCommand({ resourceArn: `${ARN_PREFIX}/nope:1`, tags: [{ key: 'a', value: 'b' }] }),
      ),
    );
    expect(error.name).toBe('ResourceNotFoundException');
  });

  test('GIVEN a reserved aws: tag key WHEN tagging THEN ClientException', async () => {
    const arn = (await register(simpleTaskDefinition('web'))).taskDefinition?.taskDefinitionArn;
    const error = await failureOf(
      ctx.ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'aws:owner', value: 'x' }] })),
    );
    expect(error.name).toBe('ClientException');
    expect(error.message).toContain("'aws:'");
  });

  test('GIVEN a resource ARN that is not a task definition THEN InvalidParameterException', async () => {
    const error = await failureOf(
      ctx.ecs.send(
        new ListTagsForResourceCommand({ resourceArn: 'arn:aws:ecs:us-east-1:111122223333:cluster/default' }),
      ),
    );
    expect(error.name).toBe('InvalidParameterException');
  });
});

describe('model validation (InvalidParameterException)', () => {
  test('GIVEN a container memory that is not an integer THEN InvalidParameterException naming containerDefinitions[0].memory', async () => {
    const response = await rawEcs(ctx.emulator, 'RegisterTaskDefinition', {
      family: 'web',
      containerDefinitions: [{ name: 'app', image: 'nginx', memory: '128' }],
    });
    expect(response.status).toBe(400);
    expect(response.json.__type).toBe('InvalidParameterException');
    expect(response.json.message).toContain("'containerDefinitions[0].memory'");
  });

  test('GIVEN an unknown member THEN InvalidParameterException naming it', async () => {
    const response = await rawEcs(ctx.emulator, 'RegisterTaskDefinition', {
      ...simpleTaskDefinition('web'),
      containerDefinitions: [{ name: 'app', image: 'nginx', memory: 128, memoryLimit: 5 }],
    });
    expect(response.json.__type).toBe('InvalidParameterException');
    expect(response.json.message).toContain(
      "Unknown member 'memoryLimit' at 'containerDefinitions[0].memoryLimit'",
    );
  });

  test('GIVEN a missing family THEN the SDK surfaces InvalidParameterException naming it', async () => {
    const error = await failureOf(
      register({
        containerDefinitions: [{ name: 'app', image: 'nginx', memory: 128 }],
      } as RegisterTaskDefinitionCommandInput),
    );
    expect(error.name).toBe('InvalidParameterException');
    expect(error.message).toContain("Value null at 'family'");
  });

  test('GIVEN networkMode AWSVPC (upper case) THEN InvalidParameterException naming the enum', async () => {
    const error = await failureOf(register({ ...simpleTaskDefinition(), networkMode: 'AWSVPC' as never }));
    expect(error.name).toBe('InvalidParameterException');
    expect(error.message).toContain("'networkMode'");
    expect(error.message).toContain('[bridge, host, awsvpc, none]');
  });

  test('GIVEN an environment variable value of the wrong type THEN the message hides the (sensitive) value', async () => {
    const response = await rawEcs(ctx.emulator, 'RegisterTaskDefinition', {
      family: 'web',
      containerDefinitions: [
        { name: 'app', image: 'nginx', memory: 128, environment: [{ name: 'SECRET', value: 42 }] },
      ],
    });
    expect(response.json.message).toContain("Value '***' at 'containerDefinitions[0].environment[0].value'");
  });
});

describe('GIVEN an emulator whose DELETE_IN_PROGRESS revisions are deleted at once (taskDefinitionDeletionDelayMs: 0)', () => {
  // ECS API reference, DeleteTaskDefinitions: a revision stays DELETE_IN_PROGRESS "until all the associated tasks and
  // services have been terminated" (the emulator has none), then it is gone; "When you delete all INACTIVE task
  // definition revisions, the task definition name is not displayed in the console and not returned in the API";
  // "The task definition name is retained by Amazon ECS and the revision is incremented the next time you create a
  // task definition with that name."
  test('WHEN the only revision is deleted THEN it answers DELETE_IN_PROGRESS once and is then gone from every read, and the next registration is revision 2', async () => {
    const emulator = await startEmulator({ taskDefinitionDeletionDelayMs: 0 });
    const env = emulator.env();
    const ecs = new ECSClient({
      region: env.AWS_REGION,
      endpoint: env.AWS_ENDPOINT_URL_ECS,
      credentials: {
        accessKeyId: env.AWS_ACCESS_KEY_ID ?? '',
        secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '',
      },
    });
    try {
      await ecs.send(new RegisterTaskDefinitionCommand(simpleTaskDefinition('gone')));
      await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'gone:1' }));
      const deleted = await ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: ['gone:1'] }));
      expect(deleted.taskDefinitions?.[0]?.status).toBe('DELETE_IN_PROGRESS');

      const error = await failureOf(
        ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'gone:1' })),
      );
      expect(error.name).toBe('ClientException');
      expect(
        (await ecs.send(new ListTaskDefinitionsCommand({ status: 'DELETE_IN_PROGRESS' }))).taskDefinitionArns,
      ).toEqual([]);
      expect((await ecs.send(new ListTaskDefinitionFamiliesCommand({}))).families).toEqual([]);
      expect(emulator.snapshot().ecs.taskDefinitions).toEqual([]);
      const again = await ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: ['gone:1'] }));
      expect(again.failures?.[0]?.reason).toBe('The specified task definition does not exist.');

      const next = await ecs.send(new RegisterTaskDefinitionCommand(simpleTaskDefinition('gone')));
      expect(next.taskDefinition?.revision).toBe(2);
    } finally {
      ecs.destroy();
      await emulator.close();
    }
  });

  test('WHEN the delay is 150 ms THEN the revision is DELETE_IN_PROGRESS before and gone after it', async () => {
    const emulator = await startEmulator({ taskDefinitionDeletionDelayMs: 150 });
    const env = emulator.env();
    const ecs = new ECSClient({
      region: env.AWS_REGION,
      endpoint: env.AWS_ENDPOINT_URL_ECS,
      credentials: {
        accessKeyId: env.AWS_ACCESS_KEY_ID ?? '',
        secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '',
      },
    });
    try {
      await ecs.send(new RegisterTaskDefinitionCommand(simpleTaskDefinition('slow')));
      await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'slow:1' }));
      await ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: ['slow:1'] }));
      expect(emulator.snapshot().ecs.taskDefinitions.map((t) => t.status)).toEqual(['DELETE_IN_PROGRESS']);
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(emulator.snapshot().ecs.taskDefinitions).toEqual([]);
    } finally {
      ecs.destroy();
      await emulator.close();
    }
  });

  test('GIVEN a negative delay THEN startEmulator refuses it', async () => {
    await expect(startEmulator({ taskDefinitionDeletionDelayMs: -1 })).rejects.toThrow('deletionDelayMs');
  });
});

describe('GIVEN registrations of one family in flight at the same time (latency injected)', () => {
  test('WHEN a second one arrives before the first is done THEN it is refused as real ECS refuses it', async () => {
    const emulator = await startEmulator();
    try {
      emulator.faults.latency('RegisterTaskDefinition', 200);
      const env = emulator.env();
      const ecs = new ECSClient({
        region: env.AWS_REGION,
        endpoint: env.AWS_ENDPOINT_URL_ECS,
        credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY! },
        maxAttempts: 1,
      });
      const register = (family: string) =>
        ecs.send(
          new RegisterTaskDefinitionCommand({
            family,
            containerDefinitions: [{ name: 'app', image: 'nginx', memory: 128 }],
          }),
        );
      const results = await Promise.allSettled([register('busy'), register('busy'), register('other')]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'fulfilled', 'rejected']);
      const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect((refused.reason as Error).name).toBe('ClientException');
      expect((refused.reason as Error).message).toBe(
        'Too many concurrent attempts to create a new revision of the specified family.',
      );
      ecs.destroy();
    } finally {
      await emulator.close();
    }
  });
});
