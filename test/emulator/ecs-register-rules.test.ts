/**
 * RegisterTaskDefinition rules the model cannot express (ClientException, as real ECS answers): Compliance cases
 * must register, Noncompliance cases must be refused with a message naming the container or field.
 */
import { RegisterTaskDefinitionCommand, type RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { envoyContainer, patchedTaskDefinition, simpleTaskDefinition } from './fixtures';
import { failureOf, useEmulator } from './helpers';

const ctx = useEmulator();

type Mutation = (td: RegisterTaskDefinitionCommandInput) => void;

/** A fresh correctly patched task definition, changed by `mutate`. */
function patched(mutate: Mutation): RegisterTaskDefinitionCommandInput {
  const td = structuredClone(patchedTaskDefinition());
  mutate(td);
  return td;
}

function containers(td: RegisterTaskDefinitionCommandInput) {
  const list = td.containerDefinitions ?? [];
  const app = list[0];
  const envoy = list[1];
  if (!app || !envoy) throw new Error('fixture has two containers');
  return { app, envoy };
}

function setProperty(td: RegisterTaskDefinitionCommandInput, name: string, value: string | undefined) {
  const properties = (td.proxyConfiguration?.properties ?? []).filter((p) => p.name !== name);
  if (value !== undefined) properties.push({ name, value });
  if (td.proxyConfiguration) td.proxyConfiguration.properties = properties;
}

const register = (input: RegisterTaskDefinitionCommandInput) =>
  ctx.ecs.send(new RegisterTaskDefinitionCommand(input));

describe('Compliance: definitions ECS accepts', () => {
  test.each<[string, RegisterTaskDefinitionCommandInput]>([
    ['the correctly patched workshop task definition (envoy-sidecar.md)', patchedTaskDefinition()],
    ['a minimal EC2 task definition', simpleTaskDefinition()],
    [
      'a gateway Envoy task (no proxy configuration; Envoy is the main container)',
      {
        family: 'mesh-gw-proxy',
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        containerDefinitions: [{ ...envoyContainer(), portMappings: [{ containerPort: 3000 }] }],
      },
    ],
    [
      'task size written as "0.5 vCPU" and "1 GB"',
      patched((td) => Object.assign(td, { cpu: '0.5 vCPU', memory: '1 GB' })),
    ],
    [
      'hostPort equal to containerPort in awsvpc',
      patched((td) => {
        containers(td).app.portMappings = [{ containerPort: 3000, hostPort: 3000 }];
      }),
    ],
    [
      'exactly 15 EgressIgnoredPorts',
      patched((td) =>
        setProperty(td, 'EgressIgnoredPorts', Array.from({ length: 15 }, (_, i) => 8000 + i).join(',')),
      ),
    ],
    [
      'IgnoredGID instead of IgnoredUID',
      patched((td) => {
        setProperty(td, 'IgnoredUID', undefined);
        setProperty(td, 'IgnoredGID', '1338');
      }),
    ],
    [
      'memoryReservation equal to memory',
      patched((td) => Object.assign(containers(td).app, { memory: 256, memoryReservation: 256 })),
    ],
    [
      'task memory given, containers without memory',
      patched((td) => {
        delete containers(td).app.memoryReservation;
        delete containers(td).envoy.memoryReservation;
      }),
    ],
  ])('GIVEN %s THEN it registers', async (_, input) => {
    const result = await register(input);
    expect(result.taskDefinition?.status).toBe('ACTIVE');
  });

  test.each<[number, number]>([
    [256, 512],
    [256, 1024],
    [256, 2048],
    [512, 1024],
    [512, 4096],
    [1024, 2048],
    [1024, 8192],
    [2048, 4096],
    [2048, 16384],
    [4096, 8192],
    [4096, 30720],
    [8192, 16384],
    [8192, 20480],
    [8192, 61440],
    [16384, 32768],
    [16384, 40960],
    [16384, 122880],
  ])('GIVEN Fargate cpu %i with memory %i THEN it registers', async (cpu, memory) => {
    const input = patched((td) => Object.assign(td, { cpu: String(cpu), memory: String(memory) }));
    expect((await register(input)).taskDefinition?.compatibilities).toContain('FARGATE');
  });
});

describe('Noncompliance: definitions ECS refuses with ClientException', () => {
  test.each<[string, Mutation, string]>([
    [
      'an invalid family name',
      (td) => {
        td.family = 'my family!';
      },
      "Invalid family 'my family!'",
    ],
    [
      'a 256-character family name',
      (td) => {
        td.family = 'f'.repeat(256);
      },
      'up to 255 letters',
    ],
    [
      'no containers',
      (td) => {
        td.containerDefinitions = [];
      },
      'Container list cannot be empty.',
    ],
    [
      'a container without image',
      (td) => {
        delete containers(td).app.image;
      },
      "Container.image should not be null or empty (container 'frontend')",
    ],
    [
      'two containers with the same name',
      (td) => {
        containers(td).app.name = 'envoy';
      },
      "'envoy' is used more than once",
    ],
    [
      'no essential container',
      (td) => {
        for (const c of td.containerDefinitions ?? []) c.essential = false;
      },
      'at least one essential container',
    ],
    [
      'dependsOn naming a missing container',
      (td) => {
        containers(td).app.dependsOn = [{ containerName: 'xray', condition: 'START' }];
      },
      "Container 'frontend' depends on container 'xray', which is not defined",
    ],
    [
      'HEALTHY on a container without healthCheck',
      (td) => {
        delete containers(td).envoy.healthCheck;
      },
      "with condition HEALTHY, but 'envoy' has no healthCheck",
    ],
    [
      'a dependency cycle',
      (td) => {
        containers(td).envoy.dependsOn = [{ containerName: 'frontend', condition: 'START' }];
      },
      'Container dependency cycle detected: frontend -> envoy -> frontend.',
    ],
    [
      'an APPMESH proxy outside awsvpc',
      (td) => {
        td.networkMode = 'bridge';
        td.requiresCompatibilities = ['EC2'];
      },
      'APPMESH proxy configuration is only supported in networkMode=awsvpc',
    ],
    [
      'a proxy naming a missing container',
      (td) => {
        if (td.proxyConfiguration) td.proxyConfiguration.containerName = 'proxy';
      },
      "names container 'proxy', which is not defined",
    ],
    ['no AppPorts', (td) => setProperty(td, 'AppPorts', undefined), 'App ports not found'],
    [
      'an empty EgressIgnoredPorts',
      (td) => setProperty(td, 'EgressIgnoredPorts', ''),
      "property 'EgressIgnoredPorts' has an empty value",
    ],
    [
      'a proxy property without a value',
      (td) => {
        td.proxyConfiguration?.properties?.push({ name: 'IgnoredGID' });
      },
      'ProxyConfiguration properties value cannot be null.',
    ],
    [
      '16 EgressIgnoredPorts',
      (td) => setProperty(td, 'EgressIgnoredPorts', Array.from({ length: 16 }, (_, i) => 8000 + i).join(',')),
      'EgressIgnoredPorts lists 16 ports; at most 15',
    ],
    [
      'AppPorts that are not ports',
      (td) => setProperty(td, 'AppPorts', '3000,http'),
      "'AppPorts' must be a comma-separated list of ports",
    ],
    [
      'no IgnoredUID nor IgnoredGID',
      (td) => setProperty(td, 'IgnoredUID', undefined),
      'needs IgnoredUID or IgnoredGID',
    ],
    [
      'Fargate with bridge networking',
      (td) => {
        td.networkMode = 'bridge';
        delete td.proxyConfiguration;
      },
      "Fargate only supports network mode 'awsvpc'.",
    ],
    [
      'Fargate without task cpu',
      (td) => {
        delete td.cpu;
      },
      "Fargate requires that 'cpu' be defined at the task level.",
    ],
    [
      'Fargate without task memory',
      (td) => {
        delete td.memory;
      },
      "Fargate requires that 'memory' be defined at the task level.",
    ],
    [
      'Fargate 256 CPU with 4 GB',
      (td) => {
        td.memory = '4 GB';
      },
      'No Fargate configuration exists for given values: 256 CPU, 4096 memory.',
    ],
    [
      'Fargate 8192 CPU with 18 GB (not a 4 GB step)',
      (td) => Object.assign(td, { cpu: '8192', memory: '18432' }),
      '8192 CPU, 18432 memory',
    ],
    [
      'Fargate 16384 CPU with 36 GB (not an 8 GB step)',
      (td) => Object.assign(td, { cpu: '16 vCPU', memory: '36 GB' }),
      '16384 CPU, 36864 memory',
    ],
    [
      'a container without memory when the task has none',
      (td) => {
        td.requiresCompatibilities = ['EC2'];
        delete td.memory;
        delete td.cpu;
        delete containers(td).app.memoryReservation;
      },
      "Invalid setting for container 'frontend'. At least one of 'memory' or 'memoryReservation' must be specified.",
    ],
    [
      'memoryReservation above memory',
      (td) => Object.assign(containers(td).app, { memory: 128, memoryReservation: 256 }),
      "'memoryReservation' (256) must be less than or equal to 'memory' (128)",
    ],
    [
      'a container memory above the task memory',
      (td) => Object.assign(containers(td).app, { memory: 1024, memoryReservation: undefined }),
      "The 'memory' setting for container 'frontend' is greater than for the task.",
    ],
    [
      'container reservations above the task memory',
      (td) => {
        containers(td).app.memoryReservation = 400;
      },
      "cannot be greater than the value of the task 'memory' (512 MiB)",
    ],
    [
      'container cpu above the task cpu',
      (td) => {
        containers(td).app.cpu = 200;
        containers(td).envoy.cpu = 100;
      },
      "The sum of all container 'cpu' values (300) cannot be greater than the value of the task 'cpu' (256).",
    ],
    [
      'a hostPort different from containerPort in awsvpc',
      (td) => {
        containers(td).app.portMappings = [{ containerPort: 3000, hostPort: 80 }];
      },
      'When networkMode=awsvpc, the host ports and container ports in port mappings must match',
    ],
    [
      'a port mapping without containerPort',
      (td) => {
        containers(td).app.portMappings = [{ protocol: 'tcp' }];
      },
      "Invalid 'containerPort' setting for container 'frontend'.",
    ],
    [
      'a reserved aws: tag key',
      (td) => {
        td.tags = [{ key: 'aws:cloudformation:stack-name', value: 'x' }];
      },
      "Tag key 'aws:cloudformation:stack-name' is not allowed",
    ],
    [
      'duplicate tag keys',
      (td) => {
        td.tags = [
          { key: 'a', value: '1' },
          { key: 'a', value: '2' },
        ];
      },
      "Duplicate tag key 'a'.",
    ],
  ])('GIVEN %s THEN ClientException', async (_, mutate, message) => {
    const error = await failureOf(register(patched(mutate)));
    expect(error.name).toBe('ClientException');
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(error.message).toContain(message);
    expect(ctx.emulator.snapshot().ecs.taskDefinitions).toEqual([]);
  });

  test.each([
    ['cpu', { cpu: 'lots' }, "Invalid 'cpu' setting for task."],
    ['memory', { memory: '1 TB' }, "Invalid 'memory' setting for task."],
  ])(
    'GIVEN an unparseable task %s THEN InvalidParameterException (as ECS answers)',
    async (_, change, message) => {
      const error = await failureOf(register(patched((td) => Object.assign(td, change))));
      expect(error.name).toBe('InvalidParameterException');
      expect(error.message).toBe(message);
    },
  );

  test('GIVEN 51 tags THEN the model rejects them (InvalidParameterException naming tags)', async () => {
    const tags = Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    const error = await failureOf(register({ ...patchedTaskDefinition(), tags }));
    expect(error.name).toBe('InvalidParameterException');
    expect(error.message).toContain("'tags'");
  });
});
