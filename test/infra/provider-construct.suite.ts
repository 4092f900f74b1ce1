import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Backend, defaultHandlerCodePath, MeshService, MeshServiceProvider } from 'mesh-service-provider';
import { plainApp } from './plain-app';

function inStack(build: (stack: Stack) => void): Template {
  const stack = new Stack(plainApp(), 'Existing');
  build(stack);
  return Template.fromStack(stack);
}

const FUNCTION_ARN = { 'Fn::GetAtt': [Match.stringLikeRegexp('^ProviderframeworkonEvent'), 'Arn'] };

describe('GIVEN the MeshServiceProvider construct inside an existing stack', () => {
  test('WHEN a MeshService uses its serviceToken THEN the custom resource points at the framework function of the same stack', () => {
    const template = inStack((stack) => {
      const provider = new MeshServiceProvider(stack, 'Provider');
      new MeshService(stack, 'Svc', {
        serviceToken: provider.serviceToken,
        meshName: 'ecs-mesh',
        serviceName: 'svc',
        namespace: 'service.local',
        port: 3000,
      });
    });
    template.hasResourceProperties('Custom::MeshService', { ServiceToken: FUNCTION_ARN });
    template.resourceCountIs('AWS::CloudFormation::Stack', 0);
  });

  test('WHEN no policy option is given THEN the handler gets the same secure defaults as the provider stack', () => {
    const template = inStack((stack) => new MeshServiceProvider(stack, 'Provider'));
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: Match.absent(),
      Runtime: 'nodejs24.x',
      LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'INFO' },
      Environment: {
        Variables: Match.objectLike({
          MESH_SERVICE_INVOKER_ACCOUNTS: '',
          MESH_SERVICE_TASK_FAMILIES: '',
          MESH_SERVICE_PASS_ROLES: 'mesh-service/*',
          MESH_SERVICE_IMAGES: '',
          MESH_SERVICE_VERIFY_STACKS: 'true',
          MESH_SERVICE_SHARED_MESH_OWNERS: '',
        }),
      },
    });
    // The reclaimer's rules (events.amazonaws.com) aside.
    expect(
      Object.values(template.findResources('AWS::Lambda::Permission')).filter(
        (p) => p.Properties.Principal !== 'events.amazonaws.com',
      ),
    ).toHaveLength(0);
    for (const group of Object.values(template.findResources('AWS::Logs::LogGroup'))) {
      expect(group.Properties.RetentionInDays).toBe(365);
      expect(group.Properties.KmsKeyId).toEqual({
        'Fn::GetAtt': [expect.stringMatching(/^ProviderLogsKey/), 'Arn'],
      });
    }
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('WHEN two stages of one app in one account and Region each have a provider THEN no function has a fixed name that would collide', () => {
    const app = plainApp();
    const env = { account: '123456789012', region: 'eu-west-1' };
    const stacks = ['Beta', 'Prod'].map((stage) => {
      const stack = new Stack(app, `${stage}Services`, { env });
      new MeshServiceProvider(stack, 'Provider');
      return stack;
    });
    const names = stacks.flatMap((stack) =>
      Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function')).map(
        (f) => f.Properties.FunctionName,
      ),
    );
    expect(names.length).toBeGreaterThanOrEqual(4);
    expect(names.filter((n) => n !== undefined)).toEqual([]);
  });

  test('WHEN the policy options are given THEN the handler, the invoke permissions and iam:PassRole follow them', () => {
    const template = inStack(
      (stack) =>
        new MeshServiceProvider(stack, 'Provider', {
          namePrefix: 'TeamMesh',
          invokerAccountIds: ['111111111111'],
          allowedTaskFamilies: ['ci-*'],
          passRoles: ['ecs-tasks/*'],
          allowedImages: ['123456789012.dkr.ecr.us-east-1.amazonaws.com/mirror/*'],
          verifyStackRequests: false,
          sharedMeshOwnerAccountIds: ['333333333333', '444444444444'],
        }),
    );
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'TeamMesh-Handler',
      Environment: {
        Variables: Match.objectLike({
          MESH_SERVICE_INVOKER_ACCOUNTS: '111111111111',
          MESH_SERVICE_TASK_FAMILIES: 'ci-*',
          MESH_SERVICE_PASS_ROLES: 'ecs-tasks/*',
          MESH_SERVICE_VERIFY_STACKS: 'false',
          MESH_SERVICE_SHARED_MESH_OWNERS: '333333333333,444444444444',
        }),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'TeamMesh-ServiceToken' });
    template.hasResourceProperties('AWS::Lambda::Permission', { Principal: '111111111111' });
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).toContain(':role/ecs-tasks/*');
    expect(() => inStack((stack) => new MeshServiceProvider(stack, 'P', { passRoles: ['*'] }))).toThrow(
      /passRoles: "\*" is not a role pattern/,
    );
  });

  test('WHEN encryptLogs is false THEN no key is created and the log groups use CloudWatch Logs encryption', () => {
    const template = inStack((stack) => new MeshServiceProvider(stack, 'Provider', { encryptLogs: false }));
    template.resourceCountIs('AWS::KMS::Key', 0);
    for (const group of Object.values(template.findResources('AWS::Logs::LogGroup'))) {
      expect(group.Properties.KmsKeyId).toBeUndefined();
    }
  });

  test('WHEN a VPC is given THEN the three functions (handler, framework, reclaimer) run in it', () => {
    const template = inStack((stack) => {
      const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 1, restrictDefaultSecurityGroup: false });
      new MeshServiceProvider(stack, 'Provider', { vpc });
    });
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(functions).toHaveLength(3);
    for (const f of functions) expect(f.Properties.VpcConfig.SubnetIds).toHaveLength(2);
  });

  test('WHEN no codePath is given THEN the asset is the bundle the package ships (dist/lambda)', () => {
    expect(defaultHandlerCodePath()).toBe(path.join(__dirname, '..', '..', 'dist', 'lambda'));
  });
});

