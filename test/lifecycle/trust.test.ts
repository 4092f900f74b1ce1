/**
 * The trust policy, tried as an attacker would: a template of one team must not make the provider register a
 * revision of another team's task-definition family (with that team's roles), run an image of its choosing, pass
 * roles the provider may not pass, or act for a stack of an account the provider does not serve.
 */
import { seedPlatform } from '../../emulator';
import { DEFAULT_POLICY, type ProviderPolicy, policyFromEnvironment } from '../../lambda/policy';
import {
  createEvent,
  deleteEvent,
  type Props,
  STACK_ID,
  STACK_NAME,
  startWorld,
  updateEvent,
  type World,
} from '../support/harness';
import { mutatingCalls, revisions } from '../support/state';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());
beforeEach(() => world.emulator.clearRequests());

const ATTACKER_STACK =
  'arn:aws:cloudformation:us-east-1:111122223333:stack/attacker/11111111-2222-3333-4444-555555555555';
const attacker = { stackId: ATTACKER_STACK, logicalId: 'Squat' };
const props = (over: Props): Props => ({
  MeshName: 'ecs-mesh',
  Namespace: 'service.local',
  Port: '3000',
  ...over,
});

const PAYROLL_STACK =
  'arn:aws:cloudformation:us-east-1:111122223333:stack/payroll-stack/22222222-2222-3333-4444-555555555555';

/** The payroll team's application, granted to its own stack only. */
async function payroll(family: string): Promise<string> {
  return world.registerApp(family, {
    tags: [
      { key: 'app', value: family },
      { key: 'mesh-service:allowed-stacks', value: PAYROLL_STACK },
    ],
  });
}

describe('GIVEN another team registered a task-definition family (planting a container)', () => {
  test('WHEN a template names that family with its own Envoy image THEN the image is refused before any AWS call', async () => {
    await payroll('payroll-a');
    world.emulator.clearRequests();
    const provider = world.provider();
    await expect(
      provider(
        createEvent(
          props({
            ServiceName: 'evil-a',
            TaskDefinition: 'payroll-a',
            Envoy: { Image: 'evil.example.com/miner:latest' },
          }),
          attacker,
        ),
      ),
    ).rejects.toThrow(
      /^Envoy\.Image: "evil\.example\.com\/miner:latest" is not App Mesh's Envoy image .* and the provider allows no other images;/,
    );
    expect(world.emulator.requests).toEqual([]);
  });

  test('WHEN a template names that family with the official image THEN it is refused in the read phase and no revision is registered', async () => {
    await payroll('payroll-b');
    world.emulator.clearRequests();
    const before = revisions(world.emulator, 'payroll-b');
    const provider = world.provider();
    await expect(
      provider(createEvent(props({ ServiceName: 'evil-b', TaskDefinition: 'payroll-b' }), attacker)),
    ).rejects.toThrow(
      'TaskDefinition (payroll-b:1): stack attacker may not patch this task definition: the revision has no mesh-service:allowed-stacks tag naming the stack',
    );
    expect(mutatingCalls(world.emulator)).toEqual([]);
    expect(revisions(world.emulator, 'payroll-b')).toEqual(before);
  });

  test('WHEN a template names a revision by ARN, or an X-Ray daemon image of its own THEN both are refused', async () => {
    const arn = await payroll('payroll-c');
    const provider = world.provider();
    await expect(
      provider(
        createEvent(
          props({ ServiceName: 'evil-c', Versions: [{ Name: 'v1', TaskDefinition: arn }] }),
          attacker,
        ),
      ),
    ).rejects.toThrow(/^Versions\[0\]\.TaskDefinition \(payroll-c:1\): stack attacker may not patch/);
    const mine = await world.registerApp('attacker-own', {
      tags: [{ key: 'mesh-service:allowed-stacks', value: ATTACKER_STACK }],
    });
    world.emulator.clearRequests();
    await expect(
      provider(
        createEvent(
          props({
            ServiceName: 'evil-c2',
            TaskDefinition: mine,
            Envoy: {
              Tracing: { Provider: 'xray', DaemonImage: 'public.ecr.aws/xray/aws-xray-daemon-fork:1' },
            },
          }),
          attacker,
        ),
      ),
    ).rejects.toThrow(
      /^Envoy\.Tracing\.DaemonImage: "public\.ecr\.aws\/xray\/aws-xray-daemon-fork:1" is not AWS's X-Ray daemon image/,
    );
    expect(world.emulator.requests).toEqual([]);
  });

  test('WHEN someone registers a newer revision of a family granted to another stack THEN the owner still patches its own newest granted revision', async () => {
    const granted = await world.registerApp('shared-fam');
    // Anyone may register a revision in any family (ECS has no resource-level permission for it).
    await world.registerApp('shared-fam', {
      tags: [{ key: 'mesh-service:allowed-stacks', value: ATTACKER_STACK }],
      containerDefinitions: [
        {
          name: 'shared-fam',
          image: 'evil.example.com/other:1',
          essential: true,
          portMappings: [{ containerPort: 3000 }],
        },
      ],
    });
    const provider = world.provider();
    const result = await provider(
      createEvent(props({ ServiceName: 'shared-fam', TaskDefinition: 'shared-fam' })),
    );
    const patched = revisions(world.emulator, 'shared-fam').find(
      (r) => r.arn === result.Data!.TaskDefinitionArn,
    )!;
    expect(patched.task.tags).toContainEqual({ key: 'mesh-service:source-task-definition', value: granted });
    expect(JSON.stringify(patched.task.containerDefinitions)).not.toContain('evil.example.com');
  });
});

