/**
 * ECS services joining VPC Lattice through the real @aws-sdk/client-ecs: `vpcLatticeConfigurations` on CreateService
 * and UpdateService, checked as ECS checks them (the port name names a port mapping of the task definition; the
 * target group exists in VPC Lattice, in the account) and carried by the deployment.
 */
import {
  CreateServiceCommand,
  type CreateServiceCommandInput,
  DescribeServicesCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { CreateTargetGroupCommand, VPCLatticeClient } from '@aws-sdk/client-vpc-lattice';
import { failureOf, OTHER_ACCOUNT, useEmulator } from './helpers';

const ctx = useEmulator();
let lattice: VPCLatticeClient;
beforeAll(() => {
  lattice = new VPCLatticeClient({});
});
afterAll(() => lattice.destroy());

const ROLE = 'arn:aws:iam::111122223333:role/ecsInfrastructureRole';
let td: string;
let targetGroupArn: string;

async function register(portName: string): Promise<string> {
  const out = await ctx.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'web',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        {
          name: 'app',
          image: 'public.ecr.aws/nginx/nginx:latest',
          portMappings: [{ containerPort: 3000, name: portName }],
        },
      ],
    }),
  );
  return out.taskDefinition!.taskDefinitionArn!;
}

async function targetGroup(name: string, client = lattice): Promise<string> {
  const out = await client.send(
    new CreateTargetGroupCommand({
      name,
      type: 'IP',
      config: { port: 3000, protocol: 'HTTP', vpcIdentifier: 'vpc-0123456789abcdef0' },
    }),
  );
  return out.arn!;
}

beforeEach(async () => {
  td = await register('http-3000');
  targetGroupArn = await targetGroup('web-v1');
});

const service = (over: Partial<CreateServiceCommandInput> = {}): CreateServiceCommandInput => ({
  cluster: 'demo',
  serviceName: 'web',
  taskDefinition: td,
  desiredCount: 0,
  vpcLatticeConfigurations: [{ roleArn: ROLE, targetGroupArn, portName: 'http-3000' }],
  ...over,
});

describe('GIVEN CreateService with vpcLatticeConfigurations', () => {
  test('WHEN the port and the target group exist THEN the deployment carries the configuration', async () => {
    const out = await ctx.ecs.send(new CreateServiceCommand(service()));
    expect(out.service!.deployments![0]!.vpcLatticeConfigurations).toEqual([
      { roleArn: ROLE, targetGroupArn, portName: 'http-3000' },
    ]);
    const described = await ctx.ecs.send(new DescribeServicesCommand({ cluster: 'demo', services: ['web'] }));
    expect(described.services![0]!.deployments![0]!.vpcLatticeConfigurations![0]!.targetGroupArn).toBe(
      targetGroupArn,
    );
  });

  test('WHEN the port name is no port mapping of the task definition THEN InvalidParameterException naming it', async () => {
    const error = await failureOf(
      ctx.ecs.send(
        new CreateServiceCommand(
          service({ vpcLatticeConfigurations: [{ roleArn: ROLE, targetGroupArn, portName: 'grpc' }] }),
        ),
      ),
    );
    expect(error.name).toBe('InvalidParameterException');
    expect(error.message).toMatch(/grpc/);
  });

  test('WHEN the target group does not exist, or is another account’s THEN InvalidParameterException naming it', async () => {
    const missing = targetGroupArn.replace(/tg-[0-9a-z]{17}/, 'tg-0123456789abcdef0');
    const error = await failureOf(
      ctx.ecs.send(
        new CreateServiceCommand(
          service({
            vpcLatticeConfigurations: [{ roleArn: ROLE, targetGroupArn: missing, portName: 'http-3000' }],
          }),
        ),
      ),
    );
    expect(error.name).toBe('InvalidParameterException');
    expect(error.message).toContain(missing);
    const foreign = new VPCLatticeClient({
      credentials: { accessKeyId: `EMULATOR${OTHER_ACCOUNT}`, secretAccessKey: 'x' },
    });
    try {
      const theirs = await targetGroup('theirs', foreign);
      const refused = await failureOf(
        ctx.ecs.send(
          new CreateServiceCommand(
            service({
              vpcLatticeConfigurations: [{ roleArn: ROLE, targetGroupArn: theirs, portName: 'http-3000' }],
            }),
          ),
        ),
      );
      expect(refused.name).toBe('InvalidParameterException');
    } finally {
      foreign.destroy();
    }
  });
});

describe('GIVEN a service in VPC Lattice', () => {
  test('WHEN UpdateService names another target group THEN the deployment carries it; an empty list leaves Lattice', async () => {
    await ctx.ecs.send(new CreateServiceCommand(service()));
    const v2 = await targetGroup('web-v2');
    const moved = await ctx.ecs.send(
      new UpdateServiceCommand({
        cluster: 'demo',
        service: 'web',
        vpcLatticeConfigurations: [{ roleArn: ROLE, targetGroupArn: v2, portName: 'http-3000' }],
      }),
    );
    expect(moved.service!.deployments![0]!.vpcLatticeConfigurations![0]!.targetGroupArn).toBe(v2);
    const kept = await ctx.ecs.send(
      new UpdateServiceCommand({ cluster: 'demo', service: 'web', desiredCount: 0 }),
    );
    expect(kept.service!.deployments![0]!.vpcLatticeConfigurations![0]!.targetGroupArn).toBe(v2);
    const left = await ctx.ecs.send(
      new UpdateServiceCommand({ cluster: 'demo', service: 'web', vpcLatticeConfigurations: [] }),
    );
    expect(left.service!.deployments![0]!.vpcLatticeConfigurations).toBeUndefined();
  });

  test('WHEN it is updated to a revision without the port name THEN InvalidParameterException', async () => {
    await ctx.ecs.send(new CreateServiceCommand(service()));
    const renamed = await register('web-3000');
    const error = await failureOf(
      ctx.ecs.send(new UpdateServiceCommand({ cluster: 'demo', service: 'web', taskDefinition: renamed })),
    );
    expect(error.name).toBe('InvalidParameterException');
    expect(error.message).toMatch(/http-3000/);
  });
});