describe('GIVEN an L2 ecs.FargateService and a MeshService patching its task definition', () => {
  test('WHEN runPatchedRevision is called THEN the ECS service runs the patched revision and waits for the MeshService', () => {
    const template = inStack((stack) => {
      const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 1, restrictDefaultSecurityGroup: false });
      const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
      const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
      taskDefinition.addContainer('app', {
        image: ecs.ContainerImage.fromRegistry('public.ecr.aws/aws-containers/ecsdemo-nodejs:latest'),
        portMappings: [{ containerPort: 3000 }],
      });
      MeshService.allowPatching(taskDefinition);
      const mesh = new MeshService(stack, 'Mesh', {
        meshName: 'ecs-mesh',
        serviceName: 'svc',
        namespace: 'service.local',
        port: 3000,
        taskDefinition: taskDefinition.taskDefinitionArn,
      });
      const service = new ecs.FargateService(stack, 'Service', { cluster, taskDefinition });
      mesh.runPatchedRevision(service);
    });
    const [id] = Object.keys(template.findResources('Custom::MeshService'));
    template.hasResource('AWS::ECS::Service', {
      Properties: Match.objectLike({ TaskDefinition: { 'Fn::GetAtt': [id, 'TaskDefinitionArn'] } }),
      DependsOn: Match.arrayWith([id]),
    });
  });

  test("WHEN the MeshService is a VpcLattice service THEN runPatchedRevision also wires the version's target group and port into VpcLatticeConfigurations", () => {
    const roleArn = 'arn:aws:iam::111122223333:role/ecsInfrastructureRoleForVpcLattice';
    const template = inStack((stack) => {
      const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 1, restrictDefaultSecurityGroup: false });
      const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
      const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
      taskDefinition.addContainer('app', {
        image: ecs.ContainerImage.fromRegistry('public.ecr.aws/aws-containers/ecsdemo-nodejs:latest'),
        portMappings: [{ containerPort: 3000 }],
      });
      MeshService.allowPatching(taskDefinition);
      const mesh = new MeshService(stack, 'Mesh', {
        backend: Backend.VPC_LATTICE,
        meshName: 'ecs-mesh',
        serviceName: 'svc',
        namespace: 'service.local',
        port: 3000,
        vpcLattice: { serviceNetwork: 'platform', vpcId: 'vpc-0abc1234def567890' },
        versions: [{ name: 'blue', taskDefinition: taskDefinition.taskDefinitionArn, weight: 100 }],
      });
      const service = new ecs.FargateService(stack, 'Service', { cluster, taskDefinition });
      expect(() => mesh.runPatchedRevision(service, 'blue')).toThrow(/needs options\.vpcLatticeRoleArn/);
      mesh.runPatchedRevision(service, 'blue', { vpcLatticeRoleArn: roleArn });
    });
    const [id] = Object.keys(template.findResources('Custom::MeshService'));
    template.hasResource('AWS::ECS::Service', {
      Properties: Match.objectLike({
        TaskDefinition: { 'Fn::GetAtt': [id, 'Versions.blue.TaskDefinitionArn'] },
        VpcLatticeConfigurations: [
          {
            PortName: { 'Fn::GetAtt': [id, 'PortName'] },
            RoleArn: roleArn,
            TargetGroupArn: { 'Fn::GetAtt': [id, 'Versions.blue.TargetGroupArn'] },
          },
        ],
      }),
      DependsOn: Match.arrayWith([id]),
    });
  });
});
