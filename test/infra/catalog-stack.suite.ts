import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { parseTemplate } from '../../cli/template';
import { buildApp } from '../../infra/app-builder';
import {
  LAUNCH_ROLE_NAME,
  PRODUCT_VERSION,
  PROVIDER_FUNCTION_NAME,
  ROLE_BOUNDARY_NAME,
  SERVICE_LOG_GROUP_PREFIX,
  SERVICE_ROLE_PATH,
  SERVICE_TEMPLATE_PATH,
} from '../../infra/catalog-stack';
import { PLATFORM_EXPORTS } from '../../infra/platform-stack';
import { SERVICE_TOKEN_EXPORT } from '../../infra/provider-stack';
import { type CliAssembly, cdkSynth } from './cdk-synth';

const outdir = () => mkdtempSync(path.join(tmpdir(), 'cdk-catalog-'));

type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = {
  Sid?: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
};

/** CloudFormation renders `arn:${Partition}:...` as a Join; this turns it back into readable text. */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(text).join(' | ');
  const v = value as Record<string, unknown>;
  if ('Fn::Join' in v) {
    const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(text).join(sep);
  }
  if ('Ref' in v) return `<${v.Ref}>`;
  if ('Fn::GetAtt' in v) return `<${(v['Fn::GetAtt'] as string[]).join('.')}>`;
  return JSON.stringify(v);
}