describe('GIVEN grants', () => {
  test('WHEN the tag names the stack by id (among other ids), or the family matches the policy THEN the stack may patch it', async () => {
    const byId = await world.registerApp('grant-by-id', {
      tags: [{ key: 'mesh-service:allowed-stacks', value: `${ATTACKER_STACK} ${STACK_ID}` }],
    });
    const byPattern = await world.registerApp('ci-built-web', { tags: undefined });
    const policy: ProviderPolicy = { ...DEFAULT_POLICY, taskFamilies: ['ci-built-*'] };
    const provider = world.provider({ policy });
    await expect(
      provider(createEvent(props({ ServiceName: 'grant-by-id', TaskDefinition: byId }))),
    ).resolves.toBeDefined();
    await expect(
      provider(createEvent(props({ ServiceName: 'ci-built-web', TaskDefinition: byPattern }))),
    ).resolves.toBeDefined();
    // The default policy allows no family pattern.
    await expect(
      world.provider()(createEvent(props({ ServiceName: 'ci-built-web-2', TaskDefinition: byPattern }))),
    ).rejects.toThrow(/may not patch this task definition/);
  });

  test('WHEN a revision grants a stack by name, and that stack is deleted and a new one takes its name THEN the new stack may not patch it', async () => {
    const cfn = world.emulator.cloudformation;
    const legacy = { stackId: cfn.stackId('legacy-app', world.emulator.accountId), logicalId: 'Legacy' };
    const td = await world.registerApp('legacy-app', {
      tags: [{ key: 'mesh-service:allowed-stacks', value: 'legacy-app' }],
    });
    const service = props({ ServiceName: 'legacy-app', TaskDefinition: td });
    // The stack the grant was written for goes away; anyone may then create a stack under its name.
    cfn.putStack({ stackId: legacy.stackId, stackStatus: 'CREATE_COMPLETE' });
    cfn.deleteStack(legacy.stackId);
    const newcomer = { stackId: cfn.stackId('legacy-app', world.emulator.accountId), logicalId: 'Legacy' };
    world.emulator.clearRequests();
    await expect(world.provider()(createEvent(service, newcomer))).rejects.toThrow(
      `TaskDefinition (legacy-app:1): stack legacy-app may not patch this task definition: its mesh-service:allowed-stacks tag names the stack by name only, and a name grants nothing (a stack created later under the same name would inherit it); tag the revision with mesh-service:allowed-stacks = ${newcomer.stackId}`,
    );
    expect(mutatingCalls(world.emulator)).toEqual([]);
  });

  test('WHEN a stack of another account has the same name as the granted stack THEN the name does not grant it', async () => {
    const td = await world.registerApp('name-only', {
      tags: [{ key: 'mesh-service:allowed-stacks', value: STACK_NAME }],
    });
    const foreign = `arn:aws:cloudformation:us-east-1:444455556666:stack/${STACK_NAME}/99999999-2222-3333-4444-555555555555`;
    const provider = world.provider({ policy: { ...DEFAULT_POLICY, invokerAccounts: ['444455556666'] } });
    await expect(
      provider(createEvent(props({ ServiceName: 'name-only', TaskDefinition: td }), { stackId: foreign })),
    ).rejects.toThrow(/stack workshop may not patch this task definition/);
  });
});

