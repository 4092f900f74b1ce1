/**
 * The four requests of the fault matrix — a Create, an in-place Update, a replacement and a Delete of a routed
 * service with two versions, backends, a gateway route and patched task definitions — and, for each outcome, what
 * CloudFormation does next and what the emulator must then hold.
 */

import type { HandlerResult } from '../../lambda/handler';
import { TAG } from '../../lambda/ownership';
import { DEFAULT_POLICY } from '../../lambda/policy';
import { createEvent, deleteEvent, type Props, updateEvent, type World } from './harness';
import type { Outcome, Provider, Scenario } from './matrix';
import { expectMeshMatches, orphansFree } from './state';

interface Context {
  readonly tag: string;
  /** The cell's own stack and logical id: cells run at once, each as its own CloudFormation operation. */
  readonly o: { readonly logicalId: string; readonly stackId: string };
  readonly a: Props;
  readonly b: Props;
  readonly id?: string;
  readonly families: string[];
}

/** The matrix's providers may patch its families by pattern: each cell is a stack of its own. */
export const MATRIX_POLICY = { ...DEFAULT_POLICY, taskFamilies: ['matrix-*'] };

/**
 * Names unique to the cell — service, task-definition families, stack — so cells share one emulator without sharing
 * anything else (and the checks read only the cell's own families).
 */
async function cellBase(world: World, tag: string) {
  const families = [`matrix-${tag}-a`, `matrix-${tag}-b`];
  const [a, b] = await Promise.all(families.map((f) => world.registerApp(f)));
  const name = `cell-${tag.replace(/[^A-Za-z0-9]/g, '')}`;
  const o = { logicalId: 'Service', stackId: world.emulator.cloudformation.stackId(name) };
  return { families, a: a!, b: b!, o };
}

async function states(world: World, tag: string): Promise<Context> {
  const { families, a, b, o } = await cellBase(world, tag);
  const stateA: Props = {
    MeshName: 'ecs-mesh',
    ServiceName: tag,
    Namespace: 'service.local',
    Port: '3000',
    Versions: [{ Name: 'a', TaskDefinition: a, Weight: '100' }],
    Routes: [{ Name: 'main' }],
    Tags: [{ Key: 'stage', Value: 'a' }],
  };
  const stateB: Props = {
    ...stateA,
    Backends: ['other.service.local'],
    Versions: [
      { Name: 'a', TaskDefinition: a, Weight: '50' },
      { Name: 'b', TaskDefinition: b, Weight: '50' },
    ],
    Routes: [{ Name: 'main' }, { Name: 'api', Match: { Prefix: '/api/' } }],
    Gateway: { VirtualGatewayName: 'ecsworkshop-vgw', RouteName: tag },
    Envoy: { LogLevel: 'debug' },
    Tags: [{ Key: 'stage', Value: 'b' }],
  };
  return { tag, o, a: stateA, b: stateB, families };
}

/** What differs between the backends: the states, the physical ids, and what "exactly the service" means. */
interface Backend {
  states(world: World, tag: string): Promise<Context>;
  /** Every physical id the cell's service may have. */
  ids(c: Context): string[];
  /** The emulator holds exactly what these properties describe; `result` is the handler's answer that got there. */
  matches(world: World, props: Props, c: Context, result: HandlerResult): void;
}

/** The end of every cell: the service deleted through CloudFormation leaves nothing. */
async function deleteAndCheck(
  world: World,
  backend: Backend,
  provider: Provider,
  id: string,
  props: Props,
  c: Context,
): Promise<void> {
  await provider(deleteEvent(id, props, c.o));
  orphansFree(world, { physicalIds: backend.ids(c), families: c.families });
}

