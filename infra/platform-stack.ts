/**
 * The App Mesh platform of the ECS workshop, in one stack: network, ECS cluster, Cloud Map namespace, mesh and the
 * virtual gateway whose Envoy runs on Fargate behind a public NLB. Services (examples/*.yaml, the Service Catalog
 * product) import its exports by name; the names are the workshop's, so workshop templates work unchanged.
 */

import * as appmesh from 'aws-cdk-lib/aws-appmesh';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import * as vpclattice from 'aws-cdk-lib/aws-vpclattice';
import { Aws, CfnOutput, Duration, Fn, Stack, type StackProps, Validations } from 'aws-cdk-lib/core';
import type { Construct } from 'constructs';
import { DEFAULT_ENVOY_VERSION } from '../lambda/appmesh/envoy/options';
import { INGRESS_LISTENER_EXPORT } from '../lambda/serviceconnect/ingress';
import { allowCloudWatchLogs } from './provider';

/** The workshop's names: the defaults of the CDK context parameters of the same names. */
export const PLATFORM_DEFAULTS = {
  meshName: 'ecs-mesh',
  gatewayName: 'ecsworkshop-vgw',
  clusterName: 'container-demo',
  namespaceName: 'service.local',
  envoyImage: `public.ecr.aws/appmesh/aws-appmesh-envoy:${DEFAULT_ENVOY_VERSION}`,
} as const;

/** Port of the virtual gateway listener (and of the Envoy container behind the NLB). */
export const GATEWAY_PORT = 3000;
/** Public port of the NLB. */
export const NLB_PORT = 80;
/** Envoy's admin interface; only the container health check uses it, on localhost. */
export const ENVOY_ADMIN_PORT = 9901;
export const ENVOY_NOFILE = 15000;
/** The ECS service, the Cloud Map service and the task definition family of the gateway's Envoy. */
export const GATEWAY_SERVICE_NAME = 'mesh-gw-proxy';
export const ENVOY_HEALTH_CHECK = `curl -s http://localhost:${ENVOY_ADMIN_PORT}/server_info | grep state | grep -q LIVE`;

/**
 * Export names (before the optional `exportPrefix`). The first nine are the workshop's; the others are what a service
 * template needs besides (ECS service network configuration).
 */
export const PLATFORM_EXPORTS = {
  meshArn: 'MeshArn',
  meshName: 'MeshName',
  gatewayArn: 'MeshVGWArn',
  gatewayName: 'MeshVGWName',
  nlbDns: 'MeshGwNlbDns',
  envoyServiceArn: 'MeshEnvoyServiceArn',
  namespaceArn: 'NSArn',
  namespaceName: 'NSName',
  namespaceId: 'NSId',
  clusterName: 'ECSClusterName',
  clusterArn: 'ECSClusterArn',
  servicesSecurityGroupId: 'ServicesSecGrp',
  vpcId: 'MeshVpcId',
  /** Comma-separated: `!Split [',', !ImportValue MeshPrivateSubnetIds]`. */
  privateSubnetIds: 'MeshPrivateSubnetIds',
  /** The KMS key service log groups use (`KmsKeyId`), for Control Tower CT.CLOUDWATCH.PR.3. */
  logsKeyArn: 'MeshLogsKeyArn',
} as const;

/** Exported only with serviceConnectIngress: the ALB listener Service Connect gateway routes use (Gateway.ListenerArn). */
export const PLATFORM_INGRESS_EXPORT = INGRESS_LISTENER_EXPORT;
/** The ingress ALB's HTTP listener port (the workshop's gateway port). */
export const INGRESS_PORT = 3000;

/** Exported only with a VPC Lattice service network (`vpcLatticeServiceNetworkName`). */
export const LATTICE_EXPORTS = {
  serviceNetworkArn: 'MeshLatticeServiceNetworkArn',
  serviceNetworkName: 'MeshLatticeServiceNetworkName',
} as const;

