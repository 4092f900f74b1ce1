/**
 * CloudFormation on the wire: the AWS query protocol the real client sends (captured from the client itself), the
 * XML answers and errors, routing next to App Mesh and ECS on one port, the control surface (in process and over
 * HTTP), snapshot/reset, and faults applied to CloudFormation calls.
 */
import { CreateMeshCommand } from '@aws-sdk/client-app-mesh';
import {
  CloudFormationClient,
  DescribeStackResourceCommand,
  DescribeStacksCommand,
  paginateDescribeStacks,
} from '@aws-sdk/client-cloudformation';
import { ListTaskDefinitionsCommand } from '@aws-sdk/client-ecs';
import type { HttpRequest } from '@smithy/types';
import { startEmulator } from '../../emulator';
import { failureOf, fakeSigV4, OTHER_ACCOUNT, rawRequest, useEmulator } from './helpers';

const ctx = useEmulator();

const NS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';

let cfn: CloudFormationClient;
beforeAll(() => {
  cfn = new CloudFormationClient({ maxAttempts: 1 });
});
afterAll(() => cfn.destroy());

interface RawXml {
  status: number;
  headers: Headers;
  text: string;
}

/** A query-protocol request made by hand. */
async function rawQuery(
  params: Record<string, string>,
  init: { sign?: boolean; contentType?: string } = {},
): Promise<RawXml> {
  const headers: Record<string, string> = {
    'content-type': init.contentType ?? 'application/x-www-form-urlencoded; charset=utf-8',
  };
  if (init.sign !== false) headers.authorization = fakeSigV4();
  const response = await fetch(`${ctx.emulator.url}/`, {
    method: 'POST',
    headers,
    body: new URLSearchParams(params).toString(),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

const tag = (xml: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];

describe('the protocol the client really sends', () => {
  test('GIVEN @aws-sdk/client-cloudformation WHEN it sends DescribeStacks THEN it is the AWS query protocol: a form-encoded POST / with Action and Version', async () => {
    let sent: HttpRequest | undefined;
    const client = new CloudFormationClient({ maxAttempts: 1 });
    client.middlewareStack.add(
      (next) => async (args) => {
        sent = args.request as HttpRequest;
        return next(args);
      },
      { step: 'finalizeRequest', name: 'captureRequest' },
    );
    try {
      await failureOf(client.send(new DescribeStacksCommand({ StackName: 'app' })));
    } finally {
      client.destroy();
    }
    expect(sent?.method).toBe('POST');
    expect(sent?.path).toBe('/');
    expect(sent?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(sent?.headers['x-amz-target']).toBeUndefined();
    expect(String(sent?.body)).toBe('Action=DescribeStacks&Version=2010-05-15&StackName=app');
  });
});

describe('answers', () => {
  test('GIVEN a stack WHEN DescribeStacks is posted raw THEN 200 text/xml <DescribeStacksResponse> with the result wrapper, members, ISO 8601 times and the request id of the header', async () => {
    const id = ctx.emulator.cloudformation.stackId('app');
    ctx.emulator.cloudformation.putStack({ stackId: id, stackStatus: 'CREATE_COMPLETE' });
    const response = await rawQuery({ Action: 'DescribeStacks', Version: '2010-05-15', StackName: id });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/xml');
    expect(
      response.text.startsWith(
        `<DescribeStacksResponse xmlns="${NS}"><DescribeStacksResult><Stacks><member>`,
      ),
    ).toBe(true);
    expect(tag(response.text, 'StackId')).toBe(id);
    expect(tag(response.text, 'StackStatus')).toBe('CREATE_COMPLETE');
    expect(tag(response.text, 'CreationTime')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(response.text).toContain('<NotificationARNs/>');
    expect(tag(response.text, 'RequestId')).toBe(response.headers.get('x-amzn-requestid'));
  });

  test('GIVEN an error THEN text/xml <ErrorResponse> with Type Sender, Code, Message and RequestId, HTTP 400, and the SDK surfaces them', async () => {
    const raw = await rawQuery({ Action: 'DescribeStacks', Version: '2010-05-15', StackName: 'ghost' });
    expect(raw.status).toBe(400);
    expect(raw.headers.get('content-type')).toBe('text/xml');
    expect(raw.text).toMatch(
      new RegExp(
        `^<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>ValidationError</Code>` +
          '<Message>Stack with id ghost does not exist</Message></Error><RequestId>[0-9a-f-]{36}</RequestId></ErrorResponse>',
      ),
    );
    const error = (await failureOf(cfn.send(new DescribeStacksCommand({ StackName: 'ghost' })))) as Error & {
      Type?: string;
      Code?: string;
      $metadata?: { requestId?: string };
    };
    expect([error.name, error.Code, error.Type, error.message]).toEqual([
      'ValidationError',
      'ValidationError',
      'Sender',
      'Stack with id ghost does not exist',
    ]);
    expect(error.$metadata?.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('GIVEN text that must be escaped in a physical id THEN it survives the XML round trip', async () => {
    const id = ctx.emulator.cloudformation.stackId('app');
    ctx.emulator.cloudformation.putStack({
      stackId: id,
      stackStatus: 'CREATE_COMPLETE',
      resources: [
        {
          logicalResourceId: 'Odd',
          resourceType: 'Custom::Thing',
          physicalResourceId: `a<b>&"c'`,
          resourceStatus: 'CREATE_COMPLETE',
        },
      ],
    });
    const { StackResourceDetail } = await cfn.send(
      new DescribeStackResourceCommand({ StackName: id, LogicalResourceId: 'Odd' }),
    );
    expect(StackResourceDetail?.PhysicalResourceId).toBe(`a<b>&"c'`);
  });

  test('GIVEN 150 live stacks WHEN DescribeStacks pages THEN 100 then 50, each stack once', async () => {
    for (let i = 0; i < 150; i++) {
      ctx.emulator.cloudformation.putStack({
        stackId: ctx.emulator.cloudformation.stackId(`s${i}`),
        stackStatus: 'CREATE_COMPLETE',
      });
    }
    const pages: string[][] = [];
    for await (const page of paginateDescribeStacks({ client: cfn }, {})) {
      pages.push((page.Stacks ?? []).map((s) => s.StackName ?? ''));
    }
    expect(pages.map((p) => p.length)).toEqual([100, 50]);
    expect(new Set(pages.flat()).size).toBe(150);
    expect(pages[0]?.[0]).toBe('s149');
  });
});

describe('protocol errors', () => {
  test.each([
    [{ Version: '2010-05-15' }, 'MissingAction'],
    [{ Action: 'DescribeStacks' }, 'MissingParameter'],
    [{ Action: 'CreateStack', Version: '2010-05-15' }, 'InvalidAction'],
    [{ Action: 'DescribeStacks', Version: '2009-01-01' }, 'InvalidAction'],
  ])('GIVEN %j THEN 400 %s', async (params, code) => {
    const raw = await rawQuery(params);
    expect(raw.status).toBe(400);
    expect(tag(raw.text, 'Code')).toBe(code);
  });

  test('GIVEN an unknown Action THEN the log names it', async () => {
    await rawQuery({ Action: 'CreateStack', Version: '2010-05-15' });
    expect(ctx.emulator.requests.map((r) => [r.service, r.operation, r.error])).toEqual([
      ['cloudformation', 'CreateStack', 'InvalidAction'],
    ]);
  });

  test('GIVEN no Authorization header THEN 403 MissingAuthenticationToken (the query spelling)', async () => {
    const raw = await rawQuery({ Action: 'ListStacks', Version: '2010-05-15' }, { sign: false });
    expect(raw.status).toBe(403);
    expect(tag(raw.text, 'Code')).toBe('MissingAuthenticationToken');
  });

  test('GIVEN a parameter the operation does not have THEN ValidationError naming it', async () => {
    const raw = await rawQuery({ Action: 'ListStacks', Version: '2010-05-15', Colour: 'red' });
    expect(raw.status).toBe(400);
    expect(tag(raw.text, 'Code')).toBe('ValidationError');
    expect(tag(raw.text, 'Message')).toContain("Unknown parameter 'Colour'");
  });

  test('GIVEN list members and an empty list as the query protocol encodes them THEN they are bound to the list', async () => {
    const id = ctx.emulator.cloudformation.stackId('app');
    ctx.emulator.cloudformation.putStack({ stackId: id, stackStatus: 'CREATE_COMPLETE' });
    const filtered = await rawQuery({
      Action: 'ListStacks',
      Version: '2010-05-15',
      'StackStatusFilter.member.1': 'DELETE_COMPLETE',
      'StackStatusFilter.member.2': 'CREATE_COMPLETE',
    });
    expect(tag(filtered.text, 'StackId')).toBe(id);
    const empty = await rawQuery({ Action: 'ListStacks', Version: '2010-05-15', StackStatusFilter: '' });
    expect(tag(empty.text, 'StackId')).toBe(id);
    expect(ctx.emulator.requests.map((r) => r.input)).toEqual([
      { StackStatusFilter: ['DELETE_COMPLETE', 'CREATE_COMPLETE'] },
      { StackStatusFilter: [] },
    ]);
  });
});

describe('one port, three protocols', () => {
  test('GIVEN App Mesh, ECS and CloudFormation calls on one port THEN each reaches its service', async () => {
    await ctx.appmesh.send(new CreateMeshCommand({ meshName: 'm' }));
    await ctx.ecs.send(new ListTaskDefinitionsCommand({}));
    await cfn.send(new DescribeStacksCommand({}));
    expect(ctx.emulator.requests.map((r) => [r.service, r.operation, r.status])).toEqual([
      ['appmesh', 'CreateMesh', 200],
      ['ecs', 'ListTaskDefinitions', 200],
      ['cloudformation', 'DescribeStacks', 200],
    ]);
  });

  test('GIVEN a form-encoded POST that is not to / THEN it is not CloudFormation (App Mesh answers 404)', async () => {
    const response = await rawRequest(ctx.emulator, {
      method: 'POST',
      path: '/v20190125/meshes',
      body: 'Action=DescribeStacks&Version=2010-05-15',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(response.status).toBe(404);
    expect(ctx.emulator.requests.at(-1)?.service).toBe('appmesh');
  });
});

describe('control', () => {
  test('GIVEN putStack, putStackResource, setStackStatus and deleteStack THEN the snapshot shows the stack and its resources, and reset() wipes them', () => {
    const cf = ctx.emulator.cloudformation;
    const id = cf.stackId('app');
    expect(id).toMatch(/^arn:aws:cloudformation:us-east-1:111122223333:stack\/app\/[0-9a-f-]{36}$/);
    cf.putStack({ stackId: id, stackStatus: 'CREATE_IN_PROGRESS' });
    cf.putStackResource(id, {
      logicalResourceId: 'Frontend',
      resourceType: 'Custom::MeshService',
      resourceStatus: 'CREATE_IN_PROGRESS',
    });
    cf.putStackResource(id, {
      logicalResourceId: 'Frontend',
      resourceType: 'Custom::MeshService',
      physicalResourceId: 'mesh/ecs-mesh/service/web',
      resourceStatus: 'CREATE_COMPLETE',
    });
    cf.setStackStatus(id, 'CREATE_COMPLETE');
    let [stack] = ctx.emulator.snapshot().cloudformation.stacks;
    expect(stack).toMatchObject({
      StackId: id,
      StackName: 'app',
      StackStatus: 'CREATE_COMPLETE',
      CreationTime: expect.any(Number),
      Resources: [
        {
          LogicalResourceId: 'Frontend',
          PhysicalResourceId: 'mesh/ecs-mesh/service/web',
          ResourceType: 'Custom::MeshService',
          ResourceStatus: 'CREATE_COMPLETE',
          LastUpdatedTimestamp: expect.any(Number),
        },
      ],
    });
    expect(stack?.LastUpdatedTime).toBeUndefined();
    cf.deleteStack(id);
    [stack] = ctx.emulator.snapshot().cloudformation.stacks;
    expect(stack?.StackStatus).toBe('DELETE_COMPLETE');
    expect(stack?.DeletionTime).toEqual(expect.any(Number));
    expect(stack?.Resources.map((r) => r.ResourceStatus)).toEqual(['DELETE_COMPLETE']);
    ctx.emulator.reset();
    expect(ctx.emulator.snapshot().cloudformation.stacks).toEqual([]);
  });

  test('GIVEN the standalone stackId() THEN a realistic id, a new one each time', () => {
    const { stackId } = jest.requireActual<typeof import('../../emulator')>('../../emulator');
    const a = stackId('web', OTHER_ACCOUNT, 'eu-west-1');
    expect(a).toMatch(/^arn:aws:cloudformation:eu-west-1:444455556666:stack\/web\/[0-9a-f-]{36}$/);
    expect(stackId('web', OTHER_ACCOUNT, 'eu-west-1')).not.toBe(a);
    expect(stackId('web', OTHER_ACCOUNT, 'cn-north-1')).toMatch(/^arn:aws-cn:/);
    expect(stackId('web')).toMatch(/^arn:aws:cloudformation:us-east-1:111122223333:stack\/web\//);
  });

  test.each([
    ['a status the model does not list', { stackStatus: 'DONE' }, "stackStatus 'DONE' is not one of"],
    ['a malformed stack id', { stackId: 'app' }, 'is not a stack id'],
    [
      'a stack id of another region',
      { stackId: 'arn:aws:cloudformation:eu-west-1:111122223333:stack/app/1' },
      "not in the emulator's region us-east-1",
    ],
    [
      'an invalid stack name',
      { stackId: 'arn:aws:cloudformation:us-east-1:111122223333:stack/1app/1' },
      'is not a CloudFormation stack name',
    ],
    [
      'a resource status the model does not list',
      { resources: [{ logicalResourceId: 'R', resourceType: 'AWS::SNS::Topic', resourceStatus: 'FINE' }] },
      "resourceStatus 'FINE' is not one of",
    ],
  ])('GIVEN putStack with %s THEN it throws', (_, change, message) => {
    const stack = {
      stackId: ctx.emulator.cloudformation.stackId('app'),
      stackStatus: 'CREATE_COMPLETE',
      ...change,
    };
    expect(() => ctx.emulator.cloudformation.putStack(stack)).toThrow(message);
    expect(ctx.emulator.snapshot().cloudformation.stacks).toEqual([]);
  });

  test('GIVEN a live stack named app WHEN another live stack of that name is put in the same account THEN it throws; once deleted, a new one may take the name', () => {
    const cf = ctx.emulator.cloudformation;
    const first = cf.stackId('app');
    cf.putStack({ stackId: first, stackStatus: 'CREATE_COMPLETE' });
    expect(() => cf.putStack({ stackId: cf.stackId('app'), stackStatus: 'CREATE_COMPLETE' })).toThrow(
      'already has a live stack named app',
    );
    cf.putStack({ stackId: cf.stackId('app', OTHER_ACCOUNT), stackStatus: 'CREATE_COMPLETE' });
    cf.deleteStack(first);
    cf.putStack({ stackId: cf.stackId('app'), stackStatus: 'CREATE_IN_PROGRESS' });
    expect(() => cf.setStackStatus(first, 'CREATE_COMPLETE')).toThrow('already has a live stack named app');
    expect(() => cf.deleteStack(cf.stackId('ghost'))).toThrow('no stack');
  });

  test('GIVEN the HTTP control WHEN stacks are put, changed and deleted THEN the API and GET /_emulator/stacks see them', async () => {
    const post = (path: string, body: unknown) =>
      rawRequest(ctx.emulator, { method: 'POST', path, body, sign: false });
    const created = await post('/_emulator/stacks', {
      stackName: 'app',
      stackStatus: 'CREATE_IN_PROGRESS',
      resources: [
        {
          logicalResourceId: 'Frontend',
          resourceType: 'Custom::MeshService',
          resourceStatus: 'CREATE_IN_PROGRESS',
        },
      ],
    });
    expect(created.status).toBe(200);
    const id = String(created.json.StackId);
    expect(id).toMatch(/:stack\/app\//);
    await post('/_emulator/stacks/resources', {
      stackId: id,
      logicalResourceId: 'Frontend',
      resourceType: 'Custom::MeshService',
      physicalResourceId: 'mesh/ecs-mesh/service/web',
      resourceStatus: 'CREATE_COMPLETE',
    });
    await post('/_emulator/stacks/status', { stackId: id, stackStatus: 'CREATE_COMPLETE' });
    const detail = await cfn.send(
      new DescribeStackResourceCommand({ StackName: id, LogicalResourceId: 'Frontend' }),
    );
    expect(detail.StackResourceDetail?.PhysicalResourceId).toBe('mesh/ecs-mesh/service/web');
    const deleted = await post('/_emulator/stacks/delete', { stackId: id });
    expect(deleted.json.StackStatus).toBe('DELETE_COMPLETE');
    const listed = await rawRequest(ctx.emulator, { method: 'GET', path: '/_emulator/stacks', sign: false });
    expect((listed.json.stacks as { StackStatus: string }[]).map((s) => s.StackStatus)).toEqual([
      'DELETE_COMPLETE',
    ]);
    const refused = await post('/_emulator/stacks', { stackId: id, stackStatus: 'NOPE' });
    expect(refused.status).toBe(400);
  });
});

describe('faults on CloudFormation calls', () => {
  test('GIVEN failNth(DescribeStacks, 1) THEN InternalFailure, HTTP 500, Type Receiver', async () => {
    ctx.emulator.faults.failNth('cloudformation:DescribeStacks', 1);
    const error = (await failureOf(cfn.send(new DescribeStacksCommand({})))) as Error & {
      Type?: string;
      $metadata?: { httpStatusCode?: number };
    };
    expect([error.name, error.Type, error.$metadata?.httpStatusCode]).toEqual([
      'InternalFailure',
      'Receiver',
      500,
    ]);
  });

  test('GIVEN a throttle bucket on DescribeStackResource THEN Throttling "Rate exceeded", HTTP 400, which the SDK retries', async () => {
    const id = ctx.emulator.cloudformation.stackId('app');
    ctx.emulator.cloudformation.putStack({
      stackId: id,
      stackStatus: 'CREATE_IN_PROGRESS',
      resources: [
        { logicalResourceId: 'F', resourceType: 'Custom::X', resourceStatus: 'CREATE_IN_PROGRESS' },
      ],
    });
    ctx.emulator.faults.throttle('cfn', {
      burst: 1,
      refillPerSecond: 0,
      operations: ['cloudformation:DescribeStackResource'],
    });
    const describe = (client: CloudFormationClient) =>
      client.send(new DescribeStackResourceCommand({ StackName: id, LogicalResourceId: 'F' }));
    await describe(cfn);
    const error = (await failureOf(describe(cfn))) as Error & { $metadata?: { httpStatusCode?: number } };
    expect([error.name, error.message, error.$metadata?.httpStatusCode]).toEqual([
      'Throttling',
      'Rate exceeded',
      400,
    ]);
    ctx.emulator.faults.throttle('cfn', {
      burst: 1,
      refillPerSecond: 20,
      operations: ['cloudformation:DescribeStackResource'],
    });
    const patient = new CloudFormationClient({ maxAttempts: 10 });
    try {
      await Promise.all([describe(patient), describe(patient), describe(patient)]);
    } finally {
      patient.destroy();
    }
  });

  test('GIVEN hangNth on DescribeStacks THEN a client with a request timeout gets TimeoutError', async () => {
    ctx.emulator.faults.hangNth('DescribeStacks', 1);
    const client = new CloudFormationClient({
      maxAttempts: 1,
      requestHandler: { requestTimeout: 300, throwOnRequestTimeout: true },
    });
    try {
      expect((await failureOf(client.send(new DescribeStacksCommand({})))).name).toBe('TimeoutError');
    } finally {
      client.destroy();
    }
    expect(ctx.emulator.requests.map((r) => [r.service, r.operation, r.error])).toEqual([
      ['cloudformation', 'DescribeStacks', 'Hung'],
    ]);
  });

  test('GIVEN throttlePreset("cloudformation") (none is published) THEN it is refused', () => {
    expect(() => ctx.emulator.faults.throttlePreset('cloudformation' as never)).toThrow(RangeError);
  });
});

describe('env()', () => {
  test('GIVEN a client configured only from env() THEN AWS_ENDPOINT_URL_CLOUDFORMATION points it at the emulator', async () => {
    const own = await startEmulator({ region: 'eu-west-1', accountId: '123456789012' });
    const saved = { ...process.env };
    try {
      Object.assign(process.env, own.env());
      expect(own.env().AWS_ENDPOINT_URL_CLOUDFORMATION).toBe(own.url);
      own.cloudformation.putStack({
        stackId: own.cloudformation.stackId('app'),
        stackStatus: 'CREATE_COMPLETE',
      });
      const client = new CloudFormationClient({});
      try {
        const { Stacks } = await client.send(new DescribeStacksCommand({}));
        expect(Stacks?.map((s) => s.StackId)).toEqual([
          expect.stringMatching(/^arn:aws:cloudformation:eu-west-1:123456789012:stack\/app\//),
        ]);
      } finally {
        client.destroy();
      }
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
      await own.close();
    }
  });
});