function launchStatements(template: Template): Statement[] {
  return (Object.values(template.findResources('AWS::IAM::Policy')) as Resource[]).flatMap(
    (p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
  );
}
const bySid = (statements: Statement[], sid: string) => {
  const s = statements.find((x) => x.Sid === sid);
  if (!s) throw new Error(`no statement ${sid}`);
  return s;
};
/** The resources a statement allows an action on (empty when it does not allow the action). */
function allowed(statements: Statement[], action: string): string[] {
  return statements
    .filter((s) => [s.Action].flat().includes(action))
    .flatMap((s) => [s.Resource].flat().map(text));
}

const product = parseTemplate(readFileSync(SERVICE_TEMPLATE_PATH, 'utf8'));
const productResources = Object.values(product.Resources ?? {}) as Resource[];

describe('GIVEN the MeshServiceCatalog stack built as `cdk synth` builds it, without context', () => {
  // Built by the CLI (cdk-synth.ts); cdk-nag's AwsSolutions checks are registered by buildApp: synth fails on any
  // unacknowledged finding.
  let assembly: CliAssembly;
  let template: Template;
  let statements: Statement[];
  beforeAll(async () => {
    assembly = await cdkSynth();
    template = assembly.template('MeshServiceCatalog');
    statements = launchStatements(template);
  }, 120_000);

  test('THEN a portfolio holds one CloudFormation product whose version v2 is examples/service.yaml', () => {
    template.resourceCountIs('AWS::ServiceCatalog::Portfolio', 1);
    template.resourceCountIs('AWS::ServiceCatalog::CloudFormationProduct', 1);
    template.resourceCountIs('AWS::ServiceCatalog::PortfolioProductAssociation', 1);
    expect(PRODUCT_VERSION).toBe('v2');
    template.hasResourceProperties('AWS::ServiceCatalog::CloudFormationProduct', {
      ProvisioningArtifactParameters: [
        Match.objectLike({
          Name: 'v2',
          DisableTemplateValidation: false,
          Info: { LoadTemplateFromURL: { 'Fn::Sub': Match.stringLikeRegexp('/[0-9a-f]{64}\\.yaml$') } },
        }),
      ],
    });
    const url = JSON.stringify(
      (
        only(template, 'AWS::ServiceCatalog::CloudFormationProduct').Properties
          .ProvisioningArtifactParameters as Record<string, unknown>[]
      )[0]!.Info,
    );
    const hash = /([0-9a-f]{64})\.yaml/.exec(url)![1]!;
    const manifest = JSON.parse(
      readFileSync(path.join(assembly.directory, 'MeshServiceCatalog.assets.json'), 'utf8'),
    );
    const staged = path.join(assembly.directory, manifest.files[hash].source.path);
    expect(readFileSync(staged, 'utf8')).toBe(readFileSync(SERVICE_TEMPLATE_PATH, 'utf8'));
  });

  test('THEN the launch constraint names the launch role by name, so shared accounts use their own', () => {
    const roleId = Object.keys(
      template.findResources('AWS::IAM::Role', { Properties: { RoleName: LAUNCH_ROLE_NAME } }),
    )[0]!;
    template.hasResourceProperties('AWS::ServiceCatalog::LaunchRoleConstraint', {
      LocalRoleName: { Ref: roleId },
      RoleArn: Match.absent(),
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'MeshServiceCatalogLaunchRole',
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'servicecatalog.amazonaws.com' },
          },
        ],
      },
    });
  });

  test('THEN no principal is associated and nothing is shared unless context asks for it', () => {
    template.resourceCountIs('AWS::ServiceCatalog::PortfolioPrincipalAssociation', 0);
    template.resourceCountIs('AWS::ServiceCatalog::PortfolioShare', 0);
  });

  test('THEN the launch role grants no wildcard action, and "*" resources only where IAM has no resource level', () => {
    for (const s of statements) for (const a of [s.Action].flat()) expect(a).not.toContain('*');
    const star = statements.filter((s) => [s.Resource].flat().includes('*'));
    expect(star.flatMap((s) => [s.Action].flat()).sort()).toEqual(
      [
        'cloudformation:GetTemplateSummary',
        'cloudformation:ValidateTemplate',
        'ecs:DeregisterTaskDefinition',
        'ecs:DescribeTaskDefinition',
        'ecs:RegisterTaskDefinition',
        's3:GetObject',
      ].sort(),
    );
    expect(bySid(statements, 'ReadProductTemplate').Condition).toEqual({
      StringEquals: { 's3:ExistingObjectTag/servicecatalog:provisioning': 'true' },
    });
  });

  test('THEN it may invoke the provider ServiceToken of its own account and Region, nothing else', () => {
    expect(allowed(statements, 'lambda:InvokeFunction')).toEqual([
      `arn:<AWS::Partition>:lambda:<AWS::Region>:<AWS::AccountId>:function:${PROVIDER_FUNCTION_NAME}`,
    ]);
    expect(PROVIDER_FUNCTION_NAME).toBe('MeshServiceProvider-ServiceToken');
  });

  test('THEN it manages only the stacks Service Catalog provisions', () => {
    expect(allowed(statements, 'cloudformation:CreateStack')).toEqual([
      'arn:<AWS::Partition>:cloudformation:<AWS::Region>:<AWS::AccountId>:stack/SC-*',
    ]);
    for (const a of ['UpdateStack', 'DeleteStack', 'DescribeStacks', 'DescribeStackEvents']) {
      expect(allowed(statements, `cloudformation:${a}`)).toEqual(
        allowed(statements, 'cloudformation:CreateStack'),
      );
    }
  });

  test('THEN it creates roles only under /mesh-service/, only with the boundary, and passes them only to ECS tasks', () => {
    const boundaryId = Object.keys(template.findResources('AWS::IAM::ManagedPolicy'))[0]!;
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      ManagedPolicyName: ROLE_BOUNDARY_NAME,
      Path: SERVICE_ROLE_PATH,
    });
    const create = statements.filter((s) => [s.Action].flat().includes('iam:CreateRole'));
    expect(create).toHaveLength(1);
    expect(text(create[0]!.Resource)).toBe('arn:<AWS::Partition>:iam::<AWS::AccountId>:role/mesh-service/*');
    expect(create[0]!.Condition).toEqual({
      StringEquals: { 'iam:PermissionsBoundary': { Ref: boundaryId } },
    });
    expect([create[0]!.Action].flat()).toEqual(expect.arrayContaining(['iam:PutRolePolicy']));
    const pass = statements.filter((s) => [s.Action].flat().includes('iam:PassRole'));
    expect(pass).toHaveLength(1);
    expect(pass[0]!.Condition).toEqual({
      StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
    });
    for (const s of statements.filter((x) => [x.Action].flat().some((a) => a.startsWith('iam:')))) {
      expect(text(s.Resource)).toBe('arn:<AWS::Partition>:iam::<AWS::AccountId>:role/mesh-service/*');
    }
    for (const a of ['iam:DeleteRolePermissionsBoundary', 'iam:AttachRolePolicy', 'iam:CreatePolicy']) {
      expect(allowed(statements, a)).toEqual([]);
    }
  });

  test('THEN ECS services are limited to the platform cluster and log groups to /mesh-service/', () => {
    expect(allowed(statements, 'ecs:CreateService')).toEqual([
      'arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:service/container-demo/*',
    ]);
    expect(allowed(statements, 'logs:CreateLogGroup')).toEqual([
      `arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:${SERVICE_LOG_GROUP_PREFIX}*`,
    ]);
  });

  test('THEN it may create every resource type of the product template, and no other', () => {
    // The create permissions CloudFormation needs per resource type (its resource schemas' create handlers).
    const createActions: Record<string, string[]> = {
      'AWS::Logs::LogGroup': ['logs:CreateLogGroup', 'logs:PutRetentionPolicy', 'logs:DescribeLogGroups'],
      'AWS::IAM::Role': ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:GetRole'],
      'AWS::ECS::TaskDefinition': ['ecs:RegisterTaskDefinition', 'iam:PassRole'],
      'AWS::ServiceDiscovery::Service': ['servicediscovery:CreateService', 'servicediscovery:GetService'],
      'AWS::ECS::Service': ['ecs:CreateService', 'ecs:DescribeServices'],
      'Custom::MeshService': ['lambda:InvokeFunction'],
    };
    const types = [...new Set(productResources.map((r) => r.Type))].sort();
    expect(types).toEqual(Object.keys(createActions).sort());
    for (const actions of Object.values(createActions)) {
      for (const a of actions) expect(allowed(statements, a)).not.toEqual([]);
    }
  });

  test('THEN every role of the product template is created where and how the launch role may create it', () => {
    const roles = productResources.filter((r) => r.Type === 'AWS::IAM::Role');
    expect(roles.length).toBeGreaterThan(0);
    for (const role of roles) {
      expect(role.Properties.Path).toBe(SERVICE_ROLE_PATH);
      expect(role.Properties.PermissionsBoundary).toEqual({
        'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:policy${SERVICE_ROLE_PATH}${ROLE_BOUNDARY_NAME}`,
      });
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
    const logGroup = productResources.find((r) => r.Type === 'AWS::Logs::LogGroup')!;
    expect(logGroup.Properties.LogGroupName).toEqual({
      'Fn::Sub': `${SERVICE_LOG_GROUP_PREFIX}\${ServiceName}`,
    });
  });

  test('THEN the product takes the ServiceToken as a parameter whose empty default means the imported one', () => {
    expect(product.Parameters?.ServiceToken).toMatchObject({ Type: 'String', Default: '' });
    expect(product.Conditions?.UseImportedServiceToken).toEqual({
      'Fn::Equals': [{ Ref: 'ServiceToken' }, ''],
    });
    const mesh = productResources.find((r) => r.Type === 'Custom::MeshService')!;
    expect(mesh.Properties.ServiceToken).toEqual({
      'Fn::If': [
        'UseImportedServiceToken',
        { 'Fn::ImportValue': SERVICE_TOKEN_EXPORT },
        { Ref: 'ServiceToken' },
      ],
    });
    expect(mesh.Properties.ServiceTimeout).toBe(900);
  });

  test('THEN the product imports only exports the platform stack has, under the import prefix parameter', () => {
    expect(product.Parameters?.PlatformExportPrefix).toMatchObject({ Default: '' });
    const imports = [...JSON.stringify(product.Resources).matchAll(/\$\{PlatformExportPrefix\}(\w+)/g)].map(
      (m) => m[1],
    );
    expect(imports.length).toBeGreaterThan(0);
    for (const name of imports) expect(Object.values(PLATFORM_EXPORTS)).toContain(name);
  });
});

