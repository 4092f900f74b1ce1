import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/app-builder';
import {
  ENVOY_HEALTH_CHECK,
  LATTICE_EXPORTS,
  PLATFORM_EXPORTS,
  PLATFORM_INGRESS_EXPORT,
} from '../../infra/platform-stack';
import { DEFAULT_ENVOY_VERSION } from '../../lambda/appmesh/envoy/options';
import { cdkSynth } from './cdk-synth';

const outdir = () => mkdtempSync(path.join(tmpdir(), 'cdk-platform-'));

type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = { Action: string | string[]; Resource: unknown; Sid?: string };

const only = (template: Template, type: string): Resource => {
  const found = Object.values(template.findResources(type)) as Resource[];
  expect(found).toHaveLength(1);
  return found[0]!;
};
const logicalId = (template: Template, type: string): string => {
  const ids = Object.keys(template.findResources(type));
  expect(ids).toHaveLength(1);
  return ids[0]!;
};
function policyOf(template: Template, roleId: string): Statement[] {
  return (Object.values(template.findResources('AWS::IAM::Policy')) as Resource[])
    .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}
function roleIdUsedAs(template: Template, property: 'TaskRoleArn' | 'ExecutionRoleArn'): string {
  const td = only(template, 'AWS::ECS::TaskDefinition');
  return (td.Properties[property] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
}

describe('GIVEN the MeshPlatform stack built as `cdk synth` builds it, without context', () => {
  // Built by the CLI (cdk-synth.ts); buildApp registers cdk-nag's AwsSolutions checks: synth fails on any
  // unacknowledged finding.
  let template: Template;
  let gatewayId: string;
  beforeAll(async () => {
    template = (await cdkSynth()).template('MeshPlatform');
    gatewayId = logicalId(template, 'AWS::AppMesh::VirtualGateway');
  }, 120_000);

  test('THEN it synthesizes with cdk-nag and creates the workshop platform', () => {
    for (const type of [
      'AWS::EC2::VPC',
      'AWS::ECS::Cluster',
      'AWS::ServiceDiscovery::PrivateDnsNamespace',
      'AWS::AppMesh::Mesh',
      'AWS::AppMesh::VirtualGateway',
      'AWS::ECS::TaskDefinition',
      'AWS::ECS::Service',
      'AWS::ElasticLoadBalancingV2::LoadBalancer',
    ]) {
      template.resourceCountIs(type, 1);
    }
  });

  test('THEN the mesh, gateway, cluster and namespace carry the workshop names', () => {
    template.hasResourceProperties('AWS::AppMesh::Mesh', {
      MeshName: 'ecs-mesh',
      Spec: { EgressFilter: { Type: 'DROP_ALL' } },
    });
    template.hasResourceProperties('AWS::AppMesh::VirtualGateway', {
      VirtualGatewayName: 'ecsworkshop-vgw',
      MeshName: { 'Fn::GetAtt': [Match.anyValue(), 'MeshName'] },
      Spec: { Listeners: [{ PortMapping: { Port: 3000, Protocol: 'http' } }] },
    });
    template.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterName: 'container-demo',
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
    template.hasResourceProperties('AWS::ServiceDiscovery::PrivateDnsNamespace', { Name: 'service.local' });
  });

  test("THEN the gateway's Envoy task is the workshop's: 256/512, container envoy on 3000, nofile 15000, admin health check", () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Family: 'mesh-gw-proxy',
      Cpu: '256',
      Memory: '512',
      NetworkMode: 'awsvpc',
      RequiresCompatibilities: ['FARGATE'],
      ContainerDefinitions: [
        Match.objectLike({
          Name: 'envoy',
          Image: `public.ecr.aws/appmesh/aws-appmesh-envoy:${DEFAULT_ENVOY_VERSION}`,
          Essential: true,
          PortMappings: [{ ContainerPort: 3000, Protocol: 'tcp' }],
          Ulimits: [{ Name: 'nofile', SoftLimit: 15000, HardLimit: 15000 }],
          HealthCheck: {
            Command: ['CMD-SHELL', 'curl -s http://localhost:9901/server_info | grep state | grep -q LIVE'],
            Interval: 5,
            Timeout: 2,
            Retries: 3,
            StartPeriod: 10,
          },
          Environment: Match.arrayWith([
            { Name: 'APPMESH_RESOURCE_ARN', Value: { Ref: gatewayId } },
            { Name: 'ENABLE_ENVOY_STATS_TAGS', Value: '1' },
          ]),
          LogConfiguration: Match.objectLike({ LogDriver: 'awslogs' }),
        }),
      ],
    });
    expect(ENVOY_HEALTH_CHECK).toBe('curl -s http://localhost:9901/server_info | grep state | grep -q LIVE');
  });

  test('THEN the Envoy logs go to a log group kept a year and encrypted with the exported platform key', () => {
    const td = only(template, 'AWS::ECS::TaskDefinition');
    const container = (td.Properties.ContainerDefinitions as Record<string, unknown>[])[0]!;
    const group = (container.LogConfiguration as { Options: Record<string, { Ref: string }> }).Options[
      'awslogs-group'
    ]!.Ref;
    expect(template.toJSON().Resources[group]).toMatchObject({
      Type: 'AWS::Logs::LogGroup',
      Properties: {
        RetentionInDays: 365,
        KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^LogsKey/), 'Arn'] },
      },
    });
    template.hasOutput('MeshLogsKeyArn', { Export: { Name: 'MeshLogsKeyArn' } });
  });

  test('THEN the gateway Envoy runs as user 1337 with a read-only root file system, a writable /tmp and a hard memory limit', () => {
    const td = only(template, 'AWS::ECS::TaskDefinition');
    expect((td.Properties.ContainerDefinitions as Record<string, unknown>[])[0]).toMatchObject({
      User: '1337',
      ReadonlyRootFilesystem: true,
      Memory: 512,
      MountPoints: [{ ContainerPath: '/tmp', SourceVolume: 'envoy-tmp', ReadOnly: false }],
    });
    expect(td.Properties.Volumes).toEqual([{ Name: 'envoy-tmp' }]);
  });

  test('THEN the Envoy runs as Fargate service mesh-gw-proxy in private subnets, registered in Cloud Map as mesh-gw-proxy', () => {
    template.hasResourceProperties('AWS::ECS::Service', {
      ServiceName: 'mesh-gw-proxy',
      LaunchType: 'FARGATE',
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED' }) },
      LoadBalancers: [Match.objectLike({ ContainerName: 'envoy', ContainerPort: 3000 })],
      ServiceRegistries: [{ RegistryArn: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } }],
    });
    template.hasResourceProperties('AWS::ServiceDiscovery::Service', {
      Name: 'mesh-gw-proxy',
      NamespaceId: {
        'Fn::GetAtt': [logicalId(template, 'AWS::ServiceDiscovery::PrivateDnsNamespace'), 'Id'],
      },
    });
  });

  test('THEN a public NLB listens on 80 and forwards to the Envoys on 3000', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Type: 'network',
      Scheme: 'internet-facing',
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, Protocol: 'TCP' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 3000,
      Protocol: 'TCP',
      TargetType: 'ip',
    });
  });

  test('THEN the workshop exports and the service network exports exist under their documented names', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Export: { Name: string } }>;
    const exported = Object.values(outputs).map((o) => o.Export.Name);
    expect(exported.sort()).toEqual(Object.values(PLATFORM_EXPORTS).sort());
    expect(exported).toEqual(
      expect.arrayContaining([
        'MeshArn',
        'MeshName',
        'MeshVGWArn',
        'MeshVGWName',
        'MeshGwNlbDns',
        'MeshEnvoyServiceArn',
        'NSArn',
        'NSName',
        'NSId',
      ]),
    );
    template.hasOutput('MeshVGWArn', { Value: { Ref: gatewayId } });
    template.hasOutput('MeshArn', { Value: { Ref: logicalId(template, 'AWS::AppMesh::Mesh') } });
    template.hasOutput('MeshGwNlbDns', {
      Value: { 'Fn::GetAtt': [logicalId(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer'), 'DNSName'] },
    });
    template.hasOutput('MeshPrivateSubnetIds', { Value: { 'Fn::Join': [',', Match.anyValue()] } });
  });

  test('THEN no IAM statement grants a wildcard action and no managed policy is attached', () => {
    const statements = (Object.values(template.findResources('AWS::IAM::Policy')) as Resource[]).flatMap(
      (p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
    );
    for (const s of statements) for (const action of [s.Action].flat()) expect(action).not.toContain('*');
    for (const role of Object.values(template.findResources('AWS::IAM::Role')) as Resource[]) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  test("THEN the Envoy's task role may only stream the configuration of this gateway", () => {
    expect(policyOf(template, roleIdUsedAs(template, 'TaskRoleArn'))).toEqual([
      {
        Sid: 'EnvoyConfigurationOfThisGatewayOnly',
        Effect: 'Allow',
        Action: 'appmesh:StreamAggregatedResources',
        Resource: { Ref: gatewayId },
      },
    ]);
  });

  test('THEN the execution role may only write to the gateway log group (the image is public)', () => {
    const statements = policyOf(template, roleIdUsedAs(template, 'ExecutionRoleArn'));
    expect(statements).toHaveLength(1);
    expect([statements[0]!.Action].flat().sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    const td = only(template, 'AWS::ECS::TaskDefinition');
    const container = (td.Properties.ContainerDefinitions as Record<string, unknown>[])[0]!;
    const group = (container.LogConfiguration as { Options: Record<string, { Ref: string }> }).Options[
      'awslogs-group'
    ]!.Ref;
    expect(statements[0]!.Resource).toEqual({ 'Fn::GetAtt': [group, 'Arn'] });
  });

  test('THEN the only open ingress is TCP 80 on the NLB, and the Envoys accept 3000 from the NLB only', () => {
    const groups = template.toJSON().Resources as Record<string, Resource>;
    const open = Object.values(groups)
      .filter((r) => r.Type === 'AWS::EC2::SecurityGroup')
      .flatMap((r) => (r.Properties.SecurityGroupIngress as Record<string, unknown>[] | undefined) ?? []);
    expect(open).toEqual([expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 80, ToPort: 80 })]);
    const service = only(template, 'AWS::ECS::Service');
    const gatewaySg = (
      (service.Properties.NetworkConfiguration as { AwsvpcConfiguration: { SecurityGroups: unknown[] } })
        .AwsvpcConfiguration.SecurityGroups[0] as { 'Fn::GetAtt': [string, string] }
    )['Fn::GetAtt'][0];
    const ingressToGateway = Object.values(groups).filter(
      (r) =>
        r.Type === 'AWS::EC2::SecurityGroupIngress' &&
        JSON.stringify(r.Properties.GroupId) === JSON.stringify({ 'Fn::GetAtt': [gatewaySg, 'GroupId'] }),
    );
    expect(ingressToGateway).toHaveLength(1);
    expect(ingressToGateway[0]!.Properties).toMatchObject({
      FromPort: 3000,
      ToPort: 3000,
      IpProtocol: 'tcp',
    });
  });

  test('THEN the services security group admits only the gateway Envoys and other services', () => {
    const outputs = template.toJSON().Outputs as Record<
      string,
      { Value: { 'Fn::GetAtt': [string, string] } }
    >;
    const servicesSg = outputs.ServicesSecGrp!.Value['Fn::GetAtt'][0];
    const service = only(template, 'AWS::ECS::Service');
    const gatewaySg = (
      (service.Properties.NetworkConfiguration as { AwsvpcConfiguration: { SecurityGroups: unknown[] } })
        .AwsvpcConfiguration.SecurityGroups[0] as { 'Fn::GetAtt': [string, string] }
    )['Fn::GetAtt'][0];
    const sources = (Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')) as Resource[])
      .filter(
        (r) =>
          JSON.stringify(r.Properties.GroupId) === JSON.stringify({ 'Fn::GetAtt': [servicesSg, 'GroupId'] }),
      )
      .map(
        (r) => (r.Properties.SourceSecurityGroupId as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0],
      );
    expect(sources.sort()).toEqual([gatewaySg, servicesSg].sort());
    const inline = template.toJSON().Resources[servicesSg].Properties.SecurityGroupIngress;
    expect(inline).toBeUndefined();
  });

  test('THEN the VPC spans 2 AZs with public and private subnets, one NAT gateway and flow logs', () => {
    template.resourceCountIs('AWS::EC2::Subnet', 4);
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    template.hasResourceProperties('AWS::EC2::FlowLog', { ResourceType: 'VPC', TrafficType: 'ALL' });
  });
});

describe('GIVEN context that overrides the workshop names', () => {
  const built = buildApp({
    outdir: outdir(),
    context: {
      meshName: 'team-mesh',
      gatewayName: 'team-gw',
      clusterName: 'team-cluster',
      namespaceName: 'team.local',
      envoyImage: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/envoy:v1.34.13.3-prod',
      natGateways: '2',
      gatewayDesiredCount: '3',
      exportPrefix: 'Team-',
    },
  });
  built.app.synth();
  const template = Template.fromStack(built.platform);

  test('WHEN synthesized THEN the names, image, NAT gateways and task count follow the context', () => {
    template.hasResourceProperties('AWS::AppMesh::Mesh', { MeshName: 'team-mesh' });
    template.hasResourceProperties('AWS::AppMesh::VirtualGateway', { VirtualGatewayName: 'team-gw' });
    template.hasResourceProperties('AWS::ECS::Cluster', { ClusterName: 'team-cluster' });
    template.hasResourceProperties('AWS::ServiceDiscovery::PrivateDnsNamespace', { Name: 'team.local' });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({ Image: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/envoy:v1.34.13.3-prod' }),
      ],
    });
    template.resourceCountIs('AWS::EC2::NatGateway', 2);
    template.hasResourceProperties('AWS::ECS::Service', { DesiredCount: 3 });
  });

  test('WHEN synthesized THEN every export name carries the prefix', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Export: { Name: string } }>;
    expect(
      Object.values(outputs)
        .map((o) => o.Export.Name)
        .sort(),
    ).toEqual(
      Object.values(PLATFORM_EXPORTS)
        .map((n) => `Team-${n}`)
        .sort(),
    );
  });

  test('WHEN the cluster is renamed THEN the catalog launch role follows it', () => {
    const catalog = JSON.stringify(Template.fromStack(built.catalog).toJSON());
    expect(catalog).toContain(':service/team-cluster/*');
    expect(catalog).not.toContain(':service/container-demo/*');
  });
});

