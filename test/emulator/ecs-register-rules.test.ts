/**
 * RegisterTaskDefinition rules the model cannot express (ClientException, as real ECS answers): Compliance cases
 * must register, Noncompliance cases must be refused with a message naming the container or field.
 */
import {
  type ContainerDefinition,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  TagResourceCommand,
} from '@aws-sdk/client-ecs';
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
      'networkMode none without port mappings (EC2)',
      patched((td) => {
        Object.assign(td, { networkMode: 'none', requiresCompatibilities: ['EC2'] });
        delete td.proxyConfiguration;
        for (const c of td.containerDefinitions ?? []) delete c.portMappings;
      }),
    ],
    [
      'an EC2 task of 128 CPU units, the least ECS supports',
      patched((td) => {
        Object.assign(td, { cpu: '128', requiresCompatibilities: ['EC2'] });
        for (const c of td.containerDefinitions ?? []) delete c.cpu;
      }),
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
      // Real ECS wording, "+" included (dagster-io/dagster#6926, eagletmt/hako#99).
      "Cannot depend on container + 'xray' because it does not exist",
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
      'port mappings with networkMode none',
      (td) => {
        Object.assign(td, { networkMode: 'none', requiresCompatibilities: ['EC2'] });
        delete td.proxyConfiguration;
      },
      "Port mappings are not supported when networkMode=none (container 'frontend').",
    ],
    [
      'an EC2 task below 128 CPU units',
      (td) => {
        Object.assign(td, { cpu: '64', requiresCompatibilities: ['EC2'] });
        for (const c of td.containerDefinitions ?? []) delete c.cpu;
      },
      "Invalid 'cpu' setting for task.",
    ],
    [
      'an EC2 task above 196608 CPU units',
      (td) => {
        Object.assign(td, { cpu: '200000', memory: '8192', requiresCompatibilities: ['EC2'] });
      },
      "Invalid 'cpu' setting for task.",
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

/** `count` small non-essential containers to add to the patched definition. */
function extraContainers(count: number): ContainerDefinition[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `worker-${i}`,
    image: 'busybox',
    essential: false,
  }));
}

/** A bridge-mode EC2 definition (links and hostname are allowed there). */
function bridgeTaskDefinition(): RegisterTaskDefinitionCommandInput {
  return {
    family: 'bridge',
    networkMode: 'bridge',
    containerDefinitions: [
      { name: 'web', image: 'nginx', memory: 128, links: ['db'], hostname: 'web' },
      { name: 'db', image: 'postgres', memory: 256 },
    ],
  };
}

describe('Compliance: the limits ECS documents, at their edges', () => {
  test.each<[string, RegisterTaskDefinitionCommandInput]>([
    // ECS service quotas: "Containers per task definition: 10".
    ['10 containers', patched((td) => td.containerDefinitions?.push(...extraContainers(8)))],
    // ECS API reference, HealthCheck: interval 5-300, timeout 2-60, retries 1-10, startPeriod 0-300.
    [
      'a health check at the lower bounds (5, 2, 1, 0)',
      patched((td) => {
        containers(td).envoy.healthCheck = {
          command: ['CMD', 'true'],
          interval: 5,
          timeout: 2,
          retries: 1,
          startPeriod: 0,
        };
      }),
    ],
    [
      'a health check at the upper bounds (300, 60, 10, 300)',
      patched((td) => {
        containers(td).envoy.healthCheck = {
          command: ['CMD', 'true'],
          interval: 300,
          timeout: 60,
          retries: 10,
          startPeriod: 300,
        };
      }),
    ],
    // ECS API reference, ContainerDefinition.stopTimeout: Fargate's maximum is 120 s; EC2 documents none.
    [
      'stopTimeout 120 on Fargate',
      patched((td) => {
        containers(td).envoy.stopTimeout = 120;
      }),
    ],
    [
      'stopTimeout 600 on EC2',
      {
        ...simpleTaskDefinition(),
        containerDefinitions: [{ name: 'app', image: 'nginx', memory: 128, stopTimeout: 600 }],
      },
    ],
    // ECS API reference, ContainerDependency.condition: COMPLETE/SUCCESS suit "nonessential containers that run a
    // script and then exit".
    [
      'a COMPLETE dependency on a non-essential init container',
      patched((td) => {
        td.containerDefinitions?.push({ name: 'init', image: 'busybox', essential: false });
        containers(td).app.dependsOn?.push({ containerName: 'init', condition: 'COMPLETE' });
      }),
    ],
    // ECS API reference, ContainerDefinition.links ("only supported if the network mode … is bridge") and .hostname
    // (not supported with awsvpc): both fine in bridge mode.
    ['links and hostname in bridge mode', bridgeTaskDefinition()],
    // ECS API reference, ProxyConfiguration.properties: EgressIgnoredPorts and EgressIgnoredIPs "can be an empty
    // list"; IgnoredUID "can be empty" when IgnoredGID is specified.
    ['an empty EgressIgnoredPorts', patched((td) => setProperty(td, 'EgressIgnoredPorts', ''))],
    ['an empty EgressIgnoredIPs', patched((td) => setProperty(td, 'EgressIgnoredIPs', ''))],
    [
      'an empty IgnoredUID with an IgnoredGID',
      patched((td) => {
        setProperty(td, 'IgnoredUID', '');
        setProperty(td, 'IgnoredGID', '1338');
      }),
    ],
    // ECS API reference, Tag: letters, numbers and spaces representable in UTF-8 and + - = . _ : / @ (the model's
    // pattern, matched against the whole key and value).
    [
      'tags using every allowed character',
      patched((td) => {
        td.tags = [
          { key: 'Team Name_1.2:3/4=5+6-7@8', value: 'Équipe Öl 42' },
          { key: 'empty-value', value: '' },
        ];
      }),
    ],
  ])('GIVEN %s THEN it registers', async (_, input) => {
    expect((await register(input)).taskDefinition?.status).toBe('ACTIVE');
  });
});

