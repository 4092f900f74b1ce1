/**
 * Builds the CDK app: the stacks, configured from CDK context, with cdk-nag's AwsSolutions checks registered so
 * that a finding fails `cdk synth` (and the tests, which build the app the same way).
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { App, type AppProps, type Environment, Stack, Validations } from 'aws-cdk-lib/core';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MeshServiceCatalogStack } from './catalog-stack';
import { MeshPlatformStack, PLATFORM_DEFAULTS } from './platform-stack';
import { MeshServiceProviderStack } from './provider-stack';

/** Reads a context value that may be a JSON array, a comma-separated string or absent. */
export function contextList(app: App, key: string): string[] {
  const raw = app.node.tryGetContext(key);
  if (raw === undefined || raw === null || raw === '') return [];
  if (Array.isArray(raw)) return raw.map(String);
  const text = String(raw).trim();
  if (text.startsWith('[')) return (JSON.parse(text) as unknown[]).map(String);
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Reads an optional context string; an empty string counts as absent. */
function contextString(app: App, key: string): string | undefined {
  const raw = app.node.tryGetContext(key);
  return raw === undefined || raw === null || raw === '' ? undefined : String(raw);
}

/** Reads an optional non-negative integer context value (`-c natGateways=2` arrives as a string). */
function contextCount(app: App, key: string): number | undefined {
  const text = contextString(app, key);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`context ${key} must be a whole number, got "${text}"`);
  return value;
}

function contextFlag(app: App, key: string): boolean {
  const text = contextString(app, key);
  return text !== undefined && ['true', '1', 'yes'].includes(text.toLowerCase());
}

export interface BuiltApp {
  readonly app: App;
  readonly provider: MeshServiceProviderStack;
  readonly platform: MeshPlatformStack;
  readonly catalog: MeshServiceCatalogStack;
}

export function buildApp(props: AppProps = {}): BuiltApp {
  // The feature flags and settings of cdk.json apply to tests and tools that build the app directly, too.
  const cdkJson = JSON.parse(readFileSync(path.join(__dirname, '..', 'cdk.json'), 'utf8')) as {
    context?: object;
  };
  const app = new App({ ...props, context: { ...cdkJson.context, ...props.context } });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

  const account = app.node.tryGetContext('account') as string | undefined;
  const region = app.node.tryGetContext('region') as string | undefined;
  const env: Environment | undefined = account || region ? { account, region } : undefined;

  const codePath = path.join(__dirname, '..', 'dist', 'lambda');
  if (!existsSync(path.join(codePath, 'index.js'))) {
    throw new Error(`${codePath}/index.js is missing: run \`npm run build\` before synthesizing`);
  }
  const organization = app.node.tryGetContext('invokerOrganizationId') as string | undefined;
  const provider = new MeshServiceProviderStack(app, 'MeshServiceProvider', {
    ...(env ? { env } : {}),
    codePath,
    ...(organization ? { invokerOrganizationId: organization } : {}),
    invokerAccountIds: contextList(app, 'invokerAccountIds'),
    sharedMeshOwnerAccountIds: contextList(app, 'sharedMeshOwnerAccountIds'),
    allowedTaskFamilies: contextList(app, 'allowedTaskFamilies'),
    allowedImages: contextList(app, 'allowedImages'),
    ...optional(
      'passRoles',
      contextList(app, 'passRoles').length ? contextList(app, 'passRoles') : undefined,
    ),
    ...providerNetwork(app),
    ...optional(
      'encryptLogs',
      contextString(app, 'providerEncryptLogs') === undefined
        ? undefined
        : contextFlag(app, 'providerEncryptLogs'),
    ),
    ...optional(
      'verifyStackRequests',
      contextString(app, 'verifyStackRequests') === undefined
        ? undefined
        : contextFlag(app, 'verifyStackRequests'),
    ),
  });

  const clusterName = contextString(app, 'clusterName') ?? PLATFORM_DEFAULTS.clusterName;
  const platform = new MeshPlatformStack(app, 'MeshPlatform', {
    ...(env ? { env } : {}),
    meshName: contextString(app, 'meshName') ?? PLATFORM_DEFAULTS.meshName,
    gatewayName: contextString(app, 'gatewayName') ?? PLATFORM_DEFAULTS.gatewayName,
    clusterName,
    namespaceName: contextString(app, 'namespaceName') ?? PLATFORM_DEFAULTS.namespaceName,
    envoyImage: contextString(app, 'envoyImage') ?? PLATFORM_DEFAULTS.envoyImage,
    exportPrefix: contextString(app, 'exportPrefix') ?? '',
    ...optional('natGateways', contextCount(app, 'natGateways')),
    ...optional('gatewayDesiredCount', contextCount(app, 'gatewayDesiredCount')),
    ...optional(
      'nlbDeletionProtection',
      contextString(app, 'nlbDeletionProtection') === undefined
        ? undefined
        : contextFlag(app, 'nlbDeletionProtection'),
    ),
    ...optional('nlbAccessLogsBucketName', contextString(app, 'nlbAccessLogsBucket')),
    ...optional('vpcLatticeServiceNetworkName', contextString(app, 'vpcLatticeServiceNetwork')),
    ...optional(
      'serviceConnectIngress',
      contextString(app, 'serviceConnectIngress') === undefined
        ? undefined
        : contextFlag(app, 'serviceConnectIngress'),
    ),
  });

  const catalogClusters = contextList(app, 'catalogClusterNames');
  const catalog = new MeshServiceCatalogStack(app, 'MeshServiceCatalog', {
    ...(env ? { env } : {}),
    principalArns: contextList(app, 'catalogPrincipalArns'),
    shareAccountIds: contextList(app, 'catalogShareAccountIds'),
    serviceTokenArns: contextList(app, 'catalogServiceTokenArns'),
    clusterNames: catalogClusters.length > 0 ? catalogClusters : [clusterName],
    launchRoleOnly: contextFlag(app, 'catalogLaunchRoleOnly'),
    ...optional('productVersion', contextString(app, 'catalogProductVersion')),
  });
  return { app, provider, platform, catalog };
}

/**
 * The provider's functions in an existing VPC (context providerVpcId, providerSubnetIds and optionally
 * providerSecurityGroupIds), for Control Tower CT.LAMBDA.PR.3; no lookup, so synth stays offline.
 */
function providerNetwork(app: App): {
  vpc?: ec2.IVpc;
  vpcSubnets?: ec2.SubnetSelection;
  securityGroups?: ec2.ISecurityGroup[];
} {
  const vpcId = contextString(app, 'providerVpcId');
  const subnetIds = contextList(app, 'providerSubnetIds');
  if (!vpcId && subnetIds.length === 0) return {};
  if (!vpcId || subnetIds.length === 0)
    throw new Error('context providerVpcId and providerSubnetIds go together');
  // Imported by plain ids (no tokens), so they may live in a scope of their own.
  const scope = new Stack(new App(), 'ProviderNetwork');
  const vpc = ec2.Vpc.fromVpcAttributes(scope, 'ProviderVpc', { vpcId, availabilityZones: ['-'] });
  const securityGroups = contextList(app, 'providerSecurityGroupIds').map((id, i) =>
    ec2.SecurityGroup.fromSecurityGroupId(scope, `ProviderSecurityGroup${i}`, id),
  );
  return {
    vpc,
    vpcSubnets: {
      subnets: subnetIds.map((id, i) => ec2.Subnet.fromSubnetId(scope, `ProviderSubnet${i}`, id)),
    },
    ...(securityGroups.length ? { securityGroups } : {}),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
