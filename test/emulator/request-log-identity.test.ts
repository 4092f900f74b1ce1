/**
 * Caller identity in the request log: every entry carries the access key id of the request's SigV4 header, so
 * tests can tell callers of one account apart (e.g. Lambda execution environments), for all three services.
 */
import { AppMeshClient, ListMeshesCommand } from '@aws-sdk/client-app-mesh';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { ECSClient, ListTaskDefinitionsCommand } from '@aws-sdk/client-ecs';
import { credentialsFor } from '../../emulator';
import { fakeSigV4, OTHER_ACCOUNT, rawRequest, useEmulator } from './helpers';

const ctx = useEmulator();

function clientsFor(accessKeyId: string) {
  const config = {
    endpoint: ctx.emulator.url,
    region: ctx.emulator.region,
    credentials: { accessKeyId, secretAccessKey: 'whatever' },
  };
  return {
    appmesh: new AppMeshClient(config),
    ecs: new ECSClient(config),
    cloudformation: new CloudFormationClient(config),
  };
}

test('GIVEN two access keys of one account and one of another WHEN each calls the three services THEN each log entry names its caller', async () => {
  const keys = ['EMULATORENV1111122223333', 'EMULATORENV2111122223333', `EMULATOR${OTHER_ACCOUNT}`];
  for (const key of keys) {
    const c = clientsFor(key);
    try {
      await c.appmesh.send(new ListMeshesCommand({}));
      await c.ecs.send(new ListTaskDefinitionsCommand({}));
      await c.cloudformation.send(new DescribeStacksCommand({}));
    } finally {
      c.appmesh.destroy();
      c.ecs.destroy();
      c.cloudformation.destroy();
    }
  }
  expect(ctx.emulator.requests.map((r) => [r.accessKeyId, r.service, r.status])).toEqual(
    keys.flatMap((key) => [
      [key, 'appmesh', 200],
      [key, 'ecs', 200],
      [key, 'cloudformation', 200],
    ]),
  );
});

test('GIVEN env(account, caller) and credentialsFor(account, caller) THEN the caller goes before the 12-digit account, which still decides the account', async () => {
  expect(ctx.emulator.env(undefined, 'ENV3').AWS_ACCESS_KEY_ID).toBe('EMULATORENV3111122223333');
  expect(credentialsFor(OTHER_ACCOUNT, 'ENV9').accessKeyId).toBe(`EMULATORENV9${OTHER_ACCOUNT}`);
  expect(() => credentialsFor(OTHER_ACCOUNT, 'env-9')).toThrow(RangeError);
  // The account still comes from the last 12 digits: a stack of the other account is visible to ENV9 only.
  const stackId = ctx.emulator.cloudformation.stackId('app', OTHER_ACCOUNT);
  ctx.emulator.cloudformation.putStack({ stackId, stackStatus: 'CREATE_COMPLETE' });
  const c = clientsFor(credentialsFor(OTHER_ACCOUNT, 'ENV9').accessKeyId);
  const mine = clientsFor('EMULATORENV9111122223333');
  try {
    const seen = await c.cloudformation.send(new DescribeStacksCommand({}));
    expect(seen.Stacks?.map((s) => s.StackId)).toEqual([stackId]);
    const notSeen = await mine.cloudformation.send(new DescribeStacksCommand({}));
    expect(notSeen.Stacks).toEqual([]);
  } finally {
    for (const x of [c, mine]) {
      x.appmesh.destroy();
      x.ecs.destroy();
      x.cloudformation.destroy();
    }
  }
});

test('GIVEN a request with no Authorization header THEN its entry has no accessKeyId; a header that is not SigV4 but names a key still records it', async () => {
  await rawRequest(ctx.emulator, { method: 'GET', path: '/v20190125/meshes', sign: false });
  await rawRequest(ctx.emulator, {
    method: 'GET',
    path: '/v20190125/meshes',
    sign: false,
    headers: {
      authorization: 'AWS4-HMAC-SHA256 Credential=EMULATORXYZ111122223333/20260101/us-east-1/appmesh',
    },
  });
  await rawRequest(ctx.emulator, {
    method: 'GET',
    path: '/v20190125/meshes',
    sign: false,
    headers: { authorization: fakeSigV4('AKIDEXAMPLE') },
  });
  const log = ctx.emulator.requests;
  expect(log.map((r) => [r.status, r.error, r.accessKeyId])).toEqual([
    [403, 'MissingAuthenticationTokenException', undefined],
    [400, 'IncompleteSignatureException', 'EMULATORXYZ111122223333'],
    [200, undefined, 'AKIDEXAMPLE'],
  ]);
  expect('accessKeyId' in (log[0] ?? {})).toBe(false);
});

test('GIVEN GET /_emulator/requests THEN the entries carry accessKeyId', async () => {
  await ctx.appmesh.send(new ListMeshesCommand({}));
  const response = await rawRequest(ctx.emulator, {
    method: 'GET',
    path: '/_emulator/requests',
    sign: false,
  });
  expect(response.json.requests).toEqual([
    expect.objectContaining({ operation: 'ListMeshes', accessKeyId: 'EMULATOR111122223333' }),
  ]);
});