describe('Noncompliance: documented limits ECS refuses with ClientException', () => {
  test.each<[string, RegisterTaskDefinitionCommandInput, string | RegExp]>([
    // ECS service quotas: "Containers per task definition: 10"; real wording "Too many containers."
    // (aws/amazon-ecs-cli#184).
    [
      '11 containers',
      patched((td) => td.containerDefinitions?.push(...extraContainers(9))),
      /^Too many containers\.$/,
    ],
    // ECS service quotas: task definition size 64 KiB; real wording from the CloudTrail record in
    // awsdocs/amazon-ecs-developer-guide#149.
    [
      'a request over 64 KiB',
      patched((td) => {
        containers(td).app.environment = [{ name: 'BLOB', value: 'x'.repeat(70_000) }];
      }),
      /^Actual length: '\d+'\. Max allowed length is '65536' bytes\.$/,
    ],
    // Real ECS answer to an empty tag list: "Tags can not be empty." (fabfuel/ecs-deploy#146, kayac/ecspresso#296).
    [
      'tags: []',
      patched((td) => {
        td.tags = [];
      }),
      /^Tags can not be empty\.$/,
    ],
    // ECS API reference, Tag: "Do not use aws:, AWS:, or any upper or lowercase combination of such as a prefix for
    // either keys or values".
    [
      'a tag value starting with AWS:',
      patched((td) => {
        td.tags = [{ key: 'origin', value: 'AWS:cloudformation' }];
      }),
      "Tag value 'AWS:cloudformation' (key 'origin') is not allowed",
    ],
    // ECS API reference, HealthCheck ranges; real wording for the maximum (PostHog/posthog#8647).
    [
      'health check retries 11',
      patched((td) => {
        Object.assign(containers(td).envoy.healthCheck ?? {}, { retries: 11 });
      }),
      "Health check retries must be less than or equal to the maximum allowed value 10 for container 'envoy'",
    ],
    [
      'health check interval 4',
      patched((td) => {
        Object.assign(containers(td).envoy.healthCheck ?? {}, { interval: 4 });
      }),
      "Health check interval must be greater than or equal to the minimum allowed value 5 for container 'envoy'",
    ],
    [
      'health check timeout 61',
      patched((td) => {
        Object.assign(containers(td).envoy.healthCheck ?? {}, { timeout: 61 });
      }),
      'Health check timeout must be less than or equal to the maximum allowed value 60',
    ],
    [
      'health check startPeriod 301',
      patched((td) => {
        Object.assign(containers(td).envoy.healthCheck ?? {}, { startPeriod: 301 });
      }),
      'Health check startPeriod must be less than or equal to the maximum allowed value 300',
    ],
    // ECS API reference, ContainerDefinition.stopTimeout: "For tasks that use the Fargate launch type, the max stop
    // timeout value is 120 seconds".
    [
      'stopTimeout 121 on Fargate',
      patched((td) => {
        containers(td).envoy.stopTimeout = 121;
      }),
      "Invalid 'stopTimeout' setting for container 'envoy'",
    ],
    // ECS API reference, ContainerDependency.condition: COMPLETE and SUCCESS "can't be set on an essential
    // container"; real wording from boto/boto3#2436. An omitted `essential` means essential.
    [
      'a SUCCESS dependency on an essential container',
      patched((td) => {
        td.containerDefinitions?.push({ name: 'init', image: 'busybox' });
        containers(td).app.dependsOn?.push({ containerName: 'init', condition: 'SUCCESS' });
      }),
      /^A dependency container with SUCCESS or COMPLETE condition cannot be an essential container$/,
    ],
    [
      'a COMPLETE dependency on the essential Envoy',
      patched((td) => {
        containers(td).app.dependsOn = [{ containerName: 'envoy', condition: 'COMPLETE' }];
      }),
      'cannot be an essential container',
    ],
    // ECS API reference: privileged, pidMode and ipcMode are "not supported for … tasks run on Fargate". Real wording
    // for pidMode (aws/aws-cdk#29619) and ipcMode (cn-terraform/terraform-aws-ecs-fargate#2).
    [
      'a privileged container on Fargate',
      patched((td) => {
        containers(td).app.privileged = true;
      }),
      "Tasks using the Fargate launch type do not support privileged containers (container 'frontend')",
    ],
    [
      "pidMode 'host' on Fargate",
      patched((td) => {
        td.pidMode = 'host';
      }),
      "Tasks using the Fargate launch type do not support pidMode 'host'. The supported value for pidMode is 'task'.",
    ],
    [
      'an ipcMode on Fargate',
      patched((td) => {
        td.ipcMode = 'task';
      }),
      /^Tasks using the Fargate launch type do not support ipcMode\.$/,
    ],
    // ECS API reference, ContainerDefinition.hostname: "not supported if you're using the awsvpc network mode"; real
    // wording from labd/ecs-deplojo#26.
    [
      'a hostname in awsvpc mode',
      patched((td) => {
        containers(td).app.hostname = 'frontend';
      }),
      /^hostname is not supported on container when networkMode=awsvpc\.$/,
    ],
    // ECS API reference, ContainerDefinition.links: "only supported if the network mode of a task definition is
    // bridge"; real wording for awsvpc from aws-observability/aws-otel-collector#1359.
    [
      'links in awsvpc mode',
      patched((td) => {
        containers(td).app.links = ['envoy'];
      }),
      /^Links are not supported when networkMode=awsvpc\.$/,
    ],
    [
      'links in host mode',
      {
        ...bridgeTaskDefinition(),
        networkMode: 'host',
        containerDefinitions: [
          { name: 'web', image: 'nginx', memory: 128, links: ['db'] },
          { name: 'db', image: 'postgres', memory: 128 },
        ],
      },
      /^Links are not supported when networkMode=host\.$/,
    ],
    // ECS API reference, ContainerDefinition.name: "Up to 255 letters (uppercase and lowercase), numbers,
    // underscores, and hyphens are allowed."
    [
      'a container name with a dot',
      patched((td) => {
        td.containerDefinitions?.push({ name: 'side.car', image: 'busybox', essential: false });
      }),
      "Invalid container name 'side.car'",
    ],
    // ECS API reference, ProxyConfiguration.properties: AppPorts is required (an empty one is "App ports not found",
    // aws/aws-app-mesh-roadmap#467); IgnoredUID and IgnoredGID may not both be empty; the proxy ports are required.
    ['an empty AppPorts', patched((td) => setProperty(td, 'AppPorts', '')), 'App ports not found'],
    [
      'an empty IgnoredUID without IgnoredGID',
      patched((td) => setProperty(td, 'IgnoredUID', '')),
      'needs IgnoredUID or IgnoredGID',
    ],
    [
      'an empty ProxyIngressPort',
      patched((td) => setProperty(td, 'ProxyIngressPort', '')),
      'needs ProxyIngressPort',
    ],
  ])('GIVEN %s THEN ClientException', async (_, input, message) => {
    const error = await failureOf(register(input));
    expect(error.name).toBe('ClientException');
    expect(error.$metadata?.httpStatusCode).toBe(400);
    if (typeof message === 'string') expect(error.message).toContain(message);
    else expect(error.message).toMatch(message);
    expect(ctx.emulator.snapshot().ecs.taskDefinitions).toEqual([]);
  });
});

