/**
 * CloudFormation read API semantics through the real @aws-sdk/client-cloudformation, configured only from
 * emulator.env() (AWS_ENDPOINT_URL_CLOUDFORMATION): live, deleted and unknown stacks and resources, names versus
 * stack ids, accounts, pagination and the validation CloudFormation applies.
 */
import {
  CloudFormationClient,
  DescribeStackResourceCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  ListStackResourcesCommand,
  ListStacksCommand,
  paginateListStackResources,
  type StackStatus,
} from '@aws-sdk/client-cloudformation';
import { stackId } from '../../emulator';
import { failureOf, OTHER_ACCOUNT, useEmulator } from './helpers';

const ctx = useEmulator();

let cfn: CloudFormationClient;
let other: CloudFormationClient;
beforeAll(() => {
  cfn = new CloudFormationClient({ maxAttempts: 1 });
  const env = ctx.emulator.env(OTHER_ACCOUNT);
  other = new CloudFormationClient({
    maxAttempts: 1,
    credentials: {
      accessKeyId: env.AWS_ACCESS_KEY_ID ?? '',
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '',
    },
  });
});
afterAll(() => {
  cfn.destroy();
  other.destroy();
});

type CfnError = Error & { $metadata?: { httpStatusCode?: number }; Type?: string; Code?: string };

async function validationError(call: Promise<unknown>): Promise<CfnError> {
  const error = (await failureOf(call)) as CfnError;
  expect(error.name).toBe('ValidationError');
  expect(error.$metadata?.httpStatusCode).toBe(400);
  expect(error.Type).toBe('Sender');
  return error;
}

const SERVICE = {
  logicalResourceId: 'Frontend',
  resourceType: 'Custom::MeshService',
  resourceStatus: 'CREATE_IN_PROGRESS',
} as const;

/** A stack `app` of the emulator's account, creating its custom resource. */
function appStack(name = 'app') {
  const id = ctx.emulator.cloudformation.stackId(name);
  ctx.emulator.cloudformation.putStack({
    stackId: id,
    stackStatus: 'CREATE_IN_PROGRESS',
    resources: [
      SERVICE,
      {
        logicalResourceId: 'TaskDef',
        resourceType: 'AWS::ECS::TaskDefinition',
        physicalResourceId: 'arn:aws:ecs:us-east-1:111122223333:task-definition/web:1',
        resourceStatus: 'CREATE_COMPLETE',
      },
    ],
  });
  return id;
}

