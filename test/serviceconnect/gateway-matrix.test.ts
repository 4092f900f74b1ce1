/**
 * The fault matrix (test/support/matrix.ts) on a Service Connect service with a Gateway: every call of a Create, an
 * in-place Update (matches, health check, and a VpcId that needs a new target group) and a Delete × every fault kind,
 * then CloudFormation's next step; no owned listener rule, target group or revision may be left.
 */
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { startWorld, type World } from '../support/harness';
import { runMatrix } from '../support/matrix';
import { SC_GATEWAY_CREATE, SC_GATEWAY_DELETE, SC_GATEWAY_UPDATE } from '../support/scenarios';

let world: World;
const zombies: Promise<unknown>[] = [];
beforeAll(async () => {
  world = await startWorld();
  world.emulator.servicediscovery.putNamespace('service.local');
  const elb = new ElasticLoadBalancingV2Client({});
  try {
    const lb = await elb.send(
      new CreateLoadBalancerCommand({ Name: 'mesh-ingress', Subnets: ['subnet-a', 'subnet-b'] }),
    );
    await elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb.LoadBalancers![0]!.LoadBalancerArn!,
        Protocol: 'HTTP',
        Port: 3000,
        DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
      }),
    );
  } finally {
    elb.destroy();
  }
});
afterAll(async () => {
  await Promise.all(zombies);
  await world.close();
});

describe('GIVEN Backend ServiceConnect with a Gateway', () => {
  test.each([
    ['a Create', SC_GATEWAY_CREATE, 'gc'],
    ['an in-place Update', SC_GATEWAY_UPDATE, 'gu'],
    ['a Delete', SC_GATEWAY_DELETE, 'gd'],
  ] as const)(
    "WHEN each call of %s meets every fault kind THEN CloudFormation's next step leaves the surviving rule and target group, then nothing",
    async (name, scenario, prefix) => {
      const tally = await runMatrix(world, scenario, prefix, zombies, 5);
      console.log(`fault matrix, Service Connect Gateway, ${name}: ${JSON.stringify(tally)}`);
    },
    600_000,
  );
});
