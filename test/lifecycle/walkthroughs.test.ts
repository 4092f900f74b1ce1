/**
 * Shapes from AWS's App Mesh walkthroughs, through the provider and read back with the real App Mesh SDK client from
 * the emulator: what each property produces, where the walkthroughs and the provider once differed (issue 22).
 */
import {
  AppMeshClient,
  DescribeGatewayRouteCommand,
  DescribeVirtualNodeCommand,
} from '@aws-sdk/client-app-mesh';
import {
  createEvent,
  deleteEvent,
  type Props,
  startWorld,
  updateEvent,
  type World,
} from '../support/harness';
import { expectNothingLeft, mutatingCalls, revisions } from '../support/state';

let world: World;
let appmesh: AppMeshClient;
beforeAll(async () => {
  world = await startWorld();
  appmesh = new AppMeshClient({});
});
afterAll(async () => {
  appmesh.destroy();
  await world.close();
});

async function node(name: string) {
  const out = await appmesh.send(
    new DescribeVirtualNodeCommand({ meshName: 'ecs-mesh', virtualNodeName: name }),
  );
  return out.virtualNode!;
}

describe('Cloud Map attributes of a version', () => {
  test('GIVEN a single version WHEN created THEN its node selects its family, and adding a second version leaves that node unchanged', async () => {
    const provider = world.provider();
    const v1 = await world.registerApp('colorteller-white');
    const v2 = await world.registerApp('colorteller-black');
    const base = {
      MeshName: 'ecs-mesh',
      ServiceName: 'colorteller',
      Namespace: 'service.local',
      Port: '3000',
    };
    const one: Props = { ...base, Versions: [{ Name: 'white', TaskDefinition: v1 }] };
    const created = await provider(createEvent(one));
    const white = await node('colorteller-white');
    expect(white.spec?.serviceDiscovery?.awsCloudMap?.attributes).toEqual([
      { key: 'ECS_TASK_DEFINITION_FAMILY', value: 'colorteller-white' },
    ]);

    const two: Props = {
      ...base,
      Versions: [
        { Name: 'white', TaskDefinition: v1, Weight: '100' },
        { Name: 'black', TaskDefinition: v2, Weight: '0' },
      ],
    };
    await provider(updateEvent(created.PhysicalResourceId, two, one));
    const whiteAfter = await node('colorteller-white');
    // Not updated at all: the node's discovery, and so the tasks it routes to, stay what they were.
    expect(whiteAfter.metadata?.version).toBe(white.metadata?.version);
    expect((await node('colorteller-black')).spec?.serviceDiscovery?.awsCloudMap?.attributes).toEqual([
      { key: 'ECS_TASK_DEFINITION_FAMILY', value: 'colorteller-black' },
    ]);

    await provider(deleteEvent(created.PhysicalResourceId, two));
    expectNothingLeft(world.emulator);
  });

  test('GIVEN a service without Versions WHEN created THEN its node filters on no attribute (every instance of its Cloud Map service is its own)', async () => {
    const provider = world.provider();
    const td = await world.registerApp('colorgateway');
    const props: Props = {
      MeshName: 'ecs-mesh',
      ServiceName: 'colorgateway',
      Namespace: 'service.local',
      Port: '3000',
      TaskDefinition: td,
    };
    const created = await provider(createEvent(props));
    expect((await node('colorgateway')).spec?.serviceDiscovery?.awsCloudMap?.attributes).toBeUndefined();
    await provider(deleteEvent(created.PhysicalResourceId, props));
    expectNothingLeft(world.emulator);
  });
});

describe("a gateway route of the gateway listener's protocol", () => {
  test('GIVEN an http2 service WHEN it asks for a gateway route on the http gateway THEN the route is an httpRoute to its http2 virtual service', async () => {
    const provider = world.provider();
    const td = await world.registerApp('color-h2');
    const props: Props = {
      MeshName: 'ecs-mesh',
      ServiceName: 'color-h2',
      Namespace: 'service.local',
      Port: '3000',
      Protocol: 'http2',
      TaskDefinition: td,
      Gateway: { VirtualGatewayName: 'ecsworkshop-vgw', Prefix: '/color/' },
    };
    const created = await provider(createEvent(props));
    const out = await appmesh.send(
      new DescribeGatewayRouteCommand({
        meshName: 'ecs-mesh',
        virtualGatewayName: 'ecsworkshop-vgw',
        gatewayRouteName: 'color-h2',
      }),
    );
    expect(out.gatewayRoute?.spec).toEqual({
      httpRoute: {
        action: { target: { virtualService: { virtualServiceName: 'color-h2.service.local' } } },
        match: { prefix: '/color/' },
      },
    });
    expect((await node('color-h2')).spec?.listeners?.[0]?.portMapping).toEqual({
      port: 3000,
      protocol: 'http2',
    });
    await provider(deleteEvent(created.PhysicalResourceId, props));
    expectNothingLeft(world.emulator);
  });

  test('GIVEN a grpc service WHEN its Gateway matches a gRPC service name on the http gateway THEN it is refused before any change, naming the property and the listener', async () => {
    const provider = world.provider();
    world.emulator.clearRequests();
    await expect(
      provider(
        createEvent({
          MeshName: 'ecs-mesh',
          ServiceName: 'color-grpc',
          Namespace: 'service.local',
          Port: '3000',
          Protocol: 'grpc',
          Gateway: { VirtualGatewayName: 'ecsworkshop-vgw', ServiceName: 'color.Color' },
        }),
      ),
    ).rejects.toThrow(
      'Gateway.ServiceName: virtual gateway "ecsworkshop-vgw" listens for http on port 3000, so its gateway route is an httpRoute, which matches no gRPC service name; match with Prefix, Path, PathRegex, Method, Headers or QueryParameters, or use a gateway with a grpc listener',
    );
    expect(mutatingCalls(world.emulator)).toEqual([]);
  });
});