/** A Create, an in-place Update and a Delete on a backend, each with what CloudFormation does next. */
function scenarios(backend: Backend): Record<'create' | 'update' | 'delete', Scenario<Context>> {
  const footprint = (c: Context) => ({ physicalIds: backend.ids(c), families: c.families });
  const created = async (world: World, provider: Provider, tag: string, props: 'a' | 'b') => {
    const c = await backend.states(world, tag);
    const { PhysicalResourceId: id } = await provider(createEvent(c[props], c.o));
    return { ...c, id };
  };
  return {
    create: {
      prepare: (world, _p, tag) => backend.states(world, tag),
      request: (c) => createEvent(c.b, c.o),
      async after(world, provider, c, outcome: Outcome) {
        if (outcome.ok) {
          backend.matches(world, c.b, c, outcome.result);
          return deleteAndCheck(world, backend, provider, outcome.result.PhysicalResourceId, c.b, c);
        }
        if (!outcome.killed) {
          // The Provider framework acknowledges the Delete of a failed Create without calling the handler.
          orphansFree(world, footprint(c));
          return;
        }
        // Killed: nothing ran the cleanup. CloudFormation's next Create of the resource adopts what is left.
        const retried = await provider(createEvent(c.b, c.o));
        backend.matches(world, c.b, c, retried);
        await deleteAndCheck(world, backend, provider, retried.PhysicalResourceId, c.b, c);
      },
      footprint,
    },
    update: {
      prepare: (world, provider, tag) => created(world, provider, tag, 'a'),
      request: (c) => updateEvent(c.id!, c.b, c.a, c.o),
      async after(world, provider, c, outcome) {
        if (outcome.ok) {
          backend.matches(world, c.b, c, outcome.result);
          return deleteAndCheck(world, backend, provider, c.id!, c.b, c);
        }
        // CloudFormation rolls back: the same Update with the properties swapped.
        const rolledBack = await provider(updateEvent(c.id!, c.a, c.b, c.o));
        backend.matches(world, c.a, c, rolledBack);
        await deleteAndCheck(world, backend, provider, c.id!, c.a, c);
      },
      footprint,
    },
    delete: {
      prepare: (world, provider, tag) => created(world, provider, tag, 'b'),
      request: (c) => deleteEvent(c.id!, c.b, c.o),
      async after(world, provider, c, outcome) {
        // A failed Delete fails the stack operation; it is retried (by the stack's owner, or the rollback).
        if (!outcome.ok) await provider(deleteEvent(c.id!, c.b, c.o));
        orphansFree(world, footprint(c));
      },
      footprint,
    },
  };
}

const idOf = (name: string) => `mesh/ecs-mesh/service/${name}`;

const APP_MESH: Backend = {
  states,
  // A replacement's new service is `<tag>-r`.
  ids: (c) => [idOf(c.tag), idOf(`${c.tag}-r`)],
  matches: (world, props, c) => expectMeshMatches(world.emulator, props, c.o.logicalId, c.o.stackId),
};

const appMesh = scenarios(APP_MESH);
export const CREATE = appMesh.create;
export const UPDATE = appMesh.update;
export const DELETE = appMesh.delete;

export const REPLACE: Scenario<Context> = {
  async prepare(world, provider, tag) {
    const c = await states(world, tag);
    const { PhysicalResourceId: id } = await provider(createEvent(c.a, c.o));
    return { ...c, id };
  },
  request: (c) => updateEvent(c.id!, { ...c.b, ServiceName: `${c.tag}-r` }, c.a, c.o),
  async after(world, provider, c, outcome) {
    const renamed = { ...c.b, ServiceName: `${c.tag}-r` };
    if (outcome.ok) {
      expectMeshMatches(world.emulator, renamed, c.o.logicalId, c.o.stackId);
      // CloudFormation's cleanup phase deletes the old id; then the stack is deleted.
      await provider(deleteEvent(c.id!, c.a, c.o));
      expectMeshMatches(world.emulator, renamed, c.o.logicalId, c.o.stackId);
      return deleteAndCheck(world, APP_MESH, provider, outcome.result.PhysicalResourceId, renamed, c);
    }
    // The new id was never recorded: the rollback Update carries the failed properties as the old ones.
    await provider(updateEvent(c.id!, c.a, renamed, c.o));
    expectMeshMatches(world.emulator, c.a, c.o.logicalId, c.o.stackId);
    await deleteAndCheck(world, APP_MESH, provider, c.id!, c.a, c);
  },
  footprint: (c) => ({ physicalIds: APP_MESH.ids(c), families: c.families }),
};

