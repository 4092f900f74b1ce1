/** Assembles the emulator: models, services, faults, request log and the HTTP server on one port. */
import type { AddressInfo } from 'node:net';
import { credentialsFor, partitionOf } from './accounts';
import { AppMeshService } from './appmesh/service';
import { buildStackId, CloudFormationService } from './cloudformation/service';
import { createControl } from './control';
import { EcsService } from './ecs/service';
import { EcsServices } from './ecs/services';
import { Elbv2Service } from './elbv2/service';
import { FaultInjector } from './faults';
import { loadModel } from './model/model';
import { createEmulatorServer } from './server';
import { serviceFacts, serviceTable } from './service-table';
import { ServiceDiscoveryService } from './servicediscovery/service';
import { restoreState, saveState } from './state';
import { type TaggedResource, TaggingService } from './tagging/service';
import type {
  Emulator,
  EmulatorOptions,
  EmulatorSnapshot,
  RequestLogEntry,
  ServiceName,
  SnapshotFilter,
} from './types';
import { VpcLatticeService } from './vpc-lattice/service';

export const DEFAULT_REGION = 'us-east-1';
export const DEFAULT_ACCOUNT_ID = '111122223333';

/**
 * A realistic CloudFormation stack id, `arn:<partition>:cloudformation:<region>:<account>:stack/<name>/<uuid>`,
 * with a fresh UUID (as CloudFormation gives every stack, so a re-created stack of the same name has a new id).
 */
export function stackId(
  stackName: string,
  accountId: string = DEFAULT_ACCOUNT_ID,
  region: string = DEFAULT_REGION,
): string {
  return buildStackId(stackName, accountId, region);
}

