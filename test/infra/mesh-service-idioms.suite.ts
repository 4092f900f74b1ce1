import { Duration, Stack, Tags, Validations } from 'aws-cdk-lib';
import { Annotations, Match as AssertMatch, Template } from 'aws-cdk-lib/assertions';
import * as appmesh from 'aws-cdk-lib/aws-appmesh';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  Backend,
  HealthCheck,
  HttpMethod,
  HttpRetryEvent,
  LogLevel,
  Match,
  MeshService,
  type MeshServiceProps,
  MeshServiceProvider,
  Protocol,
  Route,
  TlsMode,
} from 'mesh-service-provider';
import { validateTemplate } from '../../cli/validate';
import { plainApp } from './plain-app';

const CA = 'arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/abc';
const BASE = { meshName: 'ecs-mesh', serviceName: 'orders', namespace: 'service.local', port: 3000 };

function inStack(build: (stack: Stack) => void): { stack: Stack; template: Template } {
  const app = plainApp();
  const stack = new Stack(app, 'Consumer');
  build(stack);
  return { stack, template: Template.fromStack(stack) };
}

const meshProps = (template: Template): Record<string, unknown> => {
  const [resource] = Object.values(template.findResources('Custom::MeshService')) as {
    Properties: Record<string, unknown>;
  }[];
  return resource!.Properties;
};

