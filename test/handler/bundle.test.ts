/**
 * The deployed artefact itself: dist/lambda/index.js (built by `npm run build`), loaded by a plain Node.js process
 * as the Lambda runtime loads it, invoked with CloudFormation-shaped events, its bundled SDK pointed at the emulator
 * by the standard environment variables only. index.js is the router (lambda/router.ts): each request loads the file
 * of its backend beside it.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { CreateServiceNetworkCommand, VPCLatticeClient } from '@aws-sdk/client-vpc-lattice';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { type Emulator, seedPlatform, startEmulator } from '../../emulator';
import { MeshServiceProperties, parseProperties } from '../../lambda/backends';
import { MeshServiceError } from '../../lambda/errors';
import { MAX_REASON_BYTES, reasonOf } from '../../lambda/response';
// @ts-expect-error: plain CommonJS (the pure part of the esbuild plugin scripts/trim-sdk.mjs)
import { CLIENT_MODELS, declaredErrors, pruneErrorRegistrations } from '../../scripts/sdk-errors.cjs';
import { BUNDLE, runBundle } from '../support/bundle';
import { createEvent, deleteEvent } from '../support/harness';
import { mutatingCalls } from '../support/state';

const ROOT = path.join(__dirname, '..', '..');
const DIST = path.dirname(BUNDLE);
/** Each backend's file of the bundle (what a request of that backend loads beside index.js). */
const BACKEND_FILES = {
  AppMesh: 'app-mesh.js',
  ServiceConnect: 'service-connect.js',
  VpcLattice: 'vpc-lattice.js',
} as const;
/** What one request path may load (issue 24, docs/performance.md "The Lambda bundle"). */
const PATH_LIMIT_BYTES = 400 * 1024;
let emulator: Emulator;
const base = { MeshName: 'ecs-mesh', ServiceName: 'bundled', Namespace: 'service.local' };

beforeAll(async () => {
  emulator = await startEmulator();
  await seedPlatform(emulator);
});
afterAll(() => emulator.close());
beforeEach(() => emulator.clearRequests());