describe('tag keys and values match the allowed characters as a whole (InvalidParameterException, model validation)', () => {
  // ECS API reference, Tag: key and value Pattern ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$ — a whole-string match. AWS applies
  // model patterns to the whole value even where the model text is unanchored (IAM refuses a comma under the same
  // unanchored pattern: SWO-GS/auto-tag#90).
  test.each([
    ['a key with a comma', { key: 'team,owner', value: 'mesh' }, "'tags[0].key'"],
    ['a value with a semicolon', { key: 'team', value: 'a;b' }, "'tags[0].value'"],
    ['a value with parentheses', { key: 'team', value: 'mesh (prod)' }, "'tags[0].value'"],
  ])('GIVEN %s WHEN registering THEN InvalidParameterException naming the member', async (_, tag, member) => {
    const error = await failureOf(register({ ...simpleTaskDefinition(), tags: [tag] }));
    expect(error.name).toBe('InvalidParameterException');
    expect(error.message).toContain(member);
    expect(error.message).toContain('regular expression pattern');
  });

  test('GIVEN a registered revision WHEN tagged with a key containing "#" THEN InvalidParameterException and no tag', async () => {
    const arn = (await register(simpleTaskDefinition())).taskDefinition?.taskDefinitionArn;
    const error = await failureOf(
      ctx.ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'cost#center', value: '1' }] })),
    );
    expect(error.name).toBe('InvalidParameterException');
    expect(ctx.emulator.snapshot().ecs.taskDefinitions[0]?.tags).toEqual([]);
  });

  // Same documented rule as on register: no aws: prefix on values either.
  test('GIVEN a registered revision WHEN tagged with a value starting with aws: THEN ClientException', async () => {
    const arn = (await register(simpleTaskDefinition())).taskDefinition?.taskDefinitionArn;
    const error = await failureOf(
      ctx.ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'origin', value: 'aws:x' }] })),
    );
    expect(error.name).toBe('ClientException');
  });
});