export interface MeshPlatformStackProps extends StackProps {
  /**
   * A VPC Lattice service network of this name, associated with the platform's VPC, for services with
   * `Backend: VpcLattice` (their `VpcLattice.ServiceNetwork`). Default none (context `vpcLatticeServiceNetwork`).
   */
  readonly vpcLatticeServiceNetworkName?: string;
  /**
   * An internet-facing Application Load Balancer with an HTTP listener on 3000 (default: a fixed 404), whose
   * listener ARN is exported for the gateway routes of `Backend: ServiceConnect` services (`Gateway.ListenerArn`):
   * what replaces the virtual gateway. Default false (context `serviceConnectIngress`).
   */
  readonly serviceConnectIngress?: boolean;
  /** Default `ecs-mesh`. */
  readonly meshName?: string;
  /** Default `ecsworkshop-vgw`. */
  readonly gatewayName?: string;
  /** Default `container-demo`. */
  readonly clusterName?: string;
  /** Default `service.local`. */
  readonly namespaceName?: string;
  /** Envoy image of the gateway. Default `public.ecr.aws/appmesh/aws-appmesh-envoy:<DEFAULT_ENVOY_VERSION>`. */
  readonly envoyImage?: string;
  /**
   * NAT gateways. Default 1: private tasks need outbound internet for public.ecr.aws images (public ECR has no VPC
   * endpoint), about 32 USD a month plus data processing each; 2 keeps egress up when an AZ fails.
   */
  readonly natGateways?: number;
  /** Envoy tasks of the gateway. Default 2, one per AZ behind the NLB. */
  readonly gatewayDesiredCount?: number;
  /** Prepended to every export name, so that a second platform can live in the same account and Region. Default ''. */
  readonly exportPrefix?: string;
  /**
   * Retention of the flow logs and the gateway's logs. Default one year (Control Tower CT.CLOUDWATCH.PR.2 asks for
   * at least 365 days; less is an exception to it).
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Deletion protection of the gateway's NLB (Control Tower CT.ELASTICLOADBALANCING.PR.5). Default true: to delete
   * the stack, deploy it with false first (docs/operations.md, Teardown).
   */
  readonly nlbDeletionProtection?: boolean;
  /**
   * An existing S3 bucket for the NLB's access logs (Control Tower CT.ELASTICLOADBALANCING.PR.6). Default none: an
   * exception to that control (an NLB writes access logs for TLS listeners only; this one listens on TCP).
   */
  readonly nlbAccessLogsBucketName?: string;
}

export class MeshPlatformStack extends Stack {
  readonly vpc: ec2.Vpc;
  readonly cluster: ecs.Cluster;
  readonly namespace: servicediscovery.PrivateDnsNamespace;
  readonly mesh: appmesh.Mesh;
  readonly gateway: appmesh.VirtualGateway;
  readonly gatewayService: ecs.FargateService;
  readonly loadBalancer: elbv2.NetworkLoadBalancer;
  readonly servicesSecurityGroup: ec2.SecurityGroup;
  readonly gatewayTaskRole: iam.Role;
  readonly gatewayExecutionRole: iam.Role;
  /** Encrypts the platform's log groups; exported (MeshLogsKeyArn) for the log groups of services. */
  readonly logsKey: kms.Key;
  /** With `vpcLatticeServiceNetworkName`: the service network the VpcLattice services join. */
  readonly serviceNetwork?: vpclattice.CfnServiceNetwork;
  /** With `serviceConnectIngress`: the ALB and its listener. */
  readonly ingress?: {
    readonly loadBalancer: elbv2.ApplicationLoadBalancer;
    readonly listener: elbv2.ApplicationListener;
  };