/** The message the source contract gives for the same properties (the bundle must agree with it). */
function sourceError(props: Record<string, unknown>): string {
  try {
    parseProperties(props);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the source contract accepted the properties');
}

const run = (...events: CloudFormationCustomResourceEvent[]) =>
  runBundle(events, emulator.env(), emulator.accountId);

describe('GIVEN the bundled handler', () => {
  test('WHEN a property is invalid THEN it fails naming the property and the rule, with zero AWS calls', async () => {
    const { outcomes } = await run(createEvent({ ...base, Port: 'abc' }));
    expect(outcomes[0]!.error).toBe('Port: expected an integer 1-65535, got "abc"');
    expect(emulator.requests).toEqual([]);
  });

  test('WHEN a property is unknown THEN it fails listing the known ones, with zero AWS calls', async () => {
    const { outcomes } = await run(createEvent({ ...base, Port: 3000, Colour: 'blue' }));
    const error = outcomes[0]!.error ?? '';
    expect(error).toMatch(
      /^Colour: unknown property; known properties are MeshName, MeshOwner, ServiceName, /,
    );
    // The bundle lists exactly what the source contract knows, in the same order.
    expect(error).toBe(sourceError({ ...base, Port: 3000, Colour: 'blue' }));
    expect(emulator.requests).toEqual([]);
  });

  test('WHEN properties break rules of any section or backend THEN the bundle refuses them exactly as the source contract does (its docs, update behaviours and generators are left out: scripts/strip-contract-docs.mjs)', async () => {
    const versions = (...weights: string[]) =>
      weights.map((w, i) => ({ Name: `v${i}`, TaskDefinition: `fam-${i}`, Weight: w }));
    const lattice = { ServiceNetwork: 'bundled-net', VpcId: 'vpc-0abc1234def567890' };
    const cases: Record<string, unknown>[] = [
      { ...base, Port: 3000, Versions: versions('90', '20') },
      { ...base, Port: 3000, Protocol: 'tcp', Gateway: { VirtualGatewayName: 'gw' } },
      { ...base, Port: 3000, Gateway: { VirtualGatewayName: 'gw', Rewrite: { Prefix: '/x' } } },
      { ...base, Port: 3000, Backend: 'serviceconnect' },
      {
        ...base,
        Port: 3000,
        Backend: 'ServiceConnect',
        Versions: versions('90', '10'),
        ServiceConnect: { Rollout: { Strategy: 'LINEAR', Percent: '20' } },
      },
      { ...base, Port: 3000, Envoy: { LogLevel: 'loud' } },
      {
        ...base,
        Port: 3000,
        Backend: 'VpcLattice',
        VpcLattice: lattice,
        ListenerTimeout: { PerRequestMillis: '5000' },
      },
      { ...base, Port: 3000, Backend: 'VpcLattice', VpcLattice: { ...lattice, VpcId: 'vpc-x' } },
    ];
    const { outcomes } = await run(...cases.map((props) => createEvent(props)));
    expect(outcomes.map((o) => o.error)).toEqual(cases.map(sourceError));
    expect(emulator.requests).toEqual([]);
  });

  test('WHEN the ResourceType or RequestType is not served THEN it fails clearly, with zero AWS calls', async () => {
    const other = createEvent({ ...base, Port: 3000 }, { resourceType: 'Custom::Other' });
    const upsert = {
      ...createEvent({ ...base, Port: 3000 }),
      RequestType: 'Upsert',
    } as unknown as CloudFormationCustomResourceEvent;
    const { outcomes } = await run(other, upsert);
    expect(outcomes.map((o) => o.error)).toEqual([
      'resource type "Custom::Other" is not served by this provider; it serves Custom::MeshService only',
      'request type "Upsert" is not one of Create, Update, Delete',
    ]);
    expect(emulator.requests).toEqual([]);
  });

  test('WHEN "3000" and 3000 are delivered THEN they parse the same: the second Create changes nothing', async () => {
    // One request delivered twice (the same RequestId, in the window CloudFormation opened for it).
    const requestId = randomUUID();
    const first = await run(createEvent({ ...base, Port: 3000 }, { requestId }));
    const id = first.outcomes[0]!.result!.PhysicalResourceId;
    emulator.clearRequests();
    const second = await run(createEvent({ ...base, Port: '3000' }, { requestId }));
    expect(second.outcomes[0]!.result).toEqual(first.outcomes[0]!.result);
    expect(mutatingCalls(emulator)).toEqual([]);
    await run(deleteEvent(id, { ...base, Port: '3000' }));
  });

  test('WHEN a Service Connect service is created and deleted THEN the bundled Cloud Map client finds its namespace', async () => {
    emulator.servicediscovery.putNamespace('service.local');
    const props = { ...base, Backend: 'ServiceConnect', Port: 3000 };
    const created = await run(createEvent(props));
    const result = created.outcomes[0]!.result;
    expect(created.outcomes[0]!.error).toBeUndefined();
    expect(result?.Data?.NamespaceArn).toMatch(/^arn:aws:servicediscovery:us-east-1:\d{12}:namespace\/ns-/);
    expect(emulator.requests.filter((r) => r.service === 'servicediscovery').length).toBeGreaterThan(0);
    const deleted = await run(deleteEvent(result!.PhysicalResourceId, props));
    expect(deleted.outcomes[0]!.error).toBeUndefined();
  });

  test('WHEN a VPC Lattice service is created and deleted THEN the bundled VPC Lattice client (vpc-lattice.js) makes its service and target group', async () => {
    const env = emulator.env();
    const lattice = new VPCLatticeClient({
      endpoint: emulator.url,
      region: env.AWS_REGION!,
      credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY! },
    });
    await lattice.send(new CreateServiceNetworkCommand({ name: 'bundled-net' }));
    lattice.destroy();
    const props = {
      ...base,
      Backend: 'VpcLattice',
      Port: 3000,
      VpcLattice: { ServiceNetwork: 'bundled-net', VpcId: 'vpc-0abc1234def567890' },
    };
    const created = await run(createEvent(props));
    expect(created.outcomes[0]!.error).toBeUndefined();
    const result = created.outcomes[0]!.result;
    expect(result?.Data?.TargetGroupArn).toMatch(/^arn:aws:vpc-lattice:us-east-1:\d{12}:targetgroup\/tg-/);
    expect(emulator.requests.filter((r) => r.service === 'vpclattice').length).toBeGreaterThan(0);
    const deleted = await run(deleteEvent(result!.PhysicalResourceId, props));
    expect(deleted.outcomes[0]!.error).toBeUndefined();
    expect(emulator.snapshot(['vpclattice']).vpclattice?.services).toEqual([]);
  });

  test('WHEN the reclaimer bundle (dist/lambda/reclaim.js) gets a stack rollback event THEN it loads beside the handler and searches by ownership tags', async () => {
    const stackId =
      'arn:aws:cloudformation:us-east-1:111122223333:stack/gone/0f1e2d3c-aaaa-bbbb-cccc-00000000000f';
    const script = [
      `const { handler } = require(${JSON.stringify(path.join(path.dirname(BUNDLE), 'reclaim.js'))});`,
      'const context = { awsRequestId: "r-1", invokedFunctionArn: "arn:aws:lambda:us-east-1:111122223333:function:Reclaimer", getRemainingTimeInMillis: () => 60000 };',
      `handler({ source: "aws.cloudformation", "detail-type": "CloudFormation Stack Status Change", detail: { "stack-id": ${JSON.stringify(stackId)}, "status-details": { status: "ROLLBACK_COMPLETE" } } }, context)`,
      '  .then((r) => process.stderr.write(JSON.stringify(r)), (e) => { process.stderr.write(e.message); process.exit(1); });',
    ].join('\n');
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['-e', script], {
        // NODE_NO_WARNINGS: on Node 20 (where tools/test-node is not installed) the SDK warns on stderr that its
        // releases after January 2027 need Node 22; the answer is the only thing this test reads there.
        env: { PATH: process.env.PATH ?? '', NODE_NO_WARNINGS: '1', ...emulator.env() },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let err = '';
      child.stderr!.on('data', (d) => {
        err += d;
      });
      child.on('error', reject);
      child.on('close', (c) => resolve({ code: c, stderr: err }));
    });
    expect({ code, stderr }).toEqual({ code: 0, stderr: JSON.stringify({ reclaimed: [], leftAlone: [] }) });
    expect(emulator.requests.map((r) => `${r.service}:${r.operation}`)).toEqual(['tagging:GetResources']);
  });

  test('WHEN it logs THEN every line is JSON with the request context, and no line holds the ResponseURL', async () => {
    const created = createEvent({ ...base, Port: 3000 });
    const { outcomes, logLines } = await run(
      createEvent({ ...base, Port: 'abc' }),
      created,
      deleteEvent('mesh/ecs-mesh/service/bundled', { ...base, Port: 3000 }),
    );
    expect(outcomes.map((o) => (o.error ? 'failed' : 'ok'))).toEqual(['failed', 'ok', 'ok']);
    expect(logLines.length).toBeGreaterThan(4);
    expect(created.ResponseURL).toContain('X-Amz-Signature');
    for (const line of logLines) {
      const entry = JSON.parse(line) as Record<string, unknown>;
      expect(entry).toEqual(
        expect.objectContaining({
          level: expect.any(String),
          requestType: expect.any(String),
          logicalResourceId: 'Service',
        }),
      );
      expect(entry.stackId).toMatch(/^arn:aws:cloudformation:/);
      expect(line).not.toContain('X-Amz-Signature');
      expect(line).not.toContain('cloudformation-custom-resource-response');
    }
  });

  test('WHEN a Delete is sent while CloudFormation is not deleting the resource THEN the bundle refuses it with no change', async () => {
    const props = { ...base, ServiceName: 'guarded', Port: 3000 };
    const [created] = (await run(createEvent(props))).outcomes;
    emulator.clearRequests();
    const forged = await runBundle(
      [deleteEvent(created!.result!.PhysicalResourceId, props)],
      emulator.env(),
      emulator.accountId,
      {
        cloudFormation: false,
      },
    );
    expect(forged.outcomes[0]!.error).toMatch(
      /^Delete of Service refused: Service in stack workshop is CREATE_COMPLETE, not DELETE_IN_PROGRESS/,
    );
    expect(mutatingCalls(emulator)).toEqual([]);
    await run(deleteEvent(created!.result!.PhysicalResourceId, props));
  });

  test('WHEN CloudFormation answers with an error the bundled client has no class for (a stack that does not exist) THEN the bundle reads its name and refuses the request with no change', async () => {
    const ghost = `arn:aws:cloudformation:us-east-1:${emulator.accountId}:stack/ghost/0c0c0c0c-0000-4000-8000-000000000001`;
    const { outcomes } = await runBundle(
      [createEvent({ ...base, ServiceName: 'ghost', Port: 3000 }, { stackId: ghost })],
      emulator.env(),
      emulator.accountId,
      { cloudFormation: false },
    );
    expect(outcomes[0]!.error).toMatch(
      /^Create of Service refused: stack ghost \(.+\) has no resource Service/,
    );
    expect(emulator.requests.filter((r) => r.service === 'cloudformation').map((r) => r.error)).toContain(
      'ValidationError',
    );
    expect(mutatingCalls(emulator)).toEqual([]);
  });

  test('WHEN the environment lacks a Region THEN the request fails with a reason (module load never throws)', async () => {
    const { AWS_REGION: _region, ...env } = emulator.env();
    const { outcomes } = await runBundle([createEvent({ ...base, Port: 3000 })], env, emulator.accountId);
    expect(outcomes[0]!.error).toMatch(/Region is missing|region/i);
  });
});

