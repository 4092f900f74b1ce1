/**
 * Cloud Map namespaces through the real @aws-sdk/client-servicediscovery: the wire protocol (JSON 1.1, target prefix
 * Route53AutoNaming_v20170314), model validation, asynchronous operations, filters, tags and errors.
 */
import {
  CreateHttpNamespaceCommand,
  DeleteNamespaceCommand,
  GetNamespaceCommand,
  GetOperationCommand,
  ListNamespacesCommand,
  ListTagsForResourceCommand,
  ServiceDiscoveryClient,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-servicediscovery';
import { type Emulator, startEmulator } from '../../emulator';
import { failureOf, useEmulator } from './helpers';

const ctx = useEmulator();
let sd: ServiceDiscoveryClient;
beforeAll(() => {
  sd = new ServiceDiscoveryClient({});
});
afterAll(() => sd.destroy());

async function create(name: string, extra: Record<string, unknown> = {}) {
  const { OperationId } = await sd.send(new CreateHttpNamespaceCommand({ Name: name, ...extra }));
  const op = await sd.send(new GetOperationCommand({ OperationId: OperationId! }));
  return { operationId: OperationId!, id: op.Operation!.Targets!.NAMESPACE! };
}

describe('GIVEN CreateHttpNamespace', () => {
  test('WHEN it succeeds THEN its operation names the namespace, which GetNamespace and ListNamespaces describe', async () => {
    const { operationId, id } = await create('service.local', {
      Tags: [{ Key: 'team', Value: 'a' }],
    });
    const op = await sd.send(new GetOperationCommand({ OperationId: operationId }));
    expect(op.Operation).toMatchObject({
      Type: 'CREATE_NAMESPACE',
      Status: 'SUCCESS',
      OwnerAccount: '111122223333',
    });
    const { Namespace } = await sd.send(new GetNamespaceCommand({ Id: id }));
    expect(Namespace).toMatchObject({
      Id: id,
      Name: 'service.local',
      Type: 'HTTP',
      ServiceCount: 0,
      Properties: { HttpProperties: { HttpName: 'service.local' } },
    });
    expect(Namespace!.Arn).toBe(`arn:aws:servicediscovery:us-east-1:111122223333:namespace/${id}`);
    expect(Namespace!.CreateDate).toBeInstanceOf(Date);
    const listed = await sd.send(
      new ListNamespacesCommand({ Filters: [{ Name: 'NAME', Values: ['service.local'], Condition: 'EQ' }] }),
    );
    expect(listed.Namespaces!.map((n) => n.Id)).toEqual([id]);
    const tags = await sd.send(new ListTagsForResourceCommand({ ResourceARN: Namespace!.Arn! }));
    expect(tags.Tags).toEqual([{ Key: 'team', Value: 'a' }]);
  });

  test('WHEN the name is taken THEN NamespaceAlreadyExists; the same CreatorRequestId again gets the same operation', async () => {
    const first = await create('taken.local', { CreatorRequestId: 'req-1' });
    const again = await sd.send(
      new CreateHttpNamespaceCommand({ Name: 'taken.local', CreatorRequestId: 'req-1' }),
    );
    expect(again.OperationId).toBe(first.operationId);
    const error = await failureOf(sd.send(new CreateHttpNamespaceCommand({ Name: 'taken.local' })));
    expect(error.name).toBe('NamespaceAlreadyExists');
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });

  test('WHEN the input breaks the model THEN InvalidInput names the member', async () => {
    const error = await failureOf(sd.send(new CreateHttpNamespaceCommand({ Name: 'arn:aws:x' })));
    expect(error.name).toBe('InvalidInput');
    expect(error.message).toMatch(/at 'Name' failed to satisfy constraint/);
  });

  test('WHEN a tag key starts with aws: THEN InvalidInput', async () => {
    const error = await failureOf(
      sd.send(new CreateHttpNamespaceCommand({ Name: 'x.local', Tags: [{ Key: 'aws:x', Value: '' }] })),
    );
    expect(error.name).toBe('InvalidInput');
  });
});

describe('GIVEN namespaces', () => {
  test('WHEN ListNamespaces filters by TYPE, NAME BEGINS_WITH and pages THEN only the matching ones come, page by page', async () => {
    await create('a.local');
    await create('b.local');
    ctx.emulator.servicediscovery.putNamespace('c.private', { type: 'DNS_PRIVATE' });
    const http = await sd.send(new ListNamespacesCommand({ Filters: [{ Name: 'TYPE', Values: ['HTTP'] }] }));
    expect(http.Namespaces!.map((n) => n.Name).sort()).toEqual(['a.local', 'b.local']);
    const prefix = await sd.send(
      new ListNamespacesCommand({ Filters: [{ Name: 'NAME', Values: ['c.'], Condition: 'BEGINS_WITH' }] }),
    );
    expect(prefix.Namespaces!.map((n) => n.Type)).toEqual(['DNS_PRIVATE']);
    const page1 = await sd.send(new ListNamespacesCommand({ MaxResults: 2 }));
    expect(page1.Namespaces).toHaveLength(2);
    const page2 = await sd.send(new ListNamespacesCommand({ MaxResults: 2, NextToken: page1.NextToken! }));
    expect(page2.Namespaces).toHaveLength(1);
    expect(page2.NextToken).toBeUndefined();
  });

  test('WHEN another account lists or gets them THEN it sees none of them', async () => {
    const { id } = await create('mine.local');
    const other = new ServiceDiscoveryClient({
      credentials: { accessKeyId: 'EMULATOR444455556666', secretAccessKey: 'x' },
    });
    try {
      expect((await other.send(new ListNamespacesCommand({}))).Namespaces).toEqual([]);
      expect((await failureOf(other.send(new GetNamespaceCommand({ Id: id })))).name).toBe(
        'NamespaceNotFound',
      );
    } finally {
      other.destroy();
    }
  });

  test('WHEN tagged and untagged THEN ListTagsForResource follows; an unknown ARN is ResourceNotFoundException', async () => {
    const { id } = await create('tags.local');
    const arn = `arn:aws:servicediscovery:us-east-1:111122223333:namespace/${id}`;
    await sd.send(
      new TagResourceCommand({
        ResourceARN: arn,
        Tags: [
          { Key: 'k', Value: 'v' },
          { Key: 'x', Value: '1' },
        ],
      }),
    );
    await sd.send(new UntagResourceCommand({ ResourceARN: arn, TagKeys: ['x'] }));
    expect((await sd.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags).toEqual([
      { Key: 'k', Value: 'v' },
    ]);
    const error = await failureOf(sd.send(new ListTagsForResourceCommand({ ResourceARN: `${arn}x` })));
    expect(error.name).toBe('ResourceNotFoundException');
  });

  test('WHEN one is deleted THEN its operation succeeds and it is gone; deleting it again is NamespaceNotFound', async () => {
    const { id } = await create('gone.local');
    const { OperationId } = await sd.send(new DeleteNamespaceCommand({ Id: id }));
    const op = await sd.send(new GetOperationCommand({ OperationId: OperationId! }));
    expect(op.Operation).toMatchObject({
      Type: 'DELETE_NAMESPACE',
      Status: 'SUCCESS',
      Targets: { NAMESPACE: id },
    });
    expect((await failureOf(sd.send(new GetNamespaceCommand({ Id: id })))).name).toBe('NamespaceNotFound');
    expect((await failureOf(sd.send(new DeleteNamespaceCommand({ Id: id })))).name).toBe('NamespaceNotFound');
    expect((await failureOf(sd.send(new GetOperationCommand({ OperationId: 'nope' })))).name).toBe(
      'OperationNotFound',
    );
  });
});

describe('GIVEN an emulator whose namespace operations take time', () => {
  let slow: Emulator;
  let client: ServiceDiscoveryClient;
  beforeAll(async () => {
    // Long enough that the three calls before the wait answer within it on a starved machine.
    slow = await startEmulator({ namespaceOperationDelayMs: 1000 });
    client = new ServiceDiscoveryClient({ endpoint: slow.url });
  });
  afterAll(async () => {
    client.destroy();
    await slow.close();
  });

  test('WHEN a namespace is created THEN its operation is PENDING and the namespace invisible until the operation succeeds', async () => {
    const { OperationId } = await client.send(new CreateHttpNamespaceCommand({ Name: 'slow.local' }));
    const pending = await client.send(new GetOperationCommand({ OperationId: OperationId! }));
    expect(pending.Operation!.Status).toBe('PENDING');
    expect((await client.send(new ListNamespacesCommand({}))).Namespaces).toEqual([]);
    await new Promise((r) => setTimeout(r, 1050));
    const done = await client.send(new GetOperationCommand({ OperationId: OperationId! }));
    expect(done.Operation!.Status).toBe('SUCCESS');
    expect((await client.send(new ListNamespacesCommand({}))).Namespaces!.map((n) => n.Name)).toEqual([
      'slow.local',
    ]);
  });
});

describe('GIVEN faults', () => {
  test('WHEN failNth hits a Cloud Map call THEN the SDK sees the injected error and the call has no effect', async () => {
    ctx.emulator.faults.failNth('servicediscovery:CreateHttpNamespace', 1, {
      type: 'ResourceLimitExceeded',
      status: 400,
      message: 'injected',
    });
    const error = await failureOf(sd.send(new CreateHttpNamespaceCommand({ Name: 'fault.local' })));
    expect(error.name).toBe('ResourceLimitExceeded');
    expect((await sd.send(new ListNamespacesCommand({}))).Namespaces).toEqual([]);
    expect(ctx.emulator.requests.at(-2)).toMatchObject({
      service: 'servicediscovery',
      operation: 'CreateHttpNamespace',
    });
  });
});