describe('GIVEN the roles a patched revision passes (iam:PassRole is limited to role patterns)', () => {
  test('WHEN the source revision passes a role outside the patterns THEN it is refused naming the role, before any change', async () => {
    const td = await world.registerApp('root-roles', {
      taskRoleArn: 'arn:aws:iam::111122223333:role/payroll-admin',
    });
    world.emulator.clearRequests();
    const provider = world.provider();
    await expect(
      provider(createEvent(props({ ServiceName: 'root-roles', TaskDefinition: td }))),
    ).rejects.toThrow(
      'TaskDefinition (root-roles:1): arn:aws:iam::111122223333:role/payroll-admin is outside the roles the provider may pass to ECS (role/mesh-service/*)',
    );
    expect(mutatingCalls(world.emulator)).toEqual([]);
  });

  test('WHEN the policy adds a pattern THEN roles matching it may be passed', async () => {
    const td = await world.registerApp('exec-role', {
      executionRoleArn: 'arn:aws:iam::111122223333:role/ecsTaskExecutionRole',
    });
    const provider = world.provider({
      policy: { ...DEFAULT_POLICY, passRoles: ['mesh-service/*', 'ecsTaskExecutionRole'] },
    });
    await expect(
      provider(createEvent(props({ ServiceName: 'exec-role', TaskDefinition: td }))),
    ).resolves.toBeDefined();
  });
});

describe('GIVEN the accounts allowed to use the provider', () => {
  const foreign =
    'arn:aws:cloudformation:us-east-1:999988887777:stack/outsider/99999999-2222-3333-4444-555555555555';

  test('WHEN a request names a stack of an account the provider does not serve THEN it is refused before any AWS call', async () => {
    const provider = world.provider();
    for (const event of [
      createEvent(props({ ServiceName: 'outsider' }), { stackId: foreign }),
      {
        ...createEvent(props({ ServiceName: 'outsider' }), { stackId: foreign }),
        RequestType: 'Delete',
        PhysicalResourceId: 'mesh/ecs-mesh/service/crystal',
      },
    ] as Parameters<typeof provider>[0][]) {
      await expect(provider(event)).rejects.toThrow(
        'stacks of account 999988887777 may not use this provider (it serves 111122223333); ask the platform team',
      );
    }
    expect(world.emulator.requests).toEqual([]);
  });

  test('WHEN the StackId is not a stack id, or names another Region THEN it is refused', async () => {
    const provider = world.provider();
    await expect(provider(createEvent(props({ ServiceName: 'x' }), { stackId: 'workshop' }))).rejects.toThrow(
      'StackId "workshop" is not a CloudFormation stack id; request refused',
    );
    await expect(
      provider(
        createEvent(props({ ServiceName: 'x' }), { stackId: STACK_ID.replace('us-east-1', 'eu-west-1') }),
      ),
    ).rejects.toThrow(/is in aws\/eu-west-1, but this provider serves aws\/us-east-1/);
    expect(world.emulator.requests).toEqual([]);
  });

  test('WHEN the account is listed, or the provider is shared organization-wide THEN it is served', async () => {
    for (const invokerAccounts of [['999988887777'], '*' as const]) {
      const provider = world.provider({ policy: { ...DEFAULT_POLICY, invokerAccounts } });
      await expect(
        provider(
          createEvent(props({ ServiceName: `outsider-${invokerAccounts === '*' ? 'org' : 'listed'}` }), {
            stackId: foreign,
          }),
        ),
      ).resolves.toBeDefined();
    }
  });
});