describe('GIVEN context serviceConnectIngress (the ALB that replaces the virtual gateway for Service Connect)', () => {
  const built = buildApp({
    outdir: outdir(),
    context: { serviceConnectIngress: 'true', exportPrefix: 'Team-' },
  });
  // cdk-nag runs on synth: any unacknowledged finding throws here.
  built.app.synth();
  const template = Template.fromStack(built.platform);

  test('WHEN synthesized THEN an internet-facing ALB listens on HTTP 3000, answering 404 by default, and its listener ARN is exported', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Type: 'application',
      Scheme: 'internet-facing',
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 3000,
      Protocol: 'HTTP',
      DefaultActions: [
        Match.objectLike({
          Type: 'fixed-response',
          FixedResponseConfig: Match.objectLike({ StatusCode: '404' }),
        }),
      ],
    });
    const outputs = template.toJSON().Outputs as Record<string, { Export?: { Name: string } }>;
    expect(outputs[PLATFORM_INGRESS_EXPORT]?.Export?.Name).toBe(`Team-${PLATFORM_INGRESS_EXPORT}`);
  });

  test('WHEN synthesized THEN the ALB accepts 3000 from the internet and may reach the services security group only', () => {
    const groups = Object.values(template.findResources('AWS::EC2::SecurityGroup')) as Resource[];
    const alb = groups.find((g) => String(g.Properties.GroupDescription).includes('ingress ALB'));
    expect(alb?.Properties.SecurityGroupIngress).toEqual([
      expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 3000, ToPort: 3000, IpProtocol: 'tcp' }),
    ]);
  });

  test('WHEN the flag is absent THEN there is no ALB and no listener export', () => {
    const plain = buildApp({ outdir: outdir() });
    plain.app.synth();
    const t = Template.fromStack(plain.platform);
    expect(Object.keys(t.findResources('AWS::ElasticLoadBalancingV2::LoadBalancer'))).toHaveLength(1);
    expect(Object.keys(t.toJSON().Outputs)).not.toContain(PLATFORM_INGRESS_EXPORT);
  });
});