  constructor(scope: Construct, id: string, props: MeshPlatformStackProps = {}) {
    super(scope, id, {
      description:
        'App Mesh platform of the ECS workshop: VPC, ECS cluster, Cloud Map namespace, mesh, virtual gateway',
      ...props,
    });
    const meshName = props.meshName ?? PLATFORM_DEFAULTS.meshName;
    const gatewayName = props.gatewayName ?? PLATFORM_DEFAULTS.gatewayName;
    const clusterName = props.clusterName ?? PLATFORM_DEFAULTS.clusterName;
    const namespaceName = props.namespaceName ?? PLATFORM_DEFAULTS.namespaceName;
    const envoyImage = props.envoyImage ?? PLATFORM_DEFAULTS.envoyImage;
    const exportPrefix = props.exportPrefix ?? '';
    const natGateways = props.natGateways ?? 1;
    if (natGateways < 1) {
      // Without NAT the private tasks reach neither public.ecr.aws nor the App Mesh and CloudWatch Logs endpoints.
      throw new Error(`natGateways must be at least 1 (the private subnets need egress), got ${natGateways}`);
    }

    // ---- Logs: a year, encrypted with a key of the platform (Control Tower CT.CLOUDWATCH.PR.2 and PR.3) ----------
    const retention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    this.logsKey = new kms.Key(this, 'LogsKey', {
      description: 'Encrypts the log groups of the mesh platform and of the services on it',
      enableKeyRotation: true,
    });
    allowCloudWatchLogs(this.logsKey);

    // ---- Network ------------------------------------------------------------------------------------------------
    const flowLogs = new logs.LogGroup(this, 'VpcFlowLogs', { retention, encryptionKey: this.logsKey });
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'),
      maxAzs: 2,
      natGateways,
      subnetConfiguration: [
        // Nothing gets a public IP by default (CT.EC2.PR.11): the NAT gateways have Elastic IPs, the NLB its own.
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
        { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
      ],
      // Nothing runs in the default security group; restricting it would add a custom-resource Lambda to the stack.
      restrictDefaultSecurityGroup: false,
      flowLogs: {
        all: {
          destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs),
          trafficType: ec2.FlowLogTrafficType.ALL,
        },
      },
    });

    this.cluster = new ecs.Cluster(this, 'Cluster', {
      clusterName,
      vpc: this.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    this.namespace = new servicediscovery.PrivateDnsNamespace(this, 'Namespace', {
      name: namespaceName,
      vpc: this.vpc,
      description: 'Cloud Map namespace where ECS registers the tasks of meshed services',
    });

    // ---- Mesh and virtual gateway -------------------------------------------------------------------------------
    this.mesh = new appmesh.Mesh(this, 'Mesh', {
      meshName,
      // The workshop's mesh keeps App Mesh's default: Envoys reach only what the mesh declares (backends).
      egressFilter: appmesh.MeshFilterType.DROP_ALL,
    });
    this.gateway = new appmesh.VirtualGateway(this, 'Gateway', {
      mesh: this.mesh,
      virtualGatewayName: gatewayName,
      listeners: [appmesh.VirtualGatewayListener.http({ port: GATEWAY_PORT })],
      accessLog: appmesh.AccessLog.fromFilePath('/dev/stdout'),
    });

    // ---- Security groups: internet -> NLB:80 -> Envoy:3000 -> services --------------------------------------------
    const nlbSecurityGroup = new ec2.SecurityGroup(this, 'NlbSecurityGroup', {
      vpc: this.vpc,
      description: `Public entry of the mesh: TCP ${NLB_PORT} from anywhere, to the gateway Envoys only`,
      allowAllOutbound: false,
    });
    nlbSecurityGroup.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(NLB_PORT), 'HTTP from the internet');
    const gatewaySecurityGroup = new ec2.SecurityGroup(this, 'GatewaySecurityGroup', {
      vpc: this.vpc,
      description: `Gateway Envoys: ${GATEWAY_PORT} from the NLB; out to meshed services and AWS APIs (HTTPS)`,
      allowAllOutbound: false,
    });
    // App Mesh (Envoy management), ECR and CloudWatch Logs; their addresses have no stable prefix list here.
    gatewaySecurityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'AWS APIs and image pulls');
    this.servicesSecurityGroup = new ec2.SecurityGroup(this, 'ServicesSecurityGroup', {
      vpc: this.vpc,
      description: 'Meshed services: any TCP port from the gateway Envoys and from each other',
      allowAllOutbound: true,
    });
    // Service ports are chosen by each team (examples use 3000; the catalog product takes a parameter). Only the
    // gateway and other meshed services can reach them; App Mesh backends decide which service may call which.
    this.servicesSecurityGroup.connections.allowFrom(
      gatewaySecurityGroup,
      ec2.Port.allTcp(),
      'From the gateway Envoys',
    );
    // Ingress only: the group already allows all outbound traffic (an egress rule would be ignored, with a warning).
    this.servicesSecurityGroup.addIngressRule(
      this.servicesSecurityGroup,
      ec2.Port.allTcp(),
      'Between meshed services',
    );

    // ---- The gateway's Envoy on Fargate ---------------------------------------------------------------------------
    const gatewayLogs = new logs.LogGroup(this, 'GatewayLogs', { retention, encryptionKey: this.logsKey });
    this.gatewayTaskRole = new iam.Role(this, 'GatewayTaskRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: `Envoy of virtual gateway ${gatewayName}: receives its configuration from App Mesh`,
    });
    this.gatewayTaskRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'EnvoyConfigurationOfThisGatewayOnly',
        actions: ['appmesh:StreamAggregatedResources'],
        resources: [this.gateway.virtualGatewayArn],
      }),
    );
    // The image is public (public.ecr.aws): pulling it needs no permission; the awsLogs driver below grants
    // logs:CreateLogStream and logs:PutLogEvents on the gateway's log group, and nothing else is added.
    this.gatewayExecutionRole = new iam.Role(this, 'GatewayExecutionRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: `ECS agent for the Envoy of virtual gateway ${gatewayName}: writes its logs`,
    });

    const taskDefinition = new ecs.FargateTaskDefinition(this, 'GatewayTaskDefinition', {
      family: GATEWAY_SERVICE_NAME,
      cpu: 256,
      memoryLimitMiB: 512,
      taskRole: this.gatewayTaskRole,
      executionRole: this.gatewayExecutionRole,
    });
    // Envoy and its agent write only to /tmp (bootstrap configuration, admin socket): a task volume there, and a
    // read-only root file system (CT.ECS.PR.6); Envoy runs as 1337, App Mesh's Envoy user (CT.ECS.PR.3).
    taskDefinition.addVolume({ name: 'envoy-tmp' });
    const envoy = taskDefinition.addContainer('Envoy', {
      containerName: 'envoy',
      image: ecs.ContainerImage.fromRegistry(envoyImage),
      essential: true,
      user: '1337',
      readonlyRootFilesystem: true,
      // The task's memory is Envoy's: a hard limit (CT.ECS.PR.7).
      memoryLimitMiB: 512,
      portMappings: [{ containerPort: GATEWAY_PORT, protocol: ecs.Protocol.TCP }],
      environment: {
        APPMESH_RESOURCE_ARN: this.gateway.virtualGatewayArn,
        ENABLE_ENVOY_STATS_TAGS: '1',
        // Set explicitly: otherwise the App Mesh agent asks the metadata endpoint for the Region.
        AWS_REGION: Aws.REGION,
      },
      healthCheck: {
        command: ['CMD-SHELL', ENVOY_HEALTH_CHECK],
        interval: Duration.seconds(5),
        timeout: Duration.seconds(2),
        retries: 3,
        startPeriod: Duration.seconds(10),
      },
      ulimits: [{ name: ecs.UlimitName.NOFILE, softLimit: ENVOY_NOFILE, hardLimit: ENVOY_NOFILE }],
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'mesh-gateway', logGroup: gatewayLogs }),
    });
    envoy.addMountPoints({ sourceVolume: 'envoy-tmp', containerPath: '/tmp', readOnly: false });

    this.gatewayService = new ecs.FargateService(this, 'GatewayService', {
      cluster: this.cluster,
      serviceName: GATEWAY_SERVICE_NAME,
      taskDefinition,
      desiredCount: props.gatewayDesiredCount ?? 2,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      assignPublicIp: false,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [gatewaySecurityGroup],
      circuitBreaker: { rollback: true },
      healthCheckGracePeriod: Duration.seconds(60),
      cloudMapOptions: {
        cloudMapNamespace: this.namespace,
        name: GATEWAY_SERVICE_NAME,
        dnsRecordType: servicediscovery.DnsRecordType.A,
        dnsTtl: Duration.seconds(10),
      },
    });

    this.loadBalancer = new elbv2.NetworkLoadBalancer(this, 'GatewayNlb', {
      vpc: this.vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      securityGroups: [nlbSecurityGroup],
      crossZoneEnabled: true,
      deletionProtection: props.nlbDeletionProtection ?? true,
    });
    if (props.nlbAccessLogsBucketName) {
      this.loadBalancer.setAttribute('access_logs.s3.enabled', 'true');
      this.loadBalancer.setAttribute('access_logs.s3.bucket', props.nlbAccessLogsBucketName);
    }
    const listener = this.loadBalancer.addListener('Http', { port: NLB_PORT, protocol: elbv2.Protocol.TCP });
    listener.addTargets('Envoy', {
      port: GATEWAY_PORT,
      protocol: elbv2.Protocol.TCP,
      targets: [
        this.gatewayService.loadBalancerTarget({ containerName: 'envoy', containerPort: GATEWAY_PORT }),
      ],
      deregistrationDelay: Duration.seconds(30),
      healthCheck: {
        protocol: elbv2.Protocol.TCP,
        interval: Duration.seconds(10),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 2,
      },
    });
    // NLB -> Envoy (targets and health checks), and only that, both ways.
    this.gatewayService.connections.allowFrom(
      nlbSecurityGroup,
      ec2.Port.tcp(GATEWAY_PORT),
      'From the public NLB',
    );

    // ---- VPC Lattice (optional) -----------------------------------------------------------------------------------
    // The network Backend VpcLattice services are associated with; the VPC's tasks reach them through the VPC's
    // association, which admits the services security group only.
    if (props.vpcLatticeServiceNetworkName !== undefined) {
      this.serviceNetwork = new vpclattice.CfnServiceNetwork(this, 'ServiceNetwork', {
        name: props.vpcLatticeServiceNetworkName,
        authType: 'NONE',
      });
      new vpclattice.CfnServiceNetworkVpcAssociation(this, 'ServiceNetworkVpc', {
        serviceNetworkIdentifier: this.serviceNetwork.attrId,
        vpcIdentifier: this.vpc.vpcId,
        securityGroupIds: [this.servicesSecurityGroup.securityGroupId],
      });
    }

    // ---- Service Connect ingress (optional) -------------------------------------------------------------------------
    // The ALB whose listener rules the Service Connect gateway routes own (one rule and ip target group each); it may
    // reach the services (their target groups' ports) and nothing else.
    if (props.serviceConnectIngress) {
      const albSecurityGroup = new ec2.SecurityGroup(this, 'IngressAlbSecurityGroup', {
        vpc: this.vpc,
        description: 'Service Connect ingress ALB: HTTP 3000 from the internet, to the services only',
        allowAllOutbound: false,
      });
      albSecurityGroup.addIngressRule(
        ec2.Peer.anyIpv4(),
        ec2.Port.tcp(INGRESS_PORT),
        'HTTP from the internet',
      );
      this.servicesSecurityGroup.connections.allowFrom(
        albSecurityGroup,
        ec2.Port.allTcp(),
        'From the Service Connect ingress ALB (target groups on the services ports)',
      );
      const loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'IngressAlb', {
        vpc: this.vpc,
        internetFacing: true,
        vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
        securityGroup: albSecurityGroup,
        deletionProtection: props.nlbDeletionProtection ?? true,
        dropInvalidHeaderFields: true,
      });
      if (props.nlbAccessLogsBucketName) {
        loadBalancer.setAttribute('access_logs.s3.enabled', 'true');
        loadBalancer.setAttribute('access_logs.s3.bucket', props.nlbAccessLogsBucketName);
      }
      const listener = loadBalancer.addListener('Http', {
        port: INGRESS_PORT,
        protocol: elbv2.ApplicationProtocol.HTTP,
        open: false,
        defaultAction: elbv2.ListenerAction.fixedResponse(404, {
          contentType: 'text/plain',
          messageBody: 'no route',
        }),
      });
      this.ingress = { loadBalancer, listener };
      Validations.of(albSecurityGroup).acknowledge({
        id: 'AwsSolutions-EC23',
        reason: `The ALB is the public entry of the Service Connect services (it replaces the virtual gateway): it accepts HTTP ${INGRESS_PORT} from anywhere and may only send to the services security group.`,
      });
      if (!props.nlbAccessLogsBucketName)
        Validations.of(loadBalancer).acknowledge({
          id: 'AwsSolutions-ELB2',
          reason:
            'Access logs need a bucket the platform does not create: give context nlbAccessLogsBucket to enable them; the VPC flow logs record its connections meanwhile.',
        });
    }

    // ---- Exports --------------------------------------------------------------------------------------------------
    const out = (key: keyof typeof PLATFORM_EXPORTS, value: string, description: string) =>
      new CfnOutput(this, PLATFORM_EXPORTS[key], {
        value,
        description,
        exportName: `${exportPrefix}${PLATFORM_EXPORTS[key]}`,
      });
    out('meshArn', this.mesh.meshArn, 'ARN of the mesh');
    out('meshName', this.mesh.meshName, 'Name of the mesh (MeshName of Custom::MeshService)');
    out('gatewayArn', this.gateway.virtualGatewayArn, 'ARN of the virtual gateway');
    out(
      'gatewayName',
      this.gateway.virtualGatewayName,
      'Name of the virtual gateway (Gateway.VirtualGatewayName)',
    );
    out(
      'nlbDns',
      this.loadBalancer.loadBalancerDnsName,
      `Public DNS name of the gateway NLB (HTTP ${NLB_PORT})`,
    );
    out('envoyServiceArn', this.gatewayService.serviceArn, 'ECS service of the gateway Envoys');
    out('namespaceArn', this.namespace.namespaceArn, 'ARN of the Cloud Map namespace');
    out(
      'namespaceName',
      this.namespace.namespaceName,
      'Cloud Map namespace (Namespace of Custom::MeshService)',
    );
    out(
      'namespaceId',
      this.namespace.namespaceId,
      'Id of the Cloud Map namespace (NamespaceId of Cloud Map services)',
    );
    out('clusterName', this.cluster.clusterName, 'ECS cluster of the meshed services');
    out('clusterArn', this.cluster.clusterArn, 'ARN of the ECS cluster');
    out(
      'servicesSecurityGroupId',
      this.servicesSecurityGroup.securityGroupId,
      'Security group for meshed services: reachable from the gateway and from each other',
    );
    out('vpcId', this.vpc.vpcId, 'VPC of the platform');
    out('logsKeyArn', this.logsKey.keyArn, 'KMS key for the log groups of services (KmsKeyId)');
    out(
      'privateSubnetIds',
      Fn.join(
        ',',
        this.vpc.privateSubnets.map((s) => s.subnetId),
      ),
      'Private subnets for meshed services, comma-separated (use !Split)',
    );
    const networkName = props.vpcLatticeServiceNetworkName;
    if (this.serviceNetwork && networkName !== undefined) {
      for (const [key, value, description] of [
        ['serviceNetworkArn', this.serviceNetwork.attrArn, 'ARN of the VPC Lattice service network'],
        [
          'serviceNetworkName',
          networkName,
          'Name of the VPC Lattice service network (VpcLattice.ServiceNetwork of Custom::MeshService)',
        ],
      ] as const) {
        new CfnOutput(this, LATTICE_EXPORTS[key], {
          value,
          description,
          exportName: `${exportPrefix}${LATTICE_EXPORTS[key]}`,
        });
      }
    }

    if (this.ingress)
      new CfnOutput(this, PLATFORM_INGRESS_EXPORT, {
        value: this.ingress.listener.listenerArn,
        description:
          'ARN of the Service Connect ingress ALB listener (Gateway.ListenerArn of Custom::MeshService, Backend ServiceConnect)',
        exportName: `${exportPrefix}${PLATFORM_INGRESS_EXPORT}`,
      });

    this.acknowledgeFindings(nlbSecurityGroup, taskDefinition);
  }

  /**
   * The first two AZs of the Region, resolved at deploy time (Fn::GetAZs) even when account and Region are given in
   * context: the default would look them up during synth, which needs AWS credentials. The VPC uses two AZs.
   */
  override get availabilityZones(): string[] {
    return [Fn.select(0, Fn.getAzs()), Fn.select(1, Fn.getAzs())];
  }

  private acknowledgeFindings(nlbSecurityGroup: ec2.SecurityGroup, taskDefinition: ecs.TaskDefinition): void {
    Validations.of(nlbSecurityGroup).acknowledge({
      id: 'AwsSolutions-EC23',
      reason: `The NLB is the public entry of the mesh: it accepts TCP ${NLB_PORT} from anywhere and may only send to the gateway Envoys on ${GATEWAY_PORT}.`,
    });
    Validations.of(this.loadBalancer).acknowledge({
      id: 'AwsSolutions-ELB2',
      reason:
        'NLB access logs are written only for TLS listeners; this NLB has a single TCP listener, so a log bucket would stay empty. The VPC flow logs record its connections, and the gateway Envoys write access logs.',
    });
    for (const appMeshResource of [this.mesh, this.gateway]) {
      Validations.of(appMeshResource).acknowledge({
        id: 'CloudFormation-Validate::W3696',
        reason:
          'App Mesh support ends on 2026-09-30: this platform exists to run the workshop on App Mesh until then; ECS Service Connect is the successor.',
      });
    }
    Validations.of(taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason:
        'The environment holds Envoy configuration, not secrets: the virtual gateway ARN, the stats-tags flag and the Region.',
    });
  }
}