describe('GIVEN a task definition whose patched revision ECS would refuse (checked in the read phase)', () => {
  const app = (family: string, i: number) => ({
    name: `${family}-${i}`,
    image: `public.ecr.aws/aws-containers/${family}:latest`,
    essential: i === 0,
    memoryReservation: 32,
    portMappings: i === 0 ? [{ containerPort: 3000 }] : [],
  });

  test.each([
    [
      'ten containers (eleven with Envoy)',
      'too-many',
      { containerDefinitions: Array.from({ length: 10 }, (_, i) => app('too-many', i)) },
      /^TaskDefinition \(too-many:1\): the patched revision would have 11 containers \(the sidecars included\); ECS allows 10/,
    ],
    [
      'a 63 KiB command line (over 64 KiB with Envoy)',
      'too-big',
      { containerDefinitions: [{ ...app('too-big', 0), command: ['x'.repeat(63 * 1024)] }] },
      /^TaskDefinition \(too-big:1\): the patched revision would be a \d+-byte registration; ECS allows 65536/,
    ],
    [
      'forty-six tags of its own (over 50 with those the provider adds)',
      'too-tagged',
      {
        tags: [
          { key: 'mesh-service:allowed-stacks', value: STACK_ID },
          ...Array.from({ length: 45 }, (_, i) => ({ key: `t${i}`, value: 'v' })),
        ],
      },
      /^TaskDefinition \(too-tagged:1\): the patched revision would carry 53 tags/,
    ],
  ])(
    'WHEN the source has %s THEN it is refused before any change, naming the limit',
    async (_what, family, overrides, message) => {
      const td = await world.registerApp(family, overrides);
      world.emulator.clearRequests();
      await expect(
        world.provider()(createEvent(props({ ServiceName: family, TaskDefinition: td }))),
      ).rejects.toThrow(message);
      expect(mutatingCalls(world.emulator)).toEqual([]);
    },
  );
});

describe('GIVEN MeshOwner (the account whose mesh the service joins)', () => {
  const outsider = '444455556666';

  test('WHEN it names an account the policy does not list as sharing meshes THEN Create, Update and Delete are refused before any AWS call', async () => {
    const service = props({ ServiceName: 'elsewhere', MeshOwner: outsider });
    const id = `mesh/ecs-mesh@${outsider}/service/elsewhere`;
    const refusal =
      "MeshOwner: account 444455556666 is not one whose meshes this provider may use (its own account 111122223333); use a mesh of 111122223333, or ask the platform team to add 444455556666 to the provider's context sharedMeshOwnerAccountIds";
    world.emulator.clearRequests();
    const provider = world.provider();
    await expect(provider(createEvent(service))).rejects.toThrow(refusal);
    await expect(provider(updateEvent(id, service, service))).rejects.toThrow(refusal);
    await expect(provider(deleteEvent(id, service))).rejects.toThrow(refusal);
    // A replacement into the other account's mesh, too.
    await expect(
      provider(updateEvent('mesh/ecs-mesh/service/elsewhere', service, props({ ServiceName: 'elsewhere' }))),
    ).rejects.toThrow(refusal);
    expect(world.emulator.requests).toEqual([]);
  });

  test("WHEN it names the provider's own account, or an account the policy lists THEN it is served", async () => {
    await seedPlatform(world.emulator, { meshOwner: outsider });
    const own = props({ ServiceName: 'own-owner', MeshOwner: world.emulator.accountId });
    const shared = props({ ServiceName: 'shared-owner', MeshOwner: outsider });
    const provider = world.provider({ policy: { ...DEFAULT_POLICY, sharedMeshOwners: [outsider] } });
    for (const service of [own, shared]) {
      const { PhysicalResourceId: id } = await provider(createEvent(service));
      await provider(deleteEvent(id, service));
    }
    expect(policyFromEnvironment({ MESH_SERVICE_SHARED_MESH_OWNERS: ` ${outsider}, 333333333333` })).toEqual(
      expect.objectContaining({ sharedMeshOwners: [outsider, '333333333333'] }),
    );
    expect(() => policyFromEnvironment({ MESH_SERVICE_SHARED_MESH_OWNERS: 'mesh-owner' })).toThrow(
      'the provider is misconfigured: MESH_SERVICE_SHARED_MESH_OWNERS holds "mesh-owner", not a 12-digit account id',
    );
  });
});
