#!/usr/bin/env node
/**
 * A CDK app that declares the workshop's nodejs service with the typed MeshService construct.
 * Run from this folder: `npx cdk synth` (the repository must be built: `npm ci` does it).
 */
import { App, Duration, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { HealthCheck, LogLevel, MeshService } from 'mesh-service-provider';

export class NodejsServiceStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const meshName = Fn.importValue('MeshName');

    // Both roles live under the path the provider may pass to ECS (its context passRoles, default mesh-service/*).
    const taskRole = new iam.Role(this, 'TaskRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      path: '/mesh-service/',
    });
    // The Envoy image lives in App Mesh's regional ECR repository.
    const executionRole = new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      path: '/mesh-service/',
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonECSTaskExecutionRolePolicy'),
      ],
    });
    // Envoy fetches its configuration with the task role (the virtual node is named after serviceName).
    taskRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['appmesh:StreamAggregatedResources'],
        resources: [Fn.join('', [Fn.importValue('MeshArn'), '/virtualNode/ecsdemo-nodejs'])],
      }),
    );
    const app = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      family: 'ecsdemo-nodejs',
      cpu: 256,
      memoryLimitMiB: 512,
      taskRole,
      executionRole,
    });
    app.addContainer('nodejs', {
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/aws-containers/ecsdemo-nodejs:latest'),
      portMappings: [{ containerPort: 3000 }],
      logging: ecs.LogDrivers.awsLogs({
        streamPrefix: 'nodejs',
        logGroup: new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_WEEK }),
      }),
    });

    const mesh = new MeshService(this, 'Nodejs', {
      meshName,
      serviceName: 'ecsdemo-nodejs',
      namespace: Fn.importValue('NSName'),
      port: 3000,
      healthCheck: HealthCheck.http({ path: '/health', interval: Duration.seconds(5) }),
      // The construct grants this stack's MeshService the patching of it (MeshService.allowPatching) and checks its
      // roles' path at synth.
      ecsTaskDefinition: app,
      envoy: { statsTags: true, logLevel: LogLevel.INFO },
      tags: [{ key: 'team', value: 'nodejs' }],
    });

    // The ECS service runs the patched revision the provider returns.
    new ecs.CfnService(this, 'Service', {
      cluster: Fn.importValue('ECSClusterName'),
      launchType: 'FARGATE',
      desiredCount: 1,
      taskDefinition: mesh.taskDefinitionArn,
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: Fn.split(',', Fn.importValue('MeshPrivateSubnetIds')),
          securityGroups: [Fn.importValue('ServicesSecGrp')],
        },
      },
    });
  }
}

if (require.main === module) {
  const app = new App();
  new NodejsServiceStack(app, 'NodejsService');
  app.synth();
}