// ---------------------------------------------------------------------------------------------------------------
// The same requests on the Service Connect backend: what it owns is the revisions it registers (the ECS service and
// the namespace belong to the template), so "exactly the surviving service" is the answer's revision, ACTIVE, owned,
// prepared from the surviving properties' task definition; and nothing owned once the service is deleted.

const scIdOf = (name: string) => `service-connect/service.local/service/${name}`;

async function scStates(world: World, tag: string): Promise<Context> {
  const { families, a, b, o } = await cellBase(world, tag);
  const stateA: Props = {
    Backend: 'ServiceConnect',
    MeshName: 'ecs-mesh',
    ServiceName: tag,
    Namespace: 'service.local',
    Port: '3000',
    TaskDefinition: a,
    Tags: [{ Key: 'stage', Value: 'a' }],
  };
  const stateB: Props = { ...stateA, TaskDefinition: b, Tags: [{ Key: 'stage', Value: 'b' }] };
  return { tag, o, a: stateA, b: stateB, families };
}

/** The answer's revision is ACTIVE, owned by the service and prepared from these properties' task definition. */
function expectServiceConnectMatches(
  world: World,
  props: Props,
  data: Record<string, string> | undefined,
): void {
  const arn = data?.TaskDefinitionArn ?? '';
  const family = /:task-definition\/([^:]+):/.exec(String(props.TaskDefinition))?.[1];
  const [found] = world.emulator
    .snapshot(['ecs'], { families: family ? [family] : [] })
    .ecs.taskDefinitions.filter((t) => t.taskDefinitionArn === arn);
  expect({
    family: found?.family,
    status: found?.status,
    owner: found?.tags.find((t) => t.key === TAG.owner)?.value,
    stage: found?.tags.find((t) => t.key === 'stage')?.value,
  }).toEqual({
    family,
    status: 'ACTIVE',
    owner: scIdOf(String(props.ServiceName)),
    stage: (props.Tags as { Value: string }[])[0]!.Value,
  });
}

const serviceConnect = scenarios({
  states: scStates,
  ids: (c) => [scIdOf(c.tag)],
  matches: (world, props, _c, result) => expectServiceConnectMatches(world, props, result.Data),
});
export const SC_CREATE = serviceConnect.create;
export const SC_UPDATE = serviceConnect.update;
export const SC_DELETE = serviceConnect.delete;

/** A rollout: one version, then two with the second lighter (the ECS service then runs its revision). */
async function scRolloutStates(world: World, tag: string): Promise<Context> {
  const c = await scStates(world, tag);
  const { TaskDefinition: current, ...single } = c.a;
  const stateB: Props = {
    ...single,
    Versions: [
      { Name: 'v1', TaskDefinition: current, Weight: '90' },
      { Name: 'v2', TaskDefinition: c.b.TaskDefinition, Weight: '10' },
    ],
    ServiceConnect: { Rollout: { BakeMinutes: '5' } },
    Tags: [{ Key: 'stage', Value: 'b' }],
  };
  return { ...c, b: stateB };
}

const serviceConnectRollout = scenarios({
  states: scRolloutStates,
  ids: (c) => [scIdOf(c.tag)],
  matches: (world, props, _c, result) => {
    const versions = props.Versions as { TaskDefinition: string }[] | undefined;
    const running = versions ? versions[1]!.TaskDefinition : props.TaskDefinition;
    expectServiceConnectMatches(world, { ...props, TaskDefinition: running }, result.Data);
    if (versions) expect(result.Data).toMatchObject({ DeploymentStrategy: 'CANARY', CanaryPercent: '10' });
  },
});
export const SC_ROLLOUT_CREATE = serviceConnectRollout.create;
export const SC_ROLLOUT_UPDATE = serviceConnectRollout.update;