describe('listener TLS per version', () => {
  test('GIVEN two versions with different certificates WHEN created THEN each node carries its own, with the validation it overrides', async () => {
    const provider = world.provider();
    const white = await world.registerApp('tls-white');
    const black = await world.registerApp('tls-black');
    const props: Props = {
      MeshName: 'ecs-mesh',
      ServiceName: 'tlsteller',
      Namespace: 'service.local',
      Port: '3000',
      Tls: {
        Mode: 'STRICT',
        Certificate: { CertificateChain: '/certs/white_cert_chain.pem', PrivateKey: '/certs/white_key.pem' },
        Validation: { Trust: { CertificateChain: '/certs/ca_1_cert.pem' } },
      },
      Versions: [
        { Name: 'white', TaskDefinition: white, Weight: '50' },
        {
          Name: 'black',
          TaskDefinition: black,
          Weight: '50',
          Tls: {
            Certificate: {
              CertificateChain: '/certs/black_cert_chain.pem',
              PrivateKey: '/certs/black_key.pem',
            },
            Validation: { Trust: { SdsSecretName: 'ca-2' } },
          },
        },
      ],
      Envoy: { SdsSocketPath: '/run/spire/sockets/agent.sock' },
    };
    const created = await provider(createEvent(props));
    expect((await node('tlsteller-white')).spec?.listeners?.[0]?.tls).toEqual({
      mode: 'STRICT',
      certificate: {
        file: { certificateChain: '/certs/white_cert_chain.pem', privateKey: '/certs/white_key.pem' },
      },
      validation: { trust: { file: { certificateChain: '/certs/ca_1_cert.pem' } } },
    });
    expect((await node('tlsteller-black')).spec?.listeners?.[0]?.tls).toEqual({
      mode: 'STRICT',
      certificate: {
        file: { certificateChain: '/certs/black_cert_chain.pem', privateKey: '/certs/black_key.pem' },
      },
      validation: { trust: { sds: { secretName: 'ca-2' } } },
    });
    await provider(deleteEvent(created.PhysicalResourceId, props));
    expectNothingLeft(world.emulator);
  });

  test('GIVEN a version whose certificate is from ACM WHEN created THEN only its patched revision says its task role needs acm:ExportCertificate', async () => {
    const provider = world.provider();
    const acm = 'arn:aws:acm:us-east-1:111122223333:certificate/black-1';
    const white = await world.registerApp('acm-white');
    const black = await world.registerApp('acm-black');
    const props: Props = {
      MeshName: 'ecs-mesh',
      ServiceName: 'acmteller',
      Namespace: 'service.local',
      Port: '3000',
      Tls: { Mode: 'PERMISSIVE', Certificate: { CertificateChain: '/c.pem', PrivateKey: '/k.pem' } },
      Versions: [
        { Name: 'white', TaskDefinition: white, Weight: '50' },
        {
          Name: 'black',
          TaskDefinition: black,
          Weight: '50',
          Tls: { Certificate: { AcmCertificateArn: acm } },
        },
      ],
    };
    const created = await provider(createEvent(props));
    expect((await node('acmteller-black')).spec?.listeners?.[0]?.tls?.certificate).toEqual({
      acm: { certificateArn: acm },
    });
    type Container = { name?: string; dockerLabels?: Record<string, string> };
    const label = (arn: string) => {
      const task = revisions(world.emulator).find((r) => r.arn === arn)?.task as
        | { containerDefinitions?: Container[] }
        | undefined;
      return task?.containerDefinitions?.find((c) => c.name === 'envoy')?.dockerLabels?.[
        'mesh-service.task-role-needs'
      ];
    };
    expect(label(created.Data!['Versions.black.TaskDefinitionArn']!)).toBe('acm:ExportCertificate');
    expect(label(created.Data!['Versions.white.TaskDefinitionArn']!)).toBeUndefined();
    await provider(deleteEvent(created.PhysicalResourceId, props));
    expectNothingLeft(world.emulator);
  });
});