const EMPTY_SNAPSHOT: EmulatorSnapshot = {
  appmesh: {
    meshes: [],
    virtualNodes: [],
    virtualServices: [],
    virtualRouters: [],
    routes: [],
    virtualGateways: [],
    gatewayRoutes: [],
    shares: [],
  },
  ecs: { taskDefinitions: [], services: [] },
  cloudformation: { stacks: [] },
  servicediscovery: { namespaces: [], services: [] },
  vpclattice: {
    serviceNetworks: [],
    services: [],
    serviceNetworkServiceAssociations: [],
    listeners: [],
    rules: [],
    targetGroups: [],
    accessLogSubscriptions: [],
    authPolicies: [],
  },
  elbv2: { loadBalancers: [], listeners: [], rules: [], targetGroups: [], tags: {} },
};

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? '127.0.0.1';
  const region = options.region ?? DEFAULT_REGION;
  const accountId = options.accountId ?? DEFAULT_ACCOUNT_ID;
  if (!/^\d{12}$/.test(accountId)) throw new Error(`accountId must be 12 digits, got '${accountId}'`);
  const partition = partitionOf(region);

  const appmeshModel = loadModel('appmesh-2019-01-25.json');
  const ecsModel = loadModel('ecs-2014-11-13.json');
  const cloudformationModel = loadModel('cloudformation-2010-05-15.json');
  const appmesh = new AppMeshService(region, partition);
  const ecs = new EcsService(region, partition, { deletionDelayMs: options.taskDefinitionDeletionDelayMs });
  const cloudformation = new CloudFormationService(region, cloudformationModel);
  const servicediscoveryModel = loadModel('servicediscovery-2017-03-14.json');
  const servicediscovery = new ServiceDiscoveryService(region, partition, {
    operationDelayMs: options.namespaceOperationDelayMs,
  });
  const vpclattice = new VpcLatticeService(region, partition);
  const ecsServices = new EcsServices(region, partition, {
    describeTaskDefinition: (reference, account) =>
      ecs.handle('DescribeTaskDefinition', { taskDefinition: reference }, { account }),
    resolveNamespace: (nameOrArn, account) => servicediscovery.resolve(nameOrArn, account),
    cloudMap: {
      create: (namespaceArn, name, account) =>
        servicediscovery.createEcsManagedService(namespaceArn, name, account),
      delete: (serviceArn) => servicediscovery.deleteEcsManagedService(serviceArn),
    },
    latticeTargetGroup: (arn, account) => vpclattice.hasTargetGroup(arn, account),
  });
  const elbv2 = new Elbv2Service(region, partition);
  const tagging = new TaggingService(region, () => taggedResources());
  function* taggedResources(): Iterable<TaggedResource> {
    yield* appmesh.tagged();
    yield* ecs.tagged();
    yield* servicediscovery.tagged();
    yield* vpclattice.tagged();
    yield* elbv2.tagged();
  }
  const services = serviceTable(
    {
      appmesh: appmeshModel,
      ecs: ecsModel,
      cloudformation: cloudformationModel,
      servicediscovery: servicediscoveryModel,
      tagging: loadModel('resourcegroupstaggingapi-2017-01-26.json'),
      vpclattice: loadModel('vpc-lattice-2022-11-30.json'),
      elbv2: loadModel('elbv2-2015-12-01.json'),
    },
    { appmesh, ecs, ecsServices, servicediscovery, cloudformation, tagging, vpclattice, elbv2 },
  );
  const faults = new FaultInjector(serviceFacts(services));
  /** What saveState and restoreState save and put back (the Tagging API reads the others' state). */
  const stateful = { appmesh, ecs, ecsServices, servicediscovery, cloudformation, vpclattice, elbv2 };
  let requests: RequestLogEntry[] = [];

  let emulator: Emulator | undefined;
  const server = createEmulatorServer({
    accountId,
    services,
    faults,
    log: (entry) => requests.push(entry),
    control: createControl(() => {
      if (!emulator) throw new Error('emulator not started');
      return emulator;
    }),
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  emulator = {
    url,
    region,
    accountId,
    env(forAccount = accountId, caller = '') {
      const credentials = credentialsFor(forAccount, caller);
      return {
        AWS_ENDPOINT_URL_APP_MESH: url,
        AWS_ENDPOINT_URL_ECS: url,
        AWS_ENDPOINT_URL_CLOUDFORMATION: url,
        AWS_ENDPOINT_URL_SERVICEDISCOVERY: url,
        AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API: url,
        AWS_ENDPOINT_URL_VPC_LATTICE: url,
        AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2: url,
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        AWS_REGION: region,
      };
    },
    faults,
    get requests(): readonly RequestLogEntry[] {
      return requests;
    },
    clearRequests() {
      requests = [];
    },
    saveState: () => saveState(stateful),
    restoreState: (state) => restoreState(stateful, state),
    reset() {
      appmesh.reset();
      ecs.reset();
      ecsServices.reset();
      servicediscovery.reset();
      cloudformation.reset();
      vpclattice.reset();
      elbv2.reset();
      faults.clear();
      requests = [];
    },
    snapshot(parts?: readonly ServiceName[], filter: SnapshotFilter = {}): EmulatorSnapshot {
      const want = (part: ServiceName) => parts === undefined || parts.includes(part);
      return JSON.parse(
        JSON.stringify({
          appmesh: want('appmesh') ? appmesh.snapshot() : EMPTY_SNAPSHOT.appmesh,
          ecs: want('ecs')
            ? { ...ecs.snapshot(filter.families), services: ecsServices.snapshot() }
            : EMPTY_SNAPSHOT.ecs,
          cloudformation: want('cloudformation') ? cloudformation.snapshot() : EMPTY_SNAPSHOT.cloudformation,
          servicediscovery: want('servicediscovery')
            ? servicediscovery.snapshot()
            : EMPTY_SNAPSHOT.servicediscovery,
          vpclattice: want('vpclattice') ? vpclattice.snapshot() : EMPTY_SNAPSHOT.vpclattice,
          elbv2: want('elbv2') ? elbv2.snapshot() : EMPTY_SNAPSHOT.elbv2,
        }),
      ) as EmulatorSnapshot;
    },
    shareMesh(meshName, ownerAccountId, withAccountId = accountId) {
      appmesh.shareMesh(meshName, ownerAccountId, withAccountId);
    },
    unshareMesh(meshName, ownerAccountId, withAccountId = accountId) {
      appmesh.unshareMesh(meshName, ownerAccountId, withAccountId);
    },
    cloudformation: {
      putStack: (stack) => cloudformation.putStack(stack),
      setStackStatus: (id, status, reason) => cloudformation.setStackStatus(id, status, reason),
      putStackResource: (id, resource) => cloudformation.putStackResource(id, resource),
      deleteStack: (id) => cloudformation.deleteStack(id),
      stackId: (stackName, forAccount = accountId) => cloudformation.stackId(stackName, forAccount),
      getStack: (id) => cloudformation.getStack(id),
    },
    servicediscovery: {
      putNamespace: (name, o = {}) => servicediscovery.putNamespace(name, o.accountId ?? accountId, o.type),
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        // Hung calls hold their connections open on purpose; destroy them so closing never waits for a client.
        faults.releaseParked();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
  return emulator;
}