/**
 * A gateway route on Service Connect: an ALB listener rule and target group on the platform's listener (the first
 * listener the emulator holds: the matrix test creates it). The update changes the matches, the health check and the
 * VpcId (a new target group beside the old one).
 */
async function scGatewayStates(world: World, tag: string): Promise<Context> {
  const c = await scStates(world, tag);
  const listener = world.emulator.snapshot(['elbv2']).elbv2?.listeners[0]?.ListenerArn;
  if (!listener) throw new Error('the gateway scenarios need an ALB listener in the emulator');
  const stateA: Props = { ...c.a, Gateway: { ListenerArn: listener, Prefix: `/${tag}/` } };
  const stateB: Props = {
    ...c.b,
    Gateway: {
      ListenerArn: listener,
      Prefix: `/${tag}-b/`,
      Headers: [{ Name: 'x-cell', Exact: tag }],
      VpcId: 'vpc-0e0e0e0e0e0e0e0e0',
    },
    HealthCheck: { Path: '/health' },
  };
  return { ...c, a: stateA, b: stateB };
}

/** The answer's target group and rule are the service's, and the rule forwards to that target group. */
function expectGatewayMatches(world: World, props: Props, data: Record<string, string> | undefined): void {
  expectServiceConnectMatches(world, props, data);
  const snap = world.emulator.snapshot(['elbv2']).elbv2!;
  const owner = (arn: string) => snap.tags[arn]?.find((t) => t.key === TAG.owner)?.value;
  const id = scIdOf(String(props.ServiceName));
  const rules = snap.rules.filter((r) => owner(String(r.RuleArn)) === id);
  expect(rules.map((r) => r.RuleArn)).toEqual([data?.ListenerRuleArn]);
  expect(JSON.stringify(rules[0]!.Actions)).toContain(String(data?.TargetGroupArn));
  expect(owner(String(data?.TargetGroupArn))).toBe(id);
}

const serviceConnectGateway = scenarios({
  states: scGatewayStates,
  ids: (c) => [scIdOf(c.tag)],
  matches: (world, props, _c, result) => expectGatewayMatches(world, props, result.Data),
});
export const SC_GATEWAY_CREATE = serviceConnectGateway.create;
export const SC_GATEWAY_UPDATE = serviceConnectGateway.update;
export const SC_GATEWAY_DELETE = serviceConnectGateway.delete;

// ---------------------------------------------------------------------------------------------------------------
// The same requests on the VPC Lattice backend: what it owns is a Lattice service with its listener and rules, a
// target group per version, the association, and the revisions it registers; "exactly the surviving service" is the
// Lattice resources of the surviving properties, owned, and each version's revision ACTIVE and owned.

const latticeIdOf = (name: string) => `vpc-lattice/service/${name}`;
export const MATRIX_VPC = 'vpc-0abc1234def567890';

async function latticeStates(world: World, tag: string): Promise<Context> {
  const { families, a, b, o } = await cellBase(world, tag);
  const stateA: Props = {
    Backend: 'VpcLattice',
    MeshName: 'ecs-mesh',
    // Lattice names are at least 3 long.
    ServiceName: `vl-${tag}`,
    Namespace: 'service.local',
    Port: '3000',
    VpcLattice: { ServiceNetwork: 'platform', VpcId: MATRIX_VPC },
    Versions: [{ Name: 'a', TaskDefinition: a, Weight: '100' }],
    Tags: [{ Key: 'stage', Value: 'a' }],
  };
  const stateB: Props = {
    ...stateA,
    HealthCheck: { Path: '/health' },
    Versions: [
      { Name: 'a', TaskDefinition: a, Weight: '50' },
      { Name: 'b', TaskDefinition: b, Weight: '50' },
    ],
    Routes: [
      { Name: 'api', Priority: '1', Match: { Prefix: '/api' }, Targets: [{ Version: 'b', Weight: '1' }] },
      { Name: 'main' },
    ],
    Tags: [{ Key: 'stage', Value: 'b' }],
  };
  return { tag, o, a: stateA, b: stateB, families };
}

