/**
 * The bundle's router (lambda/router.ts) must send each request to the file of the backend whose runtime the handler
 * asks for: a file holds one backend's runtime only (lambda/paths/). Held here against the handler itself, with the
 * real registry, for every kind of request and mismatch.
 */
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { BACKENDS, registry } from '../../lambda/backends';
import { backendRuntimes } from '../../lambda/entry';
import { type HandlerDeps, handleEvent } from '../../lambda/handler';
import { createLogger } from '../../lambda/log';
import { DEFAULT_POLICY } from '../../lambda/policy';
import { BACKEND_FILES, createRouter, DEFAULT_BACKEND, servingBackend } from '../../lambda/router';
import { createEvent, deleteEvent, lambdaContext, updateEvent } from '../support/harness';

const ACCOUNT = '111122223333';
const mesh = { MeshName: 'ecs-mesh', ServiceName: 'web', Namespace: 'service.local', Port: '3000' };
const sc = { ...mesh, Backend: 'ServiceConnect' };
const lattice = {
  ...mesh,
  Backend: 'VpcLattice',
  VpcLattice: { ServiceNetwork: 'net', VpcId: 'vpc-0abc1234def567890' },
};
const ids = {
  AppMesh: 'mesh/ecs-mesh/service/web',
  ServiceConnect: 'service-connect/service.local/service/web',
  VpcLattice: 'vpc-lattice/service/web',
};

/** Stops the handler where it asks for a runtime: no AWS call is made. */
class AskedForRuntime extends Error {}

/** The backend whose runtime the handler asks for on this event, or undefined when it asks for none. */
async function askedBackend(event: CloudFormationCustomResourceEvent): Promise<string | undefined> {
  let asked: string | undefined;
  const deps: HandlerDeps = {
    registry,
    runtime: (plugin) => {
      asked = plugin.name;
      throw new AskedForRuntime();
    },
    budget: { deadline: 0 },
    log: createLogger({}, () => {}),
    policy: () => ({ ...DEFAULT_POLICY, verifyStacks: false }),
  };
  await handleEvent(event, lambdaContext(ACCOUNT, 'us-east-1'), deps).catch(() => undefined);
  return asked;
}

const events: [string, CloudFormationCustomResourceEvent][] = [
  ['Create, no Backend', createEvent(mesh)],
  ['Create, AppMesh', createEvent({ ...mesh, Backend: 'AppMesh' })],
  ['Create, ServiceConnect', createEvent(sc)],
  ['Create, VpcLattice', createEvent(lattice)],
  ['Create, a Backend no backend has', createEvent({ ...mesh, Backend: 'serviceconnect' })],
  ['Create, Backend not a string', createEvent({ ...mesh, Backend: 7 })],
  ['Create, properties that do not parse', createEvent({ ...sc, Port: 'abc' })],
  ['Create of another resource type', createEvent(sc, { resourceType: 'Custom::Other' })],
  ['Update, ServiceConnect in place', updateEvent(ids.ServiceConnect, sc, sc)],
  ['Update, VpcLattice in place', updateEvent(ids.VpcLattice, lattice, lattice)],
  ['Update, App Mesh replaced', updateEvent(ids.AppMesh, { ...mesh, ServiceName: 'web2' }, mesh)],
  ['Update, App Mesh id to ServiceConnect (refused)', updateEvent(ids.AppMesh, sc, mesh)],
  ['Update, ServiceConnect id to no Backend (refused)', updateEvent(ids.ServiceConnect, mesh, sc)],
  ['Update, old properties of another backend', updateEvent(ids.VpcLattice, lattice, sc)],
  ['Delete, App Mesh id', deleteEvent(ids.AppMesh, mesh)],
  ['Delete, ServiceConnect id, App Mesh properties', deleteEvent(ids.ServiceConnect, mesh)],
  [
    'Delete, VpcLattice id, no properties',
    { ...deleteEvent(ids.VpcLattice, {}), ResourceProperties: undefined },
  ],
  ['Delete, an id no backend issued', deleteEvent('Service-CREATE_FAILED-x', sc)],
] as unknown as [string, CloudFormationCustomResourceEvent][];

describe('GIVEN the router of the bundle', () => {
  const region = process.env.AWS_REGION;
  beforeAll(() => {
    process.env.AWS_REGION = 'us-east-1';
  });
  afterAll(() => {
    if (region === undefined) delete process.env.AWS_REGION;
    else process.env.AWS_REGION = region;
  });

  test('THEN it knows every backend of the registry, by the same default', () => {
    expect(Object.keys(BACKEND_FILES)).toEqual(BACKENDS.map((b) => b.name));
    expect(DEFAULT_BACKEND).toBe(registry.defaultBackend);
  });

  test.each(Object.entries(ids))(
    'WHEN given a physical id of %s THEN it owns it as the registry does',
    (b, id) => {
      for (const other of [...Object.values(ids), 'Service-CREATE_FAILED-x', ''])
        expect([b, other, BACKEND_FILES[b as keyof typeof BACKEND_FILES].owns(other)]).toEqual([
          b,
          other,
          registry.owning(other)?.name === b,
        ]);
      expect(registry.owning(id)?.name).toBe(b);
    },
  );

  test.each(events)(
    'WHEN a request is %s THEN the handler asks for no runtime or the one of the file it routes to',
    async (_, event) => {
      const asked = await askedBackend(event);
      if (asked !== undefined) expect(asked).toBe(servingBackend(event));
    },
  );

  test('WHEN requests of each backend arrive THEN the handler asks for each one of them (the table reaches every file)', async () => {
    const asked = new Set(await Promise.all(events.map(([, e]) => askedBackend(e))));
    expect([...asked].filter(Boolean).sort()).toEqual(Object.keys(BACKEND_FILES).sort());
  });

  test('WHEN requests arrive THEN each backend handler is loaded once, on its first request, and gets them', async () => {
    const loads: string[] = [];
    const served: string[] = [];
    const router = createRouter((backend) => {
      loads.push(backend);
      return async (event) => {
        served.push(`${backend}:${event.RequestType}`);
        return { PhysicalResourceId: 'x' };
      };
    });
    const context = lambdaContext(ACCOUNT, 'us-east-1');
    for (const event of [createEvent(sc), createEvent(mesh), deleteEvent(ids.ServiceConnect, {})])
      await router(event, context);
    expect(loads).toEqual(['ServiceConnect', 'AppMesh']);
    expect(served).toEqual(['ServiceConnect:Create', 'AppMesh:Create', 'ServiceConnect:Delete']);
  });

  test('WHEN a file is asked for a runtime it does not hold THEN it fails saying so', () => {
    const runtimes = backendRuntimes({} as never, { AppMesh: () => ({}) as never });
    expect(() => runtimes(registry.named('VpcLattice')!)).toThrow(
      'the runtime of Backend VpcLattice is not in this file of the bundle (it serves AppMesh)',
    );
  });
});