describe('GIVEN context naming principals, share accounts and another ServiceToken', () => {
  const built = buildApp({
    outdir: outdir(),
    context: {
      catalogPrincipalArns:
        'arn:aws:iam::111122223333:role/TeamA, arn:aws:iam:::role/Developer*, arn:aws:iam::111122223333:group/Ops',
      catalogShareAccountIds: '["444455556666", "777788889999"]',
      catalogServiceTokenArns:
        'arn:aws:lambda:eu-west-1:999988887777:function:MeshServiceProvider-ServiceToken',
      catalogProductVersion: 'v3',
    },
  });
  built.app.synth();
  const template = Template.fromStack(built.catalog);

  test('WHEN synthesized THEN each principal is associated, patterns as IAM_PATTERN', () => {
    template.resourceCountIs('AWS::ServiceCatalog::PortfolioPrincipalAssociation', 3);
    template.hasResourceProperties('AWS::ServiceCatalog::PortfolioPrincipalAssociation', {
      PrincipalARN: 'arn:aws:iam::111122223333:role/TeamA',
      PrincipalType: 'IAM',
    });
    template.hasResourceProperties('AWS::ServiceCatalog::PortfolioPrincipalAssociation', {
      PrincipalARN: 'arn:aws:iam:::role/Developer*',
      PrincipalType: 'IAM_PATTERN',
    });
    template.hasResourceProperties('AWS::ServiceCatalog::PortfolioPrincipalAssociation', {
      PrincipalARN: 'arn:aws:iam::111122223333:group/Ops',
      PrincipalType: 'IAM',
    });
  });

  test('WHEN synthesized THEN the portfolio is shared with each account', () => {
    template.resourceCountIs('AWS::ServiceCatalog::PortfolioShare', 2);
    template.hasResourceProperties('AWS::ServiceCatalog::PortfolioShare', { AccountId: '444455556666' });
    template.hasResourceProperties('AWS::ServiceCatalog::PortfolioShare', { AccountId: '777788889999' });
  });

  test('WHEN synthesized THEN the launch role may also invoke the given ServiceToken, and the version is renamed', () => {
    expect([...allowed(launchStatements(template), 'lambda:InvokeFunction')].sort()).toEqual([
      `arn:<AWS::Partition>:lambda:<AWS::Region>:<AWS::AccountId>:function:${PROVIDER_FUNCTION_NAME}`,
      'arn:aws:lambda:eu-west-1:999988887777:function:MeshServiceProvider-ServiceToken',
    ]);
    template.hasResourceProperties('AWS::ServiceCatalog::CloudFormationProduct', {
      ProvisioningArtifactParameters: [Match.objectLike({ Name: 'v3' })],
    });
  });
});