describe('GIVEN a request of each backend', () => {
  const lattice = { ServiceNetwork: 'paths-net', VpcId: 'vpc-0abc1234def567890' };
  beforeAll(async () => {
    emulator.servicediscovery.putNamespace('service.local');
    const env = emulator.env();
    const client = new VPCLatticeClient({
      endpoint: emulator.url,
      region: env.AWS_REGION!,
      credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY! },
    });
    await client.send(new CreateServiceNetworkCommand({ name: lattice.ServiceNetwork }));
    client.destroy();
  });
  const propsOf = {
    AppMesh: { ...base, ServiceName: 'path-mesh', Port: 3000 },
    ServiceConnect: { ...base, ServiceName: 'path-sc', Backend: 'ServiceConnect', Port: 3000 },
    VpcLattice: {
      ...base,
      ServiceName: 'path-lattice',
      Backend: 'VpcLattice',
      Port: 3000,
      VpcLattice: lattice,
    },
  };
  const sizeOf = (files: readonly string[]) =>
    files.reduce((total, file) => total + statSync(path.join(DIST, file)).size, 0);

  test.each(Object.keys(BACKEND_FILES) as (keyof typeof BACKEND_FILES)[])(
    'WHEN a service of Backend %s is created and deleted in a fresh process THEN it loads index.js and its backend file only, at most 400 KiB together',
    async (backend) => {
      const props = propsOf[backend];
      const created = await run(createEvent(props));
      expect(created.outcomes[0]!.error).toBeUndefined();
      const deleted = await run(deleteEvent(created.outcomes[0]!.result!.PhysicalResourceId, props));
      expect(deleted.outcomes[0]!.error).toBeUndefined();
      for (const { loaded } of [created, deleted]) {
        expect(loaded).toEqual(['index.js', BACKEND_FILES[backend]]);
        expect(sizeOf(loaded)).toBeLessThanOrEqual(PATH_LIMIT_BYTES);
      }
    },
  );

  test('WHEN requests of two backends reach one environment THEN each backend file is loaded once, on its first request', async () => {
    const mesh = propsOf.AppMesh;
    const sc = { ...propsOf.ServiceConnect, ServiceName: 'path-sc-2' };
    const { outcomes, loaded } = await run(
      createEvent(mesh),
      createEvent(sc),
      deleteEvent('mesh/ecs-mesh/service/path-mesh', mesh),
      deleteEvent('service-connect/service.local/service/path-sc-2', sc),
    );
    expect(outcomes.map((o) => o.error)).toEqual([undefined, undefined, undefined, undefined]);
    expect(loaded).toEqual(['index.js', 'app-mesh.js', 'service-connect.js']);
  });
});