describe('DescribeStacks', () => {
  test('GIVEN a live stack WHEN described by stack id and by name THEN both answer it, with the members CloudFormation fills', async () => {
    const id = appStack();
    const byId = await cfn.send(new DescribeStacksCommand({ StackName: id }));
    const byName = await cfn.send(new DescribeStacksCommand({ StackName: 'app' }));
    expect(byName.Stacks).toEqual(byId.Stacks);
    const [stack] = byId.Stacks ?? [];
    expect(stack).toEqual({
      StackId: id,
      StackName: 'app',
      CreationTime: expect.any(Date),
      StackStatus: 'CREATE_IN_PROGRESS',
      RollbackConfiguration: {},
      DisableRollback: false,
      NotificationARNs: [],
      Tags: [],
      EnableTerminationProtection: false,
      DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
    });
    expect(Math.abs((stack?.CreationTime?.getTime() ?? 0) - Date.now())).toBeLessThan(10_000);
  });

  test('GIVEN a deleted stack THEN its stack id still describes it as DELETE_COMPLETE with DeletionTime, and its name no longer does', async () => {
    const id = appStack();
    ctx.emulator.cloudformation.deleteStack(id);
    const [stack] = (await cfn.send(new DescribeStacksCommand({ StackName: id }))).Stacks ?? [];
    expect(stack?.StackStatus).toBe('DELETE_COMPLETE');
    expect(stack?.DeletionTime).toEqual(expect.any(Date));
    const error = await validationError(cfn.send(new DescribeStacksCommand({ StackName: 'app' })));
    expect(error.message).toBe('Stack with id app does not exist');
  });

  test('GIVEN a stack deleted and re-created under the same name THEN the name finds the new one and the old id the deleted one', async () => {
    const old = appStack();
    ctx.emulator.cloudformation.deleteStack(old);
    const fresh = appStack();
    expect(fresh).not.toBe(old);
    const byName = await cfn.send(new DescribeStacksCommand({ StackName: 'app' }));
    expect(byName.Stacks?.map((s) => [s.StackId, s.StackStatus])).toEqual([[fresh, 'CREATE_IN_PROGRESS']]);
    const byOldId = await cfn.send(new DescribeStacksCommand({ StackName: old }));
    expect(byOldId.Stacks?.map((s) => s.StackStatus)).toEqual(['DELETE_COMPLETE']);
  });

  test('GIVEN an unknown name or stack id THEN ValidationError "Stack with id <StackName> does not exist"', async () => {
    const unknownId = stackId('ghost');
    expect((await validationError(cfn.send(new DescribeStacksCommand({ StackName: 'ghost' })))).message).toBe(
      'Stack with id ghost does not exist',
    );
    expect(
      (await validationError(cfn.send(new DescribeStacksCommand({ StackName: unknownId })))).message,
    ).toBe(`Stack with id ${unknownId} does not exist`);
  });

  test('GIVEN no StackName THEN the live stacks of the caller account, newest first, without deleted ones or other accounts', async () => {
    const a = appStack('a');
    const b = appStack('b');
    const gone = appStack('gone');
    ctx.emulator.cloudformation.deleteStack(gone);
    ctx.emulator.cloudformation.putStack({
      stackId: ctx.emulator.cloudformation.stackId('theirs', OTHER_ACCOUNT),
      stackStatus: 'CREATE_COMPLETE',
    });
    const listed = await cfn.send(new DescribeStacksCommand({}));
    expect(listed.Stacks?.map((s) => s.StackId)).toEqual([b, a]);
    expect(listed.NextToken).toBeUndefined();
  });

  test("GIVEN another account's stack THEN neither its id nor its name is visible: the same error as an unknown stack", async () => {
    const theirs = ctx.emulator.cloudformation.stackId('theirs', OTHER_ACCOUNT);
    ctx.emulator.cloudformation.putStack({ stackId: theirs, stackStatus: 'CREATE_COMPLETE' });
    expect((await validationError(cfn.send(new DescribeStacksCommand({ StackName: theirs })))).message).toBe(
      `Stack with id ${theirs} does not exist`,
    );
    await validationError(cfn.send(new DescribeStacksCommand({ StackName: 'theirs' })));
    const seen = await other.send(new DescribeStacksCommand({ StackName: theirs }));
    expect(seen.Stacks?.map((s) => s.StackName)).toEqual(['theirs']);
  });

  test('GIVEN an UPDATE_* status set on a stack THEN LastUpdatedTime appears and StackStatusReason is answered', async () => {
    const id = appStack();
    ctx.emulator.cloudformation.setStackStatus(id, 'UPDATE_ROLLBACK_IN_PROGRESS', 'Resource Frontend failed');
    const [stack] = (await cfn.send(new DescribeStacksCommand({ StackName: id }))).Stacks ?? [];
    expect(stack?.StackStatus).toBe('UPDATE_ROLLBACK_IN_PROGRESS');
    expect(stack?.StackStatusReason).toBe('Resource Frontend failed');
    expect(stack?.LastUpdatedTime).toEqual(expect.any(Date));
  });
});