describe('GIVEN account and Region in context', () => {
  test('WHEN synthesized THEN the AZs are resolved at deploy time, so synth needs no AWS lookup', () => {
    const built = buildApp({ outdir: outdir(), context: { account: '111122223333', region: 'eu-west-1' } });
    const assembly = built.app.synth();
    expect(assembly.manifest.missing ?? []).toEqual([]);
    const subnets = Object.values(
      Template.fromStack(built.platform).findResources('AWS::EC2::Subnet'),
    ) as Resource[];
    expect(subnets.map((s) => s.Properties.AvailabilityZone)).toEqual(
      [0, 1, 0, 1].map((i) => ({ 'Fn::Select': [i, { 'Fn::GetAZs': '' }] })),
    );
  });
});

describe('GIVEN a NAT gateway count the platform cannot work with', () => {
  test.each([
    ['two', /context natGateways must be a whole number/],
    ['0', /natGateways must be at least 1/],
  ])('WHEN natGateways is %s THEN building the app fails naming it', (natGateways, message) => {
    expect(() => buildApp({ outdir: outdir(), context: { natGateways } })).toThrow(message);
  });
});

describe('GIVEN context vpcLatticeServiceNetwork', () => {
  const built = buildApp({ outdir: outdir(), context: { vpcLatticeServiceNetwork: 'platform' } });
  built.app.synth();
  const template = Template.fromStack(built.platform);

  test('WHEN synthesized THEN the service network is created, associated with the VPC for the services security group, and exported', () => {
    template.hasResourceProperties('AWS::VpcLattice::ServiceNetwork', { Name: 'platform', AuthType: 'NONE' });
    template.hasResourceProperties('AWS::VpcLattice::ServiceNetworkVpcAssociation', {
      VpcIdentifier: { Ref: logicalId(template, 'AWS::EC2::VPC') },
      SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('ServicesSecurityGroup'), 'GroupId'] }],
    });
    const outputs = template.toJSON().Outputs as Record<string, { Export: { Name: string } }>;
    expect(Object.values(outputs).map((o) => o.Export.Name)).toEqual(
      expect.arrayContaining(Object.values(LATTICE_EXPORTS)),
    );
  });

  test('WHEN absent THEN there is no service network', () => {
    const plain = buildApp({ outdir: outdir() });
    plain.app.synth();
    Template.fromStack(plain.platform).resourceCountIs('AWS::VpcLattice::ServiceNetwork', 0);
  });
});