const synthError = (build: (stack: Stack) => void): string => {
  try {
    inStack(build);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('synth did not fail');
};

/** A task definition with both roles under the path the provider's default passRoles allow. */
function meshReadyTaskDefinition(
  stack: Stack,
  id: string,
  path = '/mesh-service/',
): ecs.FargateTaskDefinition {
  const role = (name: string) =>
    new iam.Role(stack, `${id}${name}`, {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      path,
    });
  const td = new ecs.FargateTaskDefinition(stack, id, {
    family: id.toLowerCase(),
    taskRole: role('TaskRole'),
    executionRole: role('ExecutionRole'),
  });
  td.addContainer('app', {
    image: ecs.ContainerImage.fromRegistry('nginx'),
    portMappings: [{ containerPort: 3000 }],
  });
  return td;
}

describe('GIVEN the MeshService construct with the CDK idioms (enums, Durations, references, helpers, tags)', () => {
  test('WHEN choices are enums and times Durations THEN the resource gets the contract values, milliseconds and seconds', () => {
    const { template } = inStack((stack) => {
      new MeshService(stack, 'Orders', {
        ...BASE,
        protocol: Protocol.HTTP2,
        backend: Backend.APP_MESH,
        healthCheck: { path: '/health', interval: Duration.seconds(10), timeout: Duration.millis(2500) },
        listenerTimeout: { perRequest: Duration.seconds(15), idle: Duration.minutes(5) },
        outlierDetection: {
          maxServerErrors: 5,
          interval: Duration.seconds(10),
          baseEjectionDuration: Duration.seconds(30),
          maxEjectionPercent: 50,
        },
        tls: {
          mode: TlsMode.PERMISSIVE,
          certificate: { acmCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc' },
        },
        routes: [
          {
            name: 'default',
            match: { prefix: '/', method: HttpMethod.GET },
            retry: {
              maxRetries: 2,
              perRetryTimeout: Duration.seconds(1),
              httpRetryEvents: [HttpRetryEvent.SERVER_ERROR],
            },
          },
        ],
        taskDefinition: 'orders:1',
        envoy: { logLevel: LogLevel.DEBUG, drainTime: Duration.seconds(30) },
      });
    });
    const props = meshProps(template);
    expect(props).toMatchObject({
      Protocol: 'http2',
      Backend: 'AppMesh',
      HealthCheck: { Path: '/health', IntervalMillis: 10000, TimeoutMillis: 2500 },
      ListenerTimeout: { PerRequestMillis: 15000, IdleMillis: 300000 },
      OutlierDetection: { IntervalMillis: 10000, BaseEjectionDurationMillis: 30000 },
      Tls: { Mode: 'PERMISSIVE' },
      Routes: [
        {
          Match: { Prefix: '/', Method: 'GET' },
          Retry: { MaxRetries: 2, PerRetryTimeoutMillis: 1000, HttpRetryEvents: ['server-error'] },
        },
      ],
      Envoy: { LogLevel: 'debug', DrainTimeSeconds: 30 },
    });
    expect(validateTemplate(JSON.stringify(template.toJSON())).findings).toEqual([]);
  });

  test('WHEN a Duration is out of the contract range or not whole THEN synth fails naming the TypeScript prop and the range as durations', () => {
    expect(
      synthError((stack) => {
        new MeshService(stack, 'S', { ...BASE, healthCheck: { interval: Duration.seconds(1) } });
      }),
    ).toBe(
      'MeshService Consumer/S: healthCheck.interval: expected a duration of 5 seconds to 5 minutes, got 1 second',
    );
    expect(
      synthError((stack) => {
        new MeshService(stack, 'S', {
          ...BASE,
          taskDefinition: 'orders:1',
          envoy: { drainTime: Duration.millis(5500) },
        });
      }),
    ).toBe(
      'MeshService Consumer/S: envoy.drainTime: expected a whole number of seconds, got 5 seconds 500 millis',
    );
  });

  test('WHEN a contract rule breaks on a prop THEN the message names the prop the user wrote, not the CloudFormation property', () => {
    expect(
      synthError((stack) => {
        new MeshService(stack, 'S', {
          ...BASE,
          healthCheck: { path: '/health', interval: Duration.seconds(5), timeout: Duration.seconds(6) },
        });
      }),
    ).toBe('MeshService Consumer/S: healthCheck.timeout: must be shorter than interval (5000), got 6000');
    // The names in the words of a message too; a value (ServiceConnect) and plain words (Envoy) stay.
    expect(
      synthError((stack) => {
        new MeshService(stack, 'S', {
          ...BASE,
          versions: [{ name: 'blue', taskDefinition: 'blue:1' }],
          taskDefinition: 'orders:1',
        });
      }),
    ).toBe('MeshService Consumer/S: taskDefinition: with versions, give each version its own taskDefinition');
    expect(
      synthError((stack) => {
        new MeshService(stack, 'S', {
          ...BASE,
          versions: [
            { name: 'blue', taskDefinition: 'blue:1' },
            { name: 'Blue!', taskDefinition: 'green:1' },
          ],
        });
      }),
    ).toMatch(/^MeshService Consumer\/S: versions\[1\]\.name: /);
    const { meshName: _mesh, ...withoutMesh } = BASE;
    expect(
      synthError((stack) => {
        new MeshService(stack, 'S', withoutMesh as MeshServiceProps);
      }),
    ).toBe('MeshService Consumer/S: meshName (or mesh): required property is missing');
  });

  test('WHEN a time is given in the deprecated milliseconds prop THEN it still works, and both at once are refused', () => {
    const { template } = inStack((stack) => {
      new MeshService(stack, 'S', { ...BASE, healthCheck: { path: '/health', intervalMillis: 7000 } });
    });
    expect(meshProps(template).HealthCheck).toEqual({ Path: '/health', IntervalMillis: 7000 });
    expect(
      synthError((stack) => {
        new MeshService(stack, 'S', {
          ...BASE,
          healthCheck: { path: '/health', interval: Duration.seconds(7), intervalMillis: 7000 },
        });
      }),
    ).toBe(
      'MeshService Consumer/S: healthCheck.interval: give interval or intervalMillis (deprecated), not both',
    );
  });

  test('WHEN the static helpers build the health check, routes and matches THEN they are the contract shapes', () => {
    const { template } = inStack((stack) => {
      new MeshService(stack, 'S', {
        ...BASE,
        healthCheck: HealthCheck.http({ path: '/health', interval: Duration.seconds(10) }),
        versions: [
          { name: 'blue', taskDefinition: 'blue:1' },
          { name: 'green', taskDefinition: 'green:1' },
        ],
        routes: [
          Route.to('beta', 'green', {
            match: Match.pathPrefix('/', [
              Match.header('x-beta', 'yes'),
              Match.not(Match.headerPresent('x-old')),
            ]),
            priority: 0,
          }),
          Route.weighted('canary', { blue: 90, green: 10 }, { priority: 1 }),
        ],
      });
    });
    const props = meshProps(template);
    expect(props.HealthCheck).toEqual({ Path: '/health', IntervalMillis: 10000, Protocol: 'http' });
    expect(props.Routes).toEqual([
      {
        Name: 'beta',
        Priority: 0,
        Match: {
          Prefix: '/',
          Headers: [
            { Name: 'x-beta', Exact: 'yes' },
            { Name: 'x-old', Invert: true },
          ],
        },
        Targets: [{ Version: 'green', Weight: 100 }],
      },
      {
        Name: 'canary',
        Priority: 1,
        Targets: [
          { Version: 'blue', Weight: 90 },
          { Version: 'green', Weight: 10 },
        ],
      },
    ]);
    expect(validateTemplate(JSON.stringify(template.toJSON())).findings).toEqual([]);
    expect(() => HealthCheck.tcp({ protocol: Protocol.HTTP })).toThrow(
      'HealthCheck.tcp: options.protocol is http; leave it out (the helper sets tcp)',
    );
  });

  test('WHEN the mesh, the gateway, the provider, backend services and the service of a backend policy are constructs THEN their names and token are used, and the resource waits for its backends', () => {
    const { stack, template } = inStack((stack) => {
      const mesh = new appmesh.Mesh(stack, 'Mesh', { meshName: 'ecs-mesh' });
      Validations.of(mesh).acknowledge({
        id: 'CloudFormation-Validate::W3696',
        reason: 'the App Mesh constructs are what this test references',
      });
      const gateway = mesh.addVirtualGateway('Gateway', {
        virtualGatewayName: 'edge-gw',
        listeners: [appmesh.VirtualGatewayListener.http({ port: 8080 })],
      });
      const provider = new MeshServiceProvider(stack, 'Provider');
      const { meshName: _m, ...service } = BASE;
      const crystal = new MeshService(stack, 'Crystal', {
        ...service,
        mesh,
        provider,
        serviceName: 'crystal',
      });
      new MeshService(stack, 'Frontend', {
        ...service,
        mesh,
        provider,
        serviceName: 'frontend',
        backends: ['legacy.service.local'],
        backendServices: [crystal],
        backendPolicies: [
          {
            virtualService: crystal,
            clientTls: { validation: { trust: { acmCertificateAuthorityArns: [CA] } } },
          },
        ],
        gateway: { virtualGateway: gateway, prefix: '/' },
      });
    });
    const resources = template.findResources('Custom::MeshService');
    const crystalId = Object.keys(resources).find((id) => id.startsWith('Crystal'))!;
    const frontendId = Object.keys(resources).find((id) => id.startsWith('Frontend'))!;
    const frontend = resources[frontendId]!;
    const meshId = stack.getLogicalId(stack.node.findChild('Mesh').node.defaultChild as appmesh.CfnMesh);
    expect(frontend.Properties.MeshName).toEqual({ 'Fn::GetAtt': [meshId, 'MeshName'] });
    expect(frontend.Properties.Backends).toEqual([
      'legacy.service.local',
      { 'Fn::GetAtt': [crystalId, 'VirtualServiceName'] },
    ]);
    expect(frontend.Properties.BackendPolicies).toEqual([
      {
        VirtualServiceName: { 'Fn::GetAtt': [crystalId, 'VirtualServiceName'] },
        ClientTls: { Validation: { Trust: { AcmCertificateAuthorityArns: [CA] } } },
      },
    ]);
    expect(frontend.Properties.Gateway).toEqual({
      VirtualGatewayName: {
        'Fn::GetAtt': [expect.stringMatching(/^MeshGateway/), 'VirtualGatewayName'],
      },
      Prefix: '/',
    });
    expect(frontend.Properties.ServiceToken).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/frameworkonEvent/), 'Arn'],
    });
    expect(frontend.DependsOn).toContain(crystalId);
  });

  test('WHEN a reference and its string are both given THEN synth refuses naming both props', () => {
    expect(
      synthError((stack) => {
        const mesh = new appmesh.Mesh(stack, 'Mesh');
        new MeshService(stack, 'S', { ...BASE, mesh });
      }),
    ).toBe('MeshService Consumer/S: mesh: give mesh or meshName, not both');
    expect(
      synthError((stack) => {
        const edge = new MeshService(stack, 'Edge', { ...BASE, serviceName: 'edge', edge: true });
        new MeshService(stack, 'S', { ...BASE, backendServices: [edge] });
      }),
    ).toBe(
      'MeshService Consumer/S: backendServices: Consumer/Edge is an edge service (Edge: true): nothing calls it, it has no virtual service',
    );
  });

  test('WHEN an ecs.ITaskDefinition of the same stack is given THEN the construct grants the patching by stack id and passes its ARN', () => {
    const { template } = inStack((stack) => {
      const td = meshReadyTaskDefinition(stack, 'Orders');
      new MeshService(stack, 'S', {
        ...BASE,
        ecsTaskDefinition: td,
        provider: new MeshServiceProvider(stack, 'P'),
      });
    });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Family: 'orders',
      Tags: [{ Key: 'mesh-service:allowed-stacks', Value: { Ref: 'AWS::StackId' } }],
    });
    expect(meshProps(template).TaskDefinition).toEqual({ Ref: expect.stringMatching(/^Orders/) });
  });

  test('WHEN a version task definition has roles outside the provider passRoles THEN synth fails naming the prop, the role and the fix', () => {
    const message = synthError((stack) => {
      const provider = new MeshServiceProvider(stack, 'P');
      const blue = meshReadyTaskDefinition(stack, 'Blue');
      const green = new ecs.FargateTaskDefinition(stack, 'Green', { family: 'green' });
      green.addContainer('app', { image: ecs.ContainerImage.fromRegistry('nginx') });
      new MeshService(stack, 'S', {
        ...BASE,
        provider,
        versions: [
          { name: 'blue', ecsTaskDefinition: blue, weight: 90 },
          { name: 'green', ecsTaskDefinition: green, weight: 10 },
        ],
      });
    });
    expect(message).toContain(
      "MeshService Consumer/S: versions[1].ecsTaskDefinition: its task role Consumer/Green/TaskRole is the IAM path /, outside the roles the provider may pass to ECS (role/mesh-service/*), so the provider would refuse to patch it: create the role with path: '/mesh-service/'",
    );
    expect(message).not.toContain('versions[0]');
  });

  test('WHEN the provider is not in the app and the role path is outside the default passRoles THEN synth warns with the same fix', () => {
    const { stack } = inStack((stack) => {
      const td = meshReadyTaskDefinition(stack, 'Orders', '/');
      new MeshService(stack, 'S', { ...BASE, ecsTaskDefinition: td });
    });
    const warnings = Annotations.fromStack(stack).findWarning('/Consumer/S', AssertMatch.anyValue());
    expect(warnings.map((w) => w.entry.data)).toEqual([
      expect.stringContaining('ecsTaskDefinition: its task role Consumer/OrdersTaskRole is the IAM path /'),
      expect.stringContaining(
        'ecsTaskDefinition: its execution role Consumer/OrdersExecutionRole is the IAM path /',
      ),
    ]);
  });

  test('WHEN a task definition of the app is given as a string without the patching grant THEN synth warns naming allowPatching; with the grant or an allowed family it does not', () => {
    const warningsOf = (grant: 'none' | 'allowPatching' | 'family') => {
      const { stack } = inStack((stack) => {
        const provider = new MeshServiceProvider(stack, 'P', {
          allowedTaskFamilies: grant === 'family' ? ['ord*'] : [],
        });
        const td = meshReadyTaskDefinition(stack, 'Orders');
        if (grant === 'allowPatching') MeshService.allowPatching(td);
        // With the provider object its allowed families are known; by its token alone they are not.
        const token = grant === 'family' ? { provider } : { serviceToken: provider.serviceToken };
        new MeshService(stack, 'S', { ...BASE, ...token, taskDefinition: td.taskDefinitionArn });
      });
      return Annotations.fromStack(stack)
        .findWarning('/Consumer/S', AssertMatch.anyValue())
        .map((w) => w.entry.data);
    };
    expect(warningsOf('none')).toEqual([
      expect.stringContaining(
        "MeshService Consumer/S: taskDefinition: the task definition Consumer/Orders has no patching grant (tag mesh-service:allowed-stacks = this stack's id), so the provider would refuse to patch it: call MeshService.allowPatching(taskDefinition), give it as ecsTaskDefinition",
      ),
    ]);
    expect(warningsOf('allowPatching')).toEqual([]);
    expect(warningsOf('family')).toEqual([]);
  });

  test('WHEN the ecsTaskDefinition is in another stack THEN it gets no grant (a grant names one stack) and synth warns saying where to declare the MeshService', () => {
    const app = plainApp();
    const tasks = new Stack(app, 'Tasks');
    const services = new Stack(app, 'Services');
    const td = meshReadyTaskDefinition(tasks, 'Orders');
    new MeshService(services, 'S', { ...BASE, ecsTaskDefinition: td });
    const warnings = Annotations.fromStack(services)
      .findWarning('/Services/S', AssertMatch.anyValue())
      .map((w) => w.entry.data);
    expect(warnings).toEqual([
      "MeshService Services/S: ecsTaskDefinition: the task definition Tasks/Orders is in stack Tasks, the MeshService in Services: a grant names one stack by id and cannot name this one without a cycle; declare the MeshService in the task definition's stack, or list the family in the provider's allowedTaskFamilies [ack: mesh-service:patching-grant]",
    ]);
    for (const resource of Object.values(
      Template.fromStack(tasks).findResources('AWS::ECS::TaskDefinition'),
    )) {
      expect(resource.Properties.Tags).toBeUndefined();
    }
  });

  test('WHEN MeshService.allowPatching grants a whole stack THEN its task definitions get the grant and the MeshService (taggable now) does not', () => {
    const { template } = inStack((stack) => {
      const td = meshReadyTaskDefinition(stack, 'Orders');
      new MeshService(stack, 'S', { ...BASE, taskDefinition: td.taskDefinitionArn });
      MeshService.allowPatching(stack);
    });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Tags: [{ Key: 'mesh-service:allowed-stacks', Value: { Ref: 'AWS::StackId' } }],
    });
    expect(meshProps(template).Tags).toBeUndefined();
  });

  test('WHEN Tags.of() tags a scope THEN the resource Tags carry them (the props tags win for the same key), and too many tags fail synth', () => {
    const { template } = inStack((stack) => {
      new MeshService(stack, 'S', { ...BASE, tags: [{ key: 'team', value: 'orders' }] });
      Tags.of(stack).add('cost-center', '42');
      Tags.of(stack).add('team', 'platform');
    });
    expect(meshProps(template).Tags).toEqual([
      { Key: 'team', Value: 'orders' },
      { Key: 'cost-center', Value: '42' },
    ]);
    expect(
      synthError((stack) => {
        new MeshService(stack, 'S', BASE);
        for (let i = 0; i < 37; i++) Tags.of(stack).add(`k${i}`, 'v');
      }),
    ).toContain('MeshService Consumer/S: tags (with those of Tags.of): expected 0-36 items, got 37');
  });
});