describe('GIVEN the bundle file', () => {
  test.each([...Object.values(BACKEND_FILES), 'reclaim.js'])(
    "WHEN %s is read THEN it holds the contract's rules and messages but none of its documentation text",
    (file) => {
      const bundle = readFileSync(path.join(DIST, file), 'utf8');
      const docs = Object.values(MeshServiceProperties.fields).map((f) => f.description);
      expect(docs.length).toBeGreaterThan(20);
      // Every property's description is in the source contract and absent from the bundle (long enough to be unique).
      const found = docs.filter((d) => d.length > 40 && bundle.includes(d));
      expect(found).toEqual([]);
      // The rules' own words are there (the tests above see the bundle answer with them).
      expect(bundle.includes('unknown property; known properties are')).toBe(true);
    },
  );

  test('WHEN index.js (the router) is read THEN it holds no contract and no SDK: a request loads those with its backend file', () => {
    const router = readFileSync(BUNDLE, 'utf8');
    expect(router.includes('unknown property; known properties are')).toBe(false);
    expect(router.includes('@aws-sdk')).toBe(false);
    expect(statSync(BUNDLE).size).toBeLessThan(4 * 1024);
  });
});

describe('GIVEN the SDK errors in the bundle (scripts/trim-sdk.mjs)', () => {
  // The backends' files of the handler and the reclaimer: together, what ships.
  const shipped = [...Object.values(BACKEND_FILES), 'reclaim.js'].map((f) => path.join(DIST, f));
  const bundle = () => shipped.map((f) => readFileSync(f, 'utf8')).join('\n');
  const schemas = (client: string) =>
    readFileSync(
      path.join(ROOT, 'node_modules', '@aws-sdk', client, 'dist-es', 'schemas', 'schemas_0.js'),
      'utf8',
    );
  const model = (file: string) =>
    JSON.parse(readFileSync(path.join(ROOT, 'emulator', 'models', file), 'utf8'));

  test('WHEN built THEN the class of every error an operation of the models declares is there, and no class of an error none declares', () => {
    // Each file carries the clients it uses: every backend ECS's, CloudFormation's (the stack verifier) and the
    // tagging client, and its own service's; the reclaimer, which runs every backend's removal, all of them.
    const common = ['client-ecs', 'client-cloudformation', 'client-resource-groups-tagging-api'];
    const files: [string, readonly string[]][] = [
      [path.join(DIST, BACKEND_FILES.AppMesh), [...common, 'client-app-mesh']],
      [
        path.join(DIST, BACKEND_FILES.ServiceConnect),
        [...common, 'client-servicediscovery', 'client-elastic-load-balancing-v2'],
      ],
      [path.join(DIST, BACKEND_FILES.VpcLattice), [...common, 'client-vpc-lattice']],
      [path.join(DIST, 'reclaim.js'), Object.keys(CLIENT_MODELS)],
    ];
    for (const [file, clients] of files) {
      const text = readFileSync(file, 'utf8');
      // Clients share some error names (LimitExceededException): count the classes each name should have.
      const expected = new Map<string, number>();
      for (const client of clients) {
        const declared = declaredErrors(model((CLIENT_MODELS as Record<string, string>)[client]!));
        const registered = [...schemas(client).matchAll(/registerError\((\w+)\$, (\w+)\)/g)].map(
          (m) => m[2]!,
        );
        expect(registered.length).toBeGreaterThan(0);
        for (const name of registered.filter((n) => !n.endsWith('ServiceException')))
          expected.set(name, (expected.get(name) ?? 0) + (declared.has(name) ? 1 : 0));
      }
      // A class sets its name as a field: name="X" in the minified bundle.
      const classes = (name: string) => text.split(`name="${name}"`).length - 1;
      expect([file, Object.fromEntries([...expected.keys()].map((n) => [n, classes(n)]))]).toEqual([
        file,
        Object.fromEntries(expected),
      ]);
    }
    const text = bundle();
    // CloudFormation's two reads declare no error: all its classes are gone, ECS keeps those of its operations.
    expect(declaredErrors(model(CLIENT_MODELS['client-cloudformation']))).toEqual(new Set());
    expect(text.includes('name="ClientException"')).toBe(true);
  });

  test("WHEN built THEN the SDK's JavaScript SHA-256 is left out (Node.js signs with its native crypto) and its stand-in is there", () => {
    for (const file of shipped) {
      const text = readFileSync(file, 'utf8');
      // The first round constant of SHA-256 (FIPS 180-4), in Sha256Js's table as esbuild writes it.
      expect([file, text.includes('1116352408') || text.includes('0x428a2f98')]).toEqual([file, false]);
      expect(text.includes('the JavaScript SHA-256 is not bundled')).toBe(true);
    }
  });

  test('WHEN pruning a schemas module THEN undeclared registrations go, the base exception and the declared stay, and an unknown layout fails the build', () => {
    const source = [
      'const _s_registry = new TypeRegistry(_s);',
      '_s_registry.registerError(FooServiceException$, FooServiceException);',
      'n0_registry.registerError(KeptException$, KeptException);',
      'n0_registry.registerError(GoneException$, GoneException);',
    ].join('\n');
    const { contents, dropped } = pruneErrorRegistrations(source, new Set(['KeptException']));
    expect(dropped).toEqual(['GoneException']);
    expect(contents).toContain('registerError(FooServiceException$, FooServiceException)');
    expect(contents).toContain('registerError(KeptException$, KeptException)');
    expect(contents).not.toContain('GoneException');
    expect(() => pruneErrorRegistrations('registry.add(GoneException);', new Set())).toThrow(
      /registers no error .* update scripts\/trim-sdk\.mjs/,
    );
  });
});

describe('GIVEN a failure reason', () => {
  test('WHEN it carries a presigned URL THEN it is redacted, and it stays one line within the response budget', () => {
    expect(
      reasonOf(
        new MeshServiceError('see https://b.s3.amazonaws.com/k?X-Amz-Signature=abc&X-Amz-Credential=def'),
      ),
    ).toBe('see https://b.s3.amazonaws.com/k?X-Amz-Signature=REDACTED&X-Amz-Credential=REDACTED');
    const long = reasonOf(new MeshServiceError(`${'é'.repeat(5000)}\nsecond line`));
    expect(Buffer.byteLength(long, 'utf8')).toBeLessThanOrEqual(MAX_REASON_BYTES);
    expect(long).not.toContain('\n');
  });
});
