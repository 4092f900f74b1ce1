import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { buildApp } from '../../infra/app-builder';
import { MeshServiceProviderStack, SERVICE_TOKEN_EXPORT } from '../../infra/provider-stack';
import { type CliAssembly, cdkSynth } from './cdk-synth';
import { plainApp } from './plain-app';

const outdir = () => mkdtempSync(path.join(tmpdir(), 'cdk-test-'));

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown; Sid?: string };
function statements(template: Template): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (p) =>
      (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument
        .Statement,
  );
}

describe('GIVEN the MeshServiceProvider stack built as `cdk synth` builds it', () => {
  // Built by the CLI (cdk-synth.ts); cdk-nag's AwsSolutions checks are registered by buildApp: synth fails on any
  // unacknowledged finding.
  let assembly: CliAssembly;
  let template: Template;
  beforeAll(async () => {
    assembly = await cdkSynth();
    template = assembly.template('MeshServiceProvider');
  }, 120_000);

  test('THEN the ServiceToken is exported under its documented, stable name', () => {
    template.hasOutput('ServiceToken', {
      Export: { Name: SERVICE_TOKEN_EXPORT },
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ProviderframeworkonEvent'), 'Arn'] },
    });
    expect(SERVICE_TOKEN_EXPORT).toBe('MeshServiceProvider-ServiceToken');
  });

  test('WHEN a CDK app builds the stack with namePrefix undefined (an unset option passed on) THEN the names stay fixed', () => {
    const stack = new MeshServiceProviderStack(plainApp(), 'MeshServiceProvider', { namePrefix: undefined });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'MeshServiceProvider-ServiceToken',
    });
  });

  test('THEN the function names are fixed, so the ServiceToken ARN is predictable', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'MeshServiceProvider-ServiceToken',
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'MeshServiceProvider-Handler',
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Timeout: 600,
    });
  });

  test('THEN every log group has a retention', () => {
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(groups.length).toBeGreaterThanOrEqual(2);
    for (const g of groups)
      expect((g as { Properties: { RetentionInDays?: number } }).Properties.RetentionInDays).toBe(365);
  });

  test('THEN the handler deploys exactly the bundle in dist/lambda', () => {
    const handler = Object.values(template.findResources('AWS::Lambda::Function')).find(
      (f) =>
        (f as { Properties: { FunctionName?: string } }).Properties.FunctionName ===
        'MeshServiceProvider-Handler',
    ) as { Properties: { Code: { S3Key: string } } };
    const hash = handler.Properties.Code.S3Key.replace(/\.zip$/, '');
    const manifest = JSON.parse(
      readFileSync(path.join(assembly.directory, 'MeshServiceProvider.assets.json'), 'utf8'),
    );
    const staged = path.join(assembly.directory, manifest.files[hash].source.path);
    const dist = path.join(__dirname, '..', '..', 'dist', 'lambda');
    expect(readdirSync(staged).sort()).toEqual(readdirSync(dist).sort());
    expect(readFileSync(path.join(staged, 'index.js'))).toEqual(readFileSync(path.join(dist, 'index.js')));
  });

  test('THEN no IAM statement grants a wildcard action', () => {
    for (const s of statements(template)) {
      for (const action of [s.Action].flat()) expect(action).not.toContain('*');
    }
  });

  test('THEN App Mesh permissions are limited to meshes of this account and Region', () => {
    const appmesh = statements(template).find((s) => s.Sid === 'AppMeshServiceResources')!;
    expect(appmesh.Resource).toEqual({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':appmesh:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          ':mesh/*',
        ],
      ],
    });
    expect([appmesh.Action].flat()).toEqual(
      expect.arrayContaining(['appmesh:CreateVirtualNode', 'appmesh:TagResource']),
    );
  });

  test('THEN every App Mesh, ECS, CloudFormation, Cloud Map, VPC Lattice and Tagging call the handler code makes is allowed by its role', () => {
    const used = new Set<string>();
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(file);
        else if (file.endsWith('.ts')) {
          const text = readFileSync(file, 'utf8');
          for (const [, names, pkg] of text.matchAll(
            /import \{([^}]*)\} from '@aws-sdk\/client-(app-mesh|ecs|cloudformation|servicediscovery|vpc-lattice|resource-groups-tagging-api|elastic-load-balancing-v2)'/g,
          )) {
            const prefix = {
              ecs: 'ecs',
              'vpc-lattice': 'vpc-lattice',
              'app-mesh': 'appmesh',
              cloudformation: 'cloudformation',
              servicediscovery: 'servicediscovery',
              'resource-groups-tagging-api': 'tag',
              'elastic-load-balancing-v2': 'elasticloadbalancing',
            }[pkg!];
            for (const m of names!.matchAll(/\b([A-Z][A-Za-z]+)Command\b/g)) used.add(`${prefix}:${m[1]}`);
          }
        }
      }
    };
    walk(path.join(__dirname, '..', '..', 'lambda'));
    expect(used.size).toBeGreaterThan(25);
    const granted = new Set(statements(template).flatMap((s) => [s.Action].flat()));
    expect([...used].filter((action) => !granted.has(action))).toEqual([]);
  });

  test('THEN VPC Lattice permissions are scoped: no vpc-lattice:* action, Resource * only for the lists that take no resource, the rest on ARNs of this account and Region, and the service network only read and joined', () => {
    const lattice = statements(template).filter((s) =>
      [s.Action].flat().some((a) => a.startsWith('vpc-lattice:')),
    );
    expect(lattice.length).toBeGreaterThan(0);
    const arnOf = (kind: string) => ({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':vpc-lattice:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          `:${kind}/*`,
        ],
      ],
    });
    const unscoped = [
      'vpc-lattice:ListServiceNetworks',
      'vpc-lattice:ListServices',
      'vpc-lattice:ListTargetGroups',
    ];
    for (const s of lattice) {
      expect([s.Action].flat().filter((a) => a.includes('*'))).toEqual([]);
      // The reclaimer's role lists Lattice beside other services' reads in one statement: its Lattice actions count.
      const actions = [s.Action].flat().filter((a) => a.startsWith('vpc-lattice:'));
      const resources = [s.Resource].flat();
      if (resources.includes('*')) {
        expect(resources).toEqual(['*']);
        expect(actions.filter((a) => !unscoped.includes(a))).toEqual([]);
        continue;
      }
      for (const r of resources)
        expect(
          [
            'service',
            'targetgroup',
            'servicenetwork',
            'servicenetworkserviceassociation',
            'accesslogsubscription',
          ].map(arnOf),
        ).toContainEqual(r);
      // The platform's service network is not this resource's: read and joined, never changed or tagged.
      if (resources.some((r) => JSON.stringify(r) === JSON.stringify(arnOf('servicenetwork'))))
        expect([...actions].sort()).toEqual([
          'vpc-lattice:CreateServiceNetworkServiceAssociation',
          'vpc-lattice:GetServiceNetwork',
        ]);
    }
  });

  test('THEN Elastic Load Balancing changes are allowed only on target groups and listener rules, created with the ownership tag or carrying it', () => {
    const elb = statements(template).filter((s) =>
      [s.Action].flat().some((a) => String(a).startsWith('elasticloadbalancing:')),
    );
    const mutating = (s: (typeof elb)[number]) =>
      [s.Action].flat().some((a) => !/^elasticloadbalancing:Describe/.test(String(a)));
    // Describe* supports no resource-level permission; everything else is scoped and conditioned on tags.
    for (const s of elb.filter((x) => !mutating(x))) expect(s.Resource).toBe('*');
    const changes = elb.filter(mutating);
    expect(changes.length).toBeGreaterThanOrEqual(3);
    for (const s of changes) {
      expect(s.Resource).not.toBe('*');
      expect(JSON.stringify(s.Resource)).not.toContain(':loadbalancer/');
      expect(JSON.stringify(s.Condition)).toMatch(
        /aws:RequestTag\/mesh-service:owner|aws:ResourceTag\/mesh-service:owner|elasticloadbalancing:CreateAction/,
      );
    }
    const actions = changes.flatMap((s) => [s.Action].flat());
    expect(actions).not.toContain('elasticloadbalancing:DeleteLoadBalancer');
    expect(actions).not.toContain('elasticloadbalancing:DeleteListener');
    expect(actions).not.toContain('elasticloadbalancing:ModifyListener');
  });

  test('THEN iam:PassRole is granted only towards ECS tasks, and only for roles under /mesh-service/ (never role/*)', () => {
    const pass = statements(template).filter((s) => [s.Action].flat().includes('iam:PassRole'));
    expect(pass).toHaveLength(1);
    expect(pass[0]!.Condition).toEqual({
      StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
    });
    expect(JSON.stringify(pass[0]!.Resource)).toBe(
      JSON.stringify({
        'Fn::Join': [
          '',
          ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':role/mesh-service/*'],
        ],
      }),
    );
  });

  test('THEN the handler reads the default trust policy from its environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'MeshServiceProvider-Handler',
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
  });

  test('THEN no cross-account invoke permission exists unless context asks for one', () => {
    // The reclaimer's rules (events.amazonaws.com) aside.
    expect(
      Object.values(template.findResources('AWS::Lambda::Permission')).filter(
        (p) => p.Properties.Principal !== 'events.amazonaws.com',
      ),
    ).toHaveLength(0);
  });
});

describe('GIVEN context naming other principals', () => {
  test('WHEN an organization id and accounts are given THEN the ServiceToken may be invoked by exactly those', () => {
    const built = buildApp({
      outdir: outdir(),
      context: { invokerOrganizationId: 'o-abc123def4', invokerAccountIds: '111111111111, 222222222222' },
    });
    built.app.synth();
    const template = Template.fromStack(built.provider);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: '*',
      PrincipalOrgID: 'o-abc123def4',
    });
    template.hasResourceProperties('AWS::Lambda::Permission', { Principal: '111111111111' });
    template.hasResourceProperties('AWS::Lambda::Permission', { Principal: '222222222222' });
    // The reclaimer's rules (events.amazonaws.com) aside.
    expect(
      Object.values(template.findResources('AWS::Lambda::Permission')).filter(
        (p) => p.Properties.Principal !== 'events.amazonaws.com',
      ),
    ).toHaveLength(3);
  });

  test('WHEN the trust policy is set in context THEN the handler gets it and iam:PassRole follows passRoles', () => {
    const built = buildApp({
      outdir: outdir(),
      context: {
        invokerAccountIds: '111111111111,222222222222',
        allowedTaskFamilies: 'ci-*',
        passRoles: '["ecs-tasks/*", "ecsTaskExecutionRole"]',
        allowedImages: '123456789012.dkr.ecr.us-east-1.amazonaws.com/mirror/*',
        verifyStackRequests: 'false',
      },
    });
    built.app.synth();
    const template = Template.fromStack(built.provider);
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'MeshServiceProvider-Handler',
      Environment: {
        Variables: Match.objectLike({
          MESH_SERVICE_INVOKER_ACCOUNTS: '111111111111,222222222222',
          MESH_SERVICE_TASK_FAMILIES: 'ci-*',
          MESH_SERVICE_PASS_ROLES: 'ecs-tasks/*,ecsTaskExecutionRole',
          MESH_SERVICE_IMAGES: '123456789012.dkr.ecr.us-east-1.amazonaws.com/mirror/*',
          MESH_SERVICE_VERIFY_STACKS: 'false',
        }),
      },
    });
    const pass = statements(template).find((s) => [s.Action].flat().includes('iam:PassRole'))!;
    expect(JSON.stringify(pass.Resource)).toContain(':role/ecs-tasks/*');
    expect(JSON.stringify(pass.Resource)).toContain(':role/ecsTaskExecutionRole');
    expect(JSON.stringify(pass.Resource)).not.toContain(':role/*');
  });

  test('WHEN an organization shares the ServiceToken THEN the handler serves stacks of any account', () => {
    const built = buildApp({ outdir: outdir(), context: { invokerOrganizationId: 'o-abc123def4' } });
    built.app.synth();
    Template.fromStack(built.provider).hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'MeshServiceProvider-Handler',
      Environment: { Variables: Match.objectLike({ MESH_SERVICE_INVOKER_ACCOUNTS: '*' }) },
    });
  });

  test('WHEN passRoles would cover every role THEN synth refuses it', () => {
    expect(() => buildApp({ outdir: outdir(), context: { passRoles: '*' } })).toThrow(
      /passRoles: "\*" is not a role pattern/,
    );
  });

  test('WHEN meshes are shared from other accounts THEN their mesh ARNs are added, and only those, and the handler allows those MeshOwners', () => {
    const built = buildApp({ outdir: outdir(), context: { sharedMeshOwnerAccountIds: '["333333333333"]' } });
    built.app.synth();
    const template = Template.fromStack(built.provider);
    const appmesh = statements(template).find((s) => s.Sid === 'AppMeshServiceResources')!;
    expect(JSON.stringify(appmesh.Resource)).toContain(':333333333333:mesh/*');
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'MeshServiceProvider-Handler',
      Environment: { Variables: Match.objectLike({ MESH_SERVICE_SHARED_MESH_OWNERS: '333333333333' }) },
    });
  });
});

describe('GIVEN cdk-nag registered the way buildApp registers it', () => {
  test('WHEN a stack has an unacknowledged finding THEN synth fails (the check is live)', () => {
    const built = buildApp({ outdir: outdir() });
    const extra = new Stack(built.app, 'Extra');
    new iam.Role(extra, 'Wide', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }).addToPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }),
    );
    expect(() => built.app.synth()).toThrow(/AwsSolutions-IAM5/);
  });
});