/** Lattice holds exactly the service these properties describe, owned by its id; the answer names its parts. */
function expectLatticeMatches(world: World, props: Props, data: Record<string, string> | undefined): void {
  const versionArn = (v: { Name: string }) => data?.[`Versions.${v.Name}.TaskDefinitionArn`] ?? '';
  // Only the families of the answer's revisions: the emulator holds every earlier cell's too.
  const families = (props.Versions as { Name: string }[]).map(
    (v) => versionArn(v).split('/')[1]?.split(':')[0] ?? '',
  );
  const snap = world.emulator.snapshot(['vpclattice', 'ecs'], { families });
  const lattice = snap.vpclattice!;
  const id = latticeIdOf(String(props.ServiceName));
  const owned = <T extends { readonly tags: readonly { key: string; value: string }[] }>(rs: readonly T[]) =>
    rs.filter((r) => r.tags.find((t) => t.key === TAG.owner)?.value === id);
  const versions = props.Versions as { Name: string; Weight: string }[];
  const groups = owned(lattice.targetGroups) as unknown as { id: string; arn: string; name: string }[];
  const services = owned(lattice.services) as unknown as { id: string; arn: string; name: string }[];
  const listeners = owned(lattice.listeners) as unknown as {
    defaultAction: { forward?: { targetGroups: { targetGroupIdentifier: string; weight: number }[] } };
  }[];
  const rules = owned(lattice.rules) as unknown as { name: string }[];
  const nameOf = (ref: string) => groups.find((g) => g.id === ref || g.arn === ref)?.name;
  const routes = (props.Routes as { Name: string }[] | undefined) ?? [];
  expect({
    services: services.map((s) => s.name),
    groups: groups.map((g) => g.name).sort(),
    weights: listeners.map((l) =>
      (l.defaultAction.forward?.targetGroups ?? []).map((t) => [nameOf(t.targetGroupIdentifier), t.weight]),
    ),
    rules: rules.map((r) => r.name).sort(),
    associations: owned(lattice.serviceNetworkServiceAssociations).length,
    attributes: versions.map((v) => data?.[`Versions.${v.Name}.TargetGroupArn`]),
  }).toEqual({
    services: [String(props.ServiceName)],
    groups: versions.map((v) => `${String(props.ServiceName)}-${v.Name}`).sort(),
    weights: [versions.map((v) => [`${String(props.ServiceName)}-${v.Name}`, Number(v.Weight)])],
    rules: routes
      .filter((r) => r.Name !== 'main')
      .map((r) => r.Name)
      .sort(),
    associations: 1,
    attributes: versions.map(
      (v) => groups.find((g) => g.name === `${String(props.ServiceName)}-${v.Name}`)?.arn,
    ),
  });
  for (const v of versions) {
    const arn = versionArn(v);
    const found = snap.ecs.taskDefinitions.find((t) => t.taskDefinitionArn === arn);
    expect([v.Name, found?.status, found?.tags.find((t) => t.key === TAG.owner)?.value]).toEqual([
      v.Name,
      'ACTIVE',
      id,
    ]);
  }
}

const vpcLattice = scenarios({
  states: latticeStates,
  ids: (c) => [latticeIdOf(`vl-${c.tag}`)],
  matches: (world, props, _c, result) => expectLatticeMatches(world, props, result.Data),
});
export const VL_CREATE = vpcLattice.create;
export const VL_UPDATE = vpcLattice.update;
export const VL_DELETE = vpcLattice.delete;
