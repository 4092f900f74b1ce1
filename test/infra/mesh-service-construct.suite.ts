import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Backend, LogLevel, MeshService } from 'mesh-service-provider';
import { validateTemplate } from '../../cli/validate';
import { plainApp } from './plain-app';

function stackWith(build: (stack: Stack) => void): Template {
  const app = plainApp();
  const stack = new Stack(app, 'Consumer');
  build(stack);
  return Template.fromStack(stack);
}

describe('GIVEN the MeshService construct', () => {
  test('WHEN a canary is declared with typed props THEN it synthesizes PascalCase properties the provider accepts', () => {
    const template = stackWith((stack) => {
      const blue = new ecs.FargateTaskDefinition(stack, 'Blue', { family: 'nodejs-blue' });
      blue.addContainer('app', {
        image: ecs.ContainerImage.fromRegistry('nginx'),
        portMappings: [{ containerPort: 3000 }],
      });
      const green = new ecs.FargateTaskDefinition(stack, 'Green', { family: 'nodejs-green' });
      green.addContainer('app', {
        image: ecs.ContainerImage.fromRegistry('nginx'),
        portMappings: [{ containerPort: 3000 }],
      });
      const svc = new MeshService(stack, 'NodeJs', {
        meshName: 'ecs-mesh',
        serviceName: 'ecsdemo-nodejs',
        namespace: 'service.local',
        port: 3000,
        healthCheck: { path: '/health', intervalMillis: 10000 },
        versions: [
          { name: 'blue', taskDefinition: blue.taskDefinitionArn, weight: 90 },
          { name: 'green', taskDefinition: green.taskDefinitionArn, weight: 10 },
        ],
        discoveryAttributes: undefined,
        envoy: { logLevel: LogLevel.DEBUG, statsTags: true, egressIgnoredPorts: [5432] },
        tags: [{ key: 'team', value: 'nodejs' }],
      });
      // Attributes are typed getters; version attributes are methods.
      expect(svc.versionTaskDefinitionArn('blue')).toMatch(/^\$\{Token/);
      expect(svc.virtualServiceArn).toMatch(/^\$\{Token/);
    });
    const [resource] = Object.values(template.findResources('Custom::MeshService')) as {
      Properties: Record<string, unknown>;
    }[];
    const props = resource!.Properties;
    expect(props.ServiceToken).toEqual({ 'Fn::ImportValue': 'MeshServiceProvider-ServiceToken' });
    expect(props.ServiceTimeout).toBe('900');
    expect(props.HealthCheck).toEqual({ Path: '/health', IntervalMillis: 10000 });
    expect(props.Envoy).toEqual({ LogLevel: 'debug', StatsTags: true, EgressIgnoredPorts: [5432] });
    expect(props.Tags).toEqual([{ Key: 'team', Value: 'nodejs' }]);
    // The synthesized template passes the provider's own validation (intrinsics left unresolved).
    expect(validateTemplate(JSON.stringify(template.toJSON())).findings).toEqual([]);
  });

  test('WHEN props break a provider rule THEN synth fails with the provider message, naming the prop', () => {
    expect(() =>
      stackWith((stack) => {
        new MeshService(stack, 'Bad', {
          meshName: 'ecs-mesh',
          serviceName: 'x',
          port: 70000,
          namespace: 'service.local',
        });
      }),
    ).toThrow('MeshService Consumer/Bad: port: expected an integer 1-65535, got 70000');
  });

  test("WHEN a VpcLattice canary's first version names the serving target group THEN it synthesizes Versions[].TargetGroupName; with Backend AppMesh synth fails naming the prop", () => {
    const lattice = (backend: Backend) =>
      stackWith((stack) => {
        new MeshService(stack, 'Api', {
          backend,
          meshName: 'ecs-mesh',
          serviceName: 'api',
          namespace: 'service.local',
          port: 3000,
          ...(backend === Backend.VPC_LATTICE
            ? { vpcLattice: { serviceNetwork: 'platform', vpcId: 'vpc-0abc1234def567890' } }
            : {}),
          versions: [
            { name: 'v1', taskDefinition: 'api-v1:1', weight: 90, targetGroupName: 'api' },
            { name: 'v2', taskDefinition: 'api-v2:1', weight: 10 },
          ],
        });
      });
    const template = lattice(Backend.VPC_LATTICE);
    const [resource] = Object.values(template.findResources('Custom::MeshService')) as {
      Properties: Record<string, unknown>;
    }[];
    expect(resource!.Properties.Versions).toEqual([
      { Name: 'v1', TaskDefinition: 'api-v1:1', Weight: 90, TargetGroupName: 'api' },
      { Name: 'v2', TaskDefinition: 'api-v2:1', Weight: 10 },
    ]);
    expect(validateTemplate(JSON.stringify(template.toJSON())).findings).toEqual([]);
    expect(() => lattice(Backend.APP_MESH)).toThrow(
      /MeshService Consumer\/Api: versions\[0\]\.targetGroupName: only with backend VpcLattice \(the target group of a Lattice version\); remove targetGroupName$/,
    );
  });

  test('WHEN a service token and timeout are given THEN they are used', () => {
    const template = stackWith((stack) => {
      new MeshService(stack, 'S', {
        serviceToken: 'arn:aws:lambda:us-east-1:123456789012:function:MeshServiceProvider-ServiceToken',
        serviceTimeout: Duration.minutes(20),
        meshName: 'ecs-mesh',
        serviceName: 's',
        dnsHostname: 's.example.com',
        port: 8080,
        edge: true,
      });
    });
    template.hasResourceProperties('Custom::MeshService', {
      ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:MeshServiceProvider-ServiceToken',
      ServiceTimeout: '1200',
      Edge: true,
      DnsHostname: 's.example.com',
    });
  });

  test('WHEN MeshService.allowPatching grants a task definition THEN the tag names its stack by id, which no later stack can take', () => {
    const template = stackWith((stack) => {
      const td = new ecs.FargateTaskDefinition(stack, 'App', { family: 'granted' });
      td.addContainer('app', { image: ecs.ContainerImage.fromRegistry('nginx') });
      MeshService.allowPatching(td);
    });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Tags: [{ Key: 'mesh-service:allowed-stacks', Value: { Ref: 'AWS::StackId' } }],
    });
  });
});