describe('DescribeStackResource', () => {
  test('GIVEN a stack creating a custom resource WHEN its logical id is described by stack id THEN the detail comes back without a physical id yet', async () => {
    const id = appStack();
    const { StackResourceDetail: detail } = await cfn.send(
      new DescribeStackResourceCommand({ StackName: id, LogicalResourceId: 'Frontend' }),
    );
    expect(detail).toEqual({
      StackName: 'app',
      StackId: id,
      LogicalResourceId: 'Frontend',
      ResourceType: 'Custom::MeshService',
      LastUpdatedTimestamp: expect.any(Date),
      ResourceStatus: 'CREATE_IN_PROGRESS',
      DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' },
    });
    const taskDef = await cfn.send(
      new DescribeStackResourceCommand({ StackName: 'app', LogicalResourceId: 'TaskDef' }),
    );
    expect(taskDef.StackResourceDetail?.PhysicalResourceId).toBe(
      'arn:aws:ecs:us-east-1:111122223333:task-definition/web:1',
    );
  });

  test('GIVEN an unknown logical id THEN ValidationError "Resource <id> does not exist for stack <StackName>"', async () => {
    const id = appStack();
    const byId = await validationError(
      cfn.send(new DescribeStackResourceCommand({ StackName: id, LogicalResourceId: 'Nope' })),
    );
    expect(byId.message).toBe(`Resource Nope does not exist for stack ${id}`);
    const byName = await validationError(
      cfn.send(new DescribeStackResourceCommand({ StackName: 'app', LogicalResourceId: 'Nope' })),
    );
    expect(byName.message).toBe('Resource Nope does not exist for stack app');
  });

  test("GIVEN an unknown stack, a deleted stack by name, or another account's stack THEN ValidationError \"Stack '<StackName>' does not exist\"", async () => {
    const id = appStack();
    ctx.emulator.cloudformation.deleteStack(id);
    const theirs = ctx.emulator.cloudformation.stackId('theirs', OTHER_ACCOUNT);
    ctx.emulator.cloudformation.putStack({
      stackId: theirs,
      stackStatus: 'CREATE_COMPLETE',
      resources: [SERVICE],
    });
    for (const StackName of ['ghost', 'app', theirs]) {
      const error = await validationError(
        cfn.send(new DescribeStackResourceCommand({ StackName, LogicalResourceId: 'Frontend' })),
      );
      expect(error.message).toBe(`Stack '${StackName}' does not exist`);
    }
  });

  test('GIVEN a deleted stack WHEN a resource is described by stack id THEN it is DELETE_COMPLETE', async () => {
    const id = appStack();
    ctx.emulator.cloudformation.deleteStack(id);
    const { StackResourceDetail: detail } = await cfn.send(
      new DescribeStackResourceCommand({ StackName: id, LogicalResourceId: 'Frontend' }),
    );
    expect(detail?.ResourceStatus).toBe('DELETE_COMPLETE');
  });

  test('GIVEN no LogicalResourceId THEN the model-required member is refused, named as CloudFormation names members', async () => {
    const error = await validationError(
      cfn.send(new DescribeStackResourceCommand({ StackName: 'app' } as never)),
    );
    expect(error.message).toBe(
      "1 validation error detected: Value null at 'logicalResourceId' failed to satisfy constraint: Member must not be null",
    );
  });
});

describe('DescribeStackResources', () => {
  test('GIVEN StackName THEN every resource of the stack, each with its stack, and LogicalResourceId filters', async () => {
    const id = appStack();
    const all = await cfn.send(new DescribeStackResourcesCommand({ StackName: 'app' }));
    expect(
      all.StackResources?.map((r) => [r.StackId, r.LogicalResourceId, r.Timestamp instanceof Date]),
    ).toEqual([
      [id, 'Frontend', true],
      [id, 'TaskDef', true],
    ]);
    const one = await cfn.send(
      new DescribeStackResourcesCommand({ StackName: id, LogicalResourceId: 'TaskDef' }),
    );
    expect(one.StackResources?.map((r) => r.LogicalResourceId)).toEqual(['TaskDef']);
  });

  test('GIVEN PhysicalResourceId THEN the resources of the stack holding it', async () => {
    const id = appStack();
    const found = await cfn.send(
      new DescribeStackResourcesCommand({
        PhysicalResourceId: 'arn:aws:ecs:us-east-1:111122223333:task-definition/web:1',
      }),
    );
    expect(new Set(found.StackResources?.map((r) => r.StackId))).toEqual(new Set([id]));
    expect(found.StackResources).toHaveLength(2);
  });

  test('GIVEN both StackName and PhysicalResourceId, or neither THEN ValidationError', async () => {
    appStack();
    await validationError(
      cfn.send(new DescribeStackResourcesCommand({ StackName: 'app', PhysicalResourceId: 'x' })),
    );
    await validationError(cfn.send(new DescribeStackResourcesCommand({})));
  });

  test('GIVEN an unknown stack THEN "Stack with id <StackName> does not exist"', async () => {
    const error = await validationError(cfn.send(new DescribeStackResourcesCommand({ StackName: 'ghost' })));
    expect(error.message).toBe('Stack with id ghost does not exist');
  });
});