describe('GIVEN an account the portfolio is shared with (catalogLaunchRoleOnly)', () => {
  const built = buildApp({ outdir: outdir(), context: { catalogLaunchRoleOnly: 'true' } });
  built.app.synth();
  const template = Template.fromStack(built.catalog);

  test('WHEN synthesized THEN only the launch role and its boundary exist, under the names the product expects', () => {
    template.resourceCountIs('AWS::ServiceCatalog::Portfolio', 0);
    template.resourceCountIs('AWS::ServiceCatalog::CloudFormationProduct', 0);
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: LAUNCH_ROLE_NAME });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', { ManagedPolicyName: ROLE_BOUNDARY_NAME });
  });
});

describe('GIVEN invalid catalog context', () => {
  test.each([
    [{ catalogShareAccountIds: '12345' }, /12-digit/],
    [{ catalogPrincipalArns: 'TeamA' }, /not an IAM role, user or group ARN/],
    [{ catalogPrincipalArns: 'arn:aws:iam::111122223333:role/Team*' }, /pattern without account/],
  ])('WHEN %j THEN building the app fails', (context, message) => {
    expect(() => buildApp({ outdir: outdir(), context })).toThrow(message);
  });
});

function only(template: Template, type: string): Resource {
  const found = Object.values(template.findResources(type)) as Resource[];
  expect(found).toHaveLength(1);
  return found[0]!;
}