describe('ListStackResources', () => {
  test('GIVEN 205 resources THEN they come in pages of 100 with NextToken, in logical-id order, all of them once', async () => {
    const id = ctx.emulator.cloudformation.stackId('big');
    const resources = Array.from({ length: 205 }, (_, i) => ({
      logicalResourceId: `R${String(i).padStart(3, '0')}`,
      resourceType: 'AWS::SNS::Topic',
      physicalResourceId: `topic-${i}`,
      resourceStatus: 'CREATE_COMPLETE',
    }));
    ctx.emulator.cloudformation.putStack({ stackId: id, stackStatus: 'CREATE_COMPLETE', resources });
    const pages: number[] = [];
    const seen: string[] = [];
    for await (const page of paginateListStackResources({ client: cfn }, { StackName: 'big' })) {
      pages.push(page.StackResourceSummaries?.length ?? 0);
      seen.push(...(page.StackResourceSummaries ?? []).map((r) => r.LogicalResourceId ?? ''));
    }
    expect(pages).toEqual([100, 100, 5]);
    expect(seen).toEqual(resources.map((r) => r.logicalResourceId));
  });

  test('GIVEN a deleted stack THEN its id lists its resources as DELETE_COMPLETE, and its name is unknown', async () => {
    const id = appStack();
    ctx.emulator.cloudformation.deleteStack(id);
    const listed = await cfn.send(new ListStackResourcesCommand({ StackName: id }));
    expect(listed.StackResourceSummaries?.map((r) => [r.LogicalResourceId, r.ResourceStatus])).toEqual([
      ['Frontend', 'DELETE_COMPLETE'],
      ['TaskDef', 'DELETE_COMPLETE'],
    ]);
    const error = await validationError(cfn.send(new ListStackResourcesCommand({ StackName: 'app' })));
    expect(error.message).toBe('Stack with id app does not exist');
  });

  test('GIVEN a NextToken the emulator never issued THEN ValidationError', async () => {
    appStack();
    await validationError(cfn.send(new ListStackResourcesCommand({ StackName: 'app', NextToken: 'forged' })));
  });
});

describe('ListStacks', () => {
  test('GIVEN live and deleted stacks THEN all are listed newest first, and StackStatusFilter selects', async () => {
    const a = appStack('a');
    const b = appStack('b');
    ctx.emulator.cloudformation.deleteStack(a);
    const all = await cfn.send(new ListStacksCommand({}));
    expect(all.StackSummaries?.map((s) => [s.StackId, s.StackStatus])).toEqual([
      [b, 'CREATE_IN_PROGRESS'],
      [a, 'DELETE_COMPLETE'],
    ]);
    expect(all.StackSummaries?.[1]?.DeletionTime).toEqual(expect.any(Date));
    const deleted = await cfn.send(new ListStacksCommand({ StackStatusFilter: ['DELETE_COMPLETE'] }));
    expect(deleted.StackSummaries?.map((s) => s.StackId)).toEqual([a]);
    const none = await other.send(new ListStacksCommand({}));
    expect(none.StackSummaries).toEqual([]);
  });

  test('GIVEN a status filter value the model does not list THEN ValidationError naming the enum', async () => {
    const error = await validationError(
      cfn.send(new ListStacksCommand({ StackStatusFilter: ['DONE' as StackStatus] })),
    );
    expect(error.message).toContain("Value 'DONE' at 'stackStatusFilter[0]' failed to satisfy constraint");
    expect(error.message).toContain('Member must satisfy enum value set: [CREATE_IN_PROGRESS,');
  });
});

describe('StackName validation (CloudFormation constraints the model does not carry)', () => {
  test("GIVEN StackName 'test-1.2.3' THEN the stack-name pattern is refused, matched against the whole value", async () => {
    const error = await validationError(cfn.send(new DescribeStacksCommand({ StackName: 'test-1.2.3' })));
    expect(error.message).toBe(
      "1 validation error detected: Value 'test-1.2.3' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*|arn:[-a-zA-Z0-9:/._+]*",
    );
  });

  test('GIVEN an empty StackName THEN two validation errors, pattern and length', async () => {
    const error = await validationError(
      cfn.send(new DescribeStackResourceCommand({ StackName: '', LogicalResourceId: 'Frontend' })),
    );
    expect(error.message).toBe(
      "2 validation errors detected: Value '' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*|arn:[-a-zA-Z0-9:/._+]*; Value '' at 'stackName' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });

  test('GIVEN a NextToken longer than the model allows THEN the length constraint is refused', async () => {
    const error = await validationError(cfn.send(new ListStacksCommand({ NextToken: 'x'.repeat(1025) })));
    expect(error.message).toContain(
      "at 'nextToken' failed to satisfy constraint: Member must have length less than or equal to 1024",
    );
  });
});
