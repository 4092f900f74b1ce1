/**
 * `npm run demo` — the main job, offline. Starts the emulator, seeds the platform (mesh, virtual gateway), and plays
 * examples/workshop.yaml the way CloudFormation would: task definitions are registered, and every Custom::MeshService
 * is sent to the real Lambda bundle (dist/lambda/index.js) as CloudFormation-shaped Create, Update and Delete events.
 * The frontend then moves to a canary (90/10, then 50/50) and everything is deleted. Exits 0 only if the emulator is
 * left empty. With `--backend service-connect` the canary (90/10, then 80/20) is an ECS rollout: the resource returns
 * the DeploymentConfiguration, and the frontend's ECS service is updated with it (the emulator's ECS validates it).
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { AppMeshClient, DeleteMeshCommand, DeleteVirtualGatewayCommand } from '@aws-sdk/client-app-mesh';
import {
  CreateServiceCommand,
  DeleteServiceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  type TaskDefinition,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { parseTemplate, type Template } from '../cli/template';
import { type Emulator, seedPlatform, startEmulator } from '../emulator';
import { beginRequest } from '../emulator/cloudformation/requests';

const ROOT = path.join(__dirname, '..');
/** `npm run demo -- --backend service-connect` plays the workshop on ECS Service Connect instead of App Mesh. */
const SERVICE_CONNECT = /^--backend[= ]service-connect$/.test(process.argv.slice(2).join(' '));
const TEMPLATE = path.join(
  ROOT,
  'examples',
  SERVICE_CONNECT ? 'workshop-service-connect.yaml' : 'workshop.yaml',
);
const BUNDLE = path.join(ROOT, 'dist', 'lambda', 'index.js');
const STACK_ID =
  'arn:aws:cloudformation:us-east-1:111122223333:stack/workshop/6a1f9c20-0000-4000-8000-000000000001';
const MUTATING = /^(Create|Update|Delete|Tag|Untag|Register|Deregister)/;

type Handler = (
  event: CloudFormationCustomResourceEvent,
  context: Context,
) => Promise<{ PhysicalResourceId: string; Data?: Record<string, string> }>;
type Resource = NonNullable<Template['Resources']>[string];

// The handler writes its JSON logs to stdout, as in Lambda; the demo keeps them in a file and prints its own view.
const LOG_FILE = path.join(tmpdir(), `mesh-service-demo-${process.pid}.jsonl`);
const terminal = process.stdout.write.bind(process.stdout);
let logLines = 0;
process.stdout.write = ((chunk: string | Uint8Array) => {
  appendFileSync(LOG_FILE, chunk);
  logLines += String(chunk).split('\n').filter(Boolean).length;
  return true;
}) as typeof process.stdout.write;
// The SDK warns once that its 2027 releases will need Node.js 22; that is not this demo's news.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const out = (line = '') => terminal(`${line}\n`);
const ms = (from: number) => `${Math.round(performance.now() - from)} ms`;

// ---------------------------------------------------------------------------------------------------------------
// A small CloudFormation: enough of the intrinsic functions to play the workshop template against the emulator.

class Stack {
  readonly physical = new Map<string, string>();
  readonly attributes = new Map<string, Record<string, string>>();
  readonly properties = new Map<string, Record<string, unknown>>();

  constructor(
    readonly template: Template,
    readonly exports: Record<string, string>,
    readonly pseudo: Record<string, string>,
  ) {}

  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v)).filter((v) => v !== NO_VALUE);
    if (!value || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [fn, arg] = entries[0]!;
      switch (fn) {
        case 'Ref':
          return this.ref(String(arg));
        case 'Fn::GetAtt': {
          const [res, att] = arg as [string, string];
          return this.getAtt(res, att);
        }
        case 'Fn::ImportValue': {
          const name = String(this.resolve(arg));
          const v = this.exports[name];
          if (v === undefined) throw new Error(`the demo platform has no export ${name}`);
          return v;
        }
        case 'Fn::Sub': {
          const [text, vars] = Array.isArray(arg)
            ? (arg as [string, Record<string, unknown>])
            : [String(arg), {}];
          return text.replace(/\$\{([^}]+)\}/g, (_m, name: string) => {
            if (name in vars) return String(this.resolve(vars[name]));
            const dot = name.indexOf('.');
            return String(
              dot > 0 && !name.startsWith('AWS::')
                ? this.getAtt(name.slice(0, dot), name.slice(dot + 1))
                : this.ref(name),
            );
          });
        }
        case 'Fn::Join': {
          const [sep, items] = arg as [string, unknown[]];
          return (this.resolve(items) as unknown[]).join(sep);
        }
        case 'Fn::Split': {
          const [sep, text] = arg as [string, unknown];
          return String(this.resolve(text)).split(sep);
        }
        case 'Fn::Select': {
          const [i, list] = arg as [unknown, unknown];
          return (this.resolve(list) as unknown[])[Number(this.resolve(i))];
        }
      }
    }
    return Object.fromEntries(
      entries.map(([k, v]) => [k, this.resolve(v)]).filter(([, v]) => v !== NO_VALUE),
    );
  }

  private ref(name: string): unknown {
    if (name === 'AWS::NoValue') return NO_VALUE;
    if (name in this.pseudo) return this.pseudo[name];
    const param = this.template.Parameters?.[name];
    if (param) return param.Default;
    const id = this.physical.get(name);
    if (id === undefined) throw new Error(`Ref ${name} before it exists`);
    return id;
  }

  private getAtt(resource: string, attribute: string): string {
    const value = this.attributes.get(resource)?.[attribute];
    if (value === undefined) throw new Error(`Fn::GetAtt ${resource}.${attribute} is not available`);
    return value;
  }

  /** Resources in an order where every reference points backwards. */
  order(): string[] {
    const resources = this.template.Resources ?? {};
    const deps = (r: Resource): string[] => {
      const found = new Set<string>();
      const walk = (v: unknown) => {
        if (Array.isArray(v)) return v.forEach(walk);
        if (!v || typeof v !== 'object') return;
        for (const [k, x] of Object.entries(v)) {
          if (k === 'Ref' && typeof x === 'string' && x in resources) found.add(x);
          else if (k === 'Fn::GetAtt' && Array.isArray(x)) found.add(String(x[0]));
          else if (k === 'Fn::Sub') {
            const text = Array.isArray(x) ? x[0] : x;
            for (const m of String(text).matchAll(/\$\{([A-Za-z0-9]+)[.}]/g))
              if (m[1]! in resources) found.add(m[1]!);
            if (Array.isArray(x)) walk(x[1]);
          } else walk(x);
        }
      };
      walk(r.Properties);
      return [...found];
    };
    const done: string[] = [];
    const visit = (id: string, trail: string[]) => {
      if (done.includes(id)) return;
      if (trail.includes(id)) throw new Error(`circular dependency ${[...trail, id].join(' → ')}`);
      for (const d of deps(resources[id]!)) visit(d, [...trail, id]);
      done.push(id);
    };
    for (const id of Object.keys(resources)) visit(id, []);
    return done;
  }
}

const NO_VALUE = Symbol('AWS::NoValue');

/** AWS::ECS::TaskDefinition properties (CloudFormation names) → the RegisterTaskDefinition input (API names). */
function toRegisterInput(props: Record<string, unknown>): RegisterTaskDefinitionCommandInput {
  const verbatim = new Set(['Options', 'DockerLabels']);
  const convert = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(convert);
    if (!v || typeof v !== 'object') return v;
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [
        k.charAt(0).toLowerCase() + k.slice(1),
        verbatim.has(k) ? x : convert(x),
      ]),
    );
  };
  return convert(props) as RegisterTaskDefinitionCommandInput;
}

// ---------------------------------------------------------------------------------------------------------------
// What a person wants to see.

function describeCalls(emulator: Emulator): string {
  const calls = emulator.requests;
  const mutating = calls.filter((c) => MUTATING.test(c.operation));
  const counts = new Map<string, number>();
  for (const c of mutating) counts.set(c.operation, (counts.get(c.operation) ?? 0) + 1);
  const list = [...counts].map(([op, n]) => (n > 1 ? `${op} ×${n}` : op)).join(', ');
  return `${calls.length} calls, ${mutating.length} mutating${list ? `: ${list}` : ''}`;
}

function printMesh(data: Record<string, string>): void {
  if (SERVICE_CONNECT) {
    for (const key of [
      'NamespaceArn',
      'PortName',
      'DiscoveryName',
      'ClientAliasDnsName',
      'ClientAliasPort',
      'AppProtocol',
    ])
      out(`    ${key.padEnd(22)} ${data[key] ?? ''}`);
    return;
  }
  const rows: [string, string | undefined][] = [
    ['virtual service', data.VirtualServiceName],
    ['virtual router', data.VirtualRouterName],
    ['gateway route', data.GatewayRouteName],
    ['virtual node', data.VirtualNodeName],
  ];
  for (const [key, value] of Object.entries(data)) {
    const m = /^Versions\.([^.]+)\.VirtualNodeName$/.exec(key);
    if (m) rows.push([`virtual node (${m[1]})`, value]);
  }
  for (const [label, value] of rows) if (value) out(`    ${label.padEnd(22)} ${value}`);
}

function containerLine(c: NonNullable<TaskDefinition['containerDefinitions']>[number]): string {
  const bits = [
    c.image,
    c.user ? `user ${c.user}` : '',
    c.essential === false ? 'not essential' : 'essential',
  ];
  if (c.memoryReservation) bits.push(`${c.memoryReservation} MiB reserved`);
  const nofile = c.ulimits?.find((u) => u.name === 'nofile');
  if (nofile) bits.push(`nofile ${nofile.softLimit}`);
  if (c.healthCheck) bits.push('health check');
  return bits.filter(Boolean).join(', ');
}

function printTaskDefinitionDiff(
  before: TaskDefinition,
  after: TaskDefinition,
  tags: { key?: string; value?: string }[],
): void {
  out(
    `    task definition        ${before.family}:${before.revision} → ${after.family}:${after.revision} (patched)`,
  );
  const beforeNames = new Set((before.containerDefinitions ?? []).map((c) => c.name));
  for (const c of after.containerDefinitions ?? []) {
    if (!beforeNames.has(c.name)) {
      out(`      + container ${c.name}: ${containerLine(c)}`);
      const env = (c.environment ?? []).map((e) => `${e.name}=${e.value}`);
      if (env.length) out(`          env ${env.join(' ')}`);
      continue;
    }
    const old = before.containerDefinitions!.find((o) => o.name === c.name)!;
    if (JSON.stringify(old.dependsOn ?? []) !== JSON.stringify(c.dependsOn ?? [])) {
      const added = (c.dependsOn ?? []).filter(
        (d) => !(old.dependsOn ?? []).some((o) => o.containerName === d.containerName),
      );
      out(
        `      ~ container ${c.name}: dependsOn + ${added.map((d) => `${d.containerName} ${d.condition}`).join(', ')}`,
      );
    }
    const { dependsOn: _a, ...restOld } = old;
    const { dependsOn: _b, ...restNew } = c;
    if (JSON.stringify(restOld) !== JSON.stringify(restNew))
      out(`      ~ container ${c.name}: other changes`);
  }
  const proxy = after.proxyConfiguration;
  if (proxy && JSON.stringify(proxy) !== JSON.stringify(before.proxyConfiguration)) {
    const props = (proxy.properties ?? []).map((p) => `${p.name}=${p.value}`).join(' ');
    out(`      + proxyConfiguration ${proxy.type} → ${proxy.containerName}: ${props}`);
  }
  const ours = tags
    .filter((t) => t.key?.startsWith('mesh-service:'))
    .map((t) => t.key!.replace('mesh-service:', ''));
  out(`      + tags ${ours.join(', ')}`);
}

// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = performance.now();
  const emulator = await startEmulator();
  Object.assign(process.env, emulator.env());
  const platform = await seedPlatform(emulator);
  // The workshop platform's Cloud Map namespace (AWS::ServiceDiscovery::PrivateDnsNamespace in the MeshPlatform stack).
  if (SERVICE_CONNECT) emulator.servicediscovery.putNamespace('service.local', { type: 'DNS_PRIVATE' });
  const handler = (require(BUNDLE) as { handler: Handler }).handler;
  const ecs = new ECSClient({});
  const appmesh = new AppMeshClient({});
  const context = {
    invokedFunctionArn: `arn:aws:lambda:${emulator.region}:${emulator.accountId}:function:MeshServiceProvider-Handler`,
    getRemainingTimeInMillis: () => 600_000,
  } as unknown as Context;

  out(
    `Custom::MeshService — offline demo of the ECS workshop, ${SERVICE_CONNECT ? 'on ECS Service Connect (Backend: ServiceConnect)' : 'App Mesh chapter'}`,
  );
  out(`  emulator   ${emulator.url} (App Mesh + ECS APIs, validated against the official models)`);
  out(
    `  platform   mesh ecs-mesh, virtual gateway ecsworkshop-vgw (HTTP 3000) — seeded through the App Mesh API`,
  );
  out(`  provider   ${path.relative(ROOT, BUNDLE)}, invoked as the Provider framework invokes it`);
  out(`  template   ${path.relative(ROOT, TEMPLATE)}`);

  const template = parseTemplate(readFileSync(TEMPLATE, 'utf8'));
  const account = emulator.accountId;
  const stack = new Stack(
    template,
    {
      'MeshServiceProvider-ServiceToken': `arn:aws:lambda:${emulator.region}:${account}:function:MeshServiceProvider-ServiceToken`,
      MeshName: 'ecs-mesh',
      MeshArn: platform.meshArn,
      MeshVGWName: 'ecsworkshop-vgw',
      MeshVGWArn: platform.gatewayArn,
      MeshGwNlbDns: 'mesh-gw-nlb-0123456789.elb.us-east-1.amazonaws.com',
      NSName: 'service.local',
      NSId: 'ns-demo0123456789',
      NSArn: `arn:aws:servicediscovery:${emulator.region}:${account}:namespace/ns-demo0123456789`,
      ECSClusterName: 'container-demo',
      ECSClusterArn: `arn:aws:ecs:${emulator.region}:${account}:cluster/container-demo`,
      MeshPrivateSubnetIds: 'subnet-0aaa,subnet-0bbb',
      ServicesSecGrp: 'sg-0demo',
      // The platform's key for the services' log groups (docs/compliance.md).
      MeshLogsKeyArn: `arn:aws:kms:${emulator.region}:${account}:key/0b0e0d0e-0000-4000-8000-000000000000`,
    },
    {
      'AWS::Region': emulator.region,
      'AWS::AccountId': account,
      'AWS::Partition': 'aws',
      'AWS::StackName': 'workshop',
      'AWS::StackId': STACK_ID,
      'AWS::URLSuffix': 'amazonaws.com',
    },
  );
  const resources = template.Resources ?? {};
  const meshServices: string[] = [];
  const ecsServices: string[] = [];
  const appTaskDefinitions: string[] = [];

  const send = async (
    logicalId: string,
    event: Partial<CloudFormationCustomResourceEvent>,
    title: string,
  ) => {
    emulator.clearRequests();
    const t = performance.now();
    const full = {
      ServiceToken: stack.exports['MeshServiceProvider-ServiceToken'],
      ResponseURL: 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/presigned',
      StackId: STACK_ID,
      RequestId: randomUUID(),
      LogicalResourceId: logicalId,
      ResourceType: 'Custom::MeshService',
      ...event,
    } as CloudFormationCustomResourceEvent;
    // CloudFormation puts the stack and the resource in progress before it sends a request; the provider checks.
    const inProgress = beginRequest(emulator.cloudformation, full);
    try {
      const result = await handler(full, context);
      inProgress.end({ physicalResourceId: result.PhysicalResourceId });
      out(`\n▶ ${title}  (${ms(t)}; ${describeCalls(emulator)})`);
      return result;
    } catch (error) {
      inProgress.end({ failed: (error as Error).message });
      throw error;
    }
  };

  out('\n— Create —');
  for (const id of stack.order()) {
    const r = resources[id]!;
    const props = stack.resolve(r.Properties ?? {}) as Record<string, unknown>;
    stack.properties.set(id, props);
    switch (r.Type) {
      case 'AWS::ECS::TaskDefinition': {
        const registered = await ecs.send(new RegisterTaskDefinitionCommand(toRegisterInput(props)));
        const arn = registered.taskDefinition!.taskDefinitionArn!;
        stack.physical.set(id, arn);
        appTaskDefinitions.push(arn);
        break;
      }
      case 'Custom::MeshService': {
        const result = await send(
          id,
          { RequestType: 'Create', ResourceProperties: props as never },
          `Create ${id} (${props.ServiceName})`,
        );
        stack.physical.set(id, result.PhysicalResourceId);
        stack.attributes.set(id, result.Data ?? {});
        meshServices.push(id);
        out(`    physical id            ${result.PhysicalResourceId}`);
        printMesh(result.Data ?? {});
        if (result.Data?.TaskDefinitionArn) {
          const before = await ecs.send(
            new DescribeTaskDefinitionCommand({ taskDefinition: String(props.TaskDefinition) }),
          );
          const after = await ecs.send(
            new DescribeTaskDefinitionCommand({
              taskDefinition: result.Data.TaskDefinitionArn,
              include: ['TAGS'],
            }),
          );
          printTaskDefinitionDiff(before.taskDefinition!, after.taskDefinition!, after.tags ?? []);
        }
        break;
      }
      case 'AWS::ECS::Service':
        stack.physical.set(id, `arn:aws:ecs:${emulator.region}:${account}:service/container-demo/${id}`);
        if (SERVICE_CONNECT && props.ServiceConnectConfiguration) {
          // The ECS service joins the namespace, wired from the Custom::MeshService's attributes: ECS checks them.
          const sc = props.ServiceConnectConfiguration as Record<string, unknown>;
          const services = ((sc.Services as Record<string, unknown>[] | undefined) ?? []).map((x) => ({
            portName: String(x.PortName),
            discoveryName: String(x.DiscoveryName),
            clientAliases: ((x.ClientAliases as Record<string, unknown>[] | undefined) ?? []).map((a) => ({
              dnsName: String(a.DnsName),
              port: Number(a.Port),
            })),
          }));
          await ecs.send(
            new CreateServiceCommand({
              cluster: 'container-demo',
              serviceName: id,
              taskDefinition: String(props.TaskDefinition),
              serviceConnectConfiguration: { enabled: true, namespace: String(sc.Namespace), services },
            }),
          );
          ecsServices.push(id);
          out(
            `\n▶ ECS service ${id} created in namespace service.local: ${services.map((x) => `${x.clientAliases[0]?.dnsName}:${x.clientAliases[0]?.port} → port ${x.portName}`).join(', ')}`,
          );
          break;
        }
        out(
          `    ECS service ${id} would run ${String(props.TaskDefinition).replace(/^.*task-definition\//, '')}`,
        );
        break;
      default:
        // IAM roles, log groups, Cloud Map services: not part of the emulated APIs; given plausible identities.
        stack.physical.set(id, `${id}-demo`);
        stack.attributes.set(id, {
          Arn:
            r.Type === 'AWS::IAM::Role'
              ? `arn:aws:iam::${account}:role${String(props.Path ?? '/')}${id}-demo`
              : `arn:aws:${r.Type?.split('::')[1]?.toLowerCase()}::${account}:${id}`,
          Id: `${id}-demo`,
        });
    }
  }

  /** The frontend's second version: its task definition copied to family `<family>-v2`, image tag v2. */
  const registerSecondVersion = async (frontend: Record<string, unknown>) => {
    const v1 = await ecs.send(
      new DescribeTaskDefinitionCommand({
        taskDefinition: String(frontend.TaskDefinition),
        include: ['TAGS'],
      }),
    );
    const v1Source = v1.taskDefinition!;
    const {
      taskDefinitionArn: _a,
      revision: _r,
      status: _s,
      requiresAttributes: _q,
      compatibilities: _c,
      registeredAt: _t,
      registeredBy: _b,
      ...copy
    } = v1Source;
    const v2 = await ecs.send(
      new RegisterTaskDefinitionCommand({
        ...(copy as RegisterTaskDefinitionCommandInput),
        family: `${v1Source.family}-v2`,
        // The same grant as v1 (mesh-service:allowed-stacks), so the stack's MeshService may patch it.
        ...(v1.tags?.length ? { tags: v1.tags } : {}),
        containerDefinitions: v1Source.containerDefinitions!.map((c) => ({
          ...c,
          image: `${c.image?.split(':')[0]}:v2`,
        })),
      }),
    );
    appTaskDefinitions.push(v2.taskDefinition!.taskDefinitionArn!);
    return v2.taskDefinition!;
  };
  const frontendOf = () => {
    const id = meshServices.find((m) => (stack.properties.get(m)?.Backends as unknown[] | undefined)?.length);
    if (!id) throw new Error('the template has no service with backends (the frontend)');
    return id;
  };

  if (SERVICE_CONNECT) {
    // The canary on Service Connect: two Versions, one lighter, are an ECS rollout of the frontend's ECS service.
    const frontendId = frontendOf();
    const frontend = stack.properties.get(frontendId)!;
    const ecsServiceId = ecsServices.find(
      (id) =>
        String(stack.properties.get(id)?.TaskDefinition) ===
        stack.attributes.get(frontendId)?.TaskDefinitionArn,
    );
    const v2 = await registerSecondVersion(frontend);
    out(
      `\n— Canary: the frontend gets a second version (task definition ${v2.family}:${v2.revision}), rolled out by ECS —`,
    );
    let previous = frontend;
    for (const [w1, w2] of [
      [90, 10],
      [80, 20],
    ]) {
      const { TaskDefinition: td, ...rest } = frontend;
      const next = {
        ...rest,
        Versions: [
          { Name: 'v1', TaskDefinition: td, Weight: w1 },
          { Name: 'v2', TaskDefinition: v2.taskDefinitionArn, Weight: w2 },
        ],
      };
      const result = await send(
        frontendId,
        {
          RequestType: 'Update',
          PhysicalResourceId: stack.physical.get(frontendId)!,
          ResourceProperties: next as never,
          OldResourceProperties: previous as never,
        } as Partial<CloudFormationCustomResourceEvent>,
        `Update ${frontendId}: canary ${w1}/${w2}`,
      );
      const data = result.Data ?? {};
      out(`    physical id            ${result.PhysicalResourceId} (unchanged: an in-place update)`);
      out(
        `    rollout                ${data.DeploymentStrategy} ${data.CanaryPercent}% to v2, bake ${data.CanaryBakeTimeInMinutes} min (DeploymentConfiguration, DeploymentController ECS)`,
      );
      out(
        `    ECS service runs       ${data.TaskDefinitionArn?.replace(/^.*\//, '')} (v2, prepared; v1 ${data['Versions.v1.TaskDefinitionArn']?.replace(/^.*\//, '')} until the rollout ends)`,
      );
      if (ecsServiceId) {
        // What the template's AWS::ECS::Service is wired to: ECS (the emulator) validates the deployment.
        await ecs.send(
          new UpdateServiceCommand({
            cluster: 'container-demo',
            service: ecsServiceId,
            taskDefinition: data.TaskDefinitionArn,
            deploymentConfiguration: {
              strategy: data.DeploymentStrategy as 'CANARY',
              canaryConfiguration: {
                canaryPercent: Number(data.CanaryPercent),
                canaryBakeTimeInMinutes: Number(data.CanaryBakeTimeInMinutes),
              },
            },
          }),
        );
        out(
          `▶ ECS service ${ecsServiceId} updated: a ${data.DeploymentStrategy} deployment shifts ${data.CanaryPercent}% of the Service Connect clients' traffic to v2, bakes, then the rest`,
        );
      }
      stack.attributes.set(frontendId, data);
      previous = next;
    }
    stack.properties.set(frontendId, previous);

    out('\n— Delete (the stack) —');
    for (const id of [...ecsServices].reverse())
      await ecs.send(new DeleteServiceCommand({ cluster: 'container-demo', service: id, force: true }));
    for (const id of [...meshServices].reverse()) {
      await send(
        id,
        {
          RequestType: 'Delete',
          PhysicalResourceId: stack.physical.get(id)!,
          ResourceProperties: stack.properties.get(id) as never,
        },
        `Delete ${id}`,
      );
    }
    for (const arn of appTaskDefinitions)
      await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn }));
    const active = emulator.snapshot().ecs.taskDefinitions.filter((t) => t.status === 'ACTIVE').length;
    out(
      `\nEmulator after delete: ${active} ACTIVE task definitions. Total time ${ms(started)}. Logs: ${LOG_FILE}`,
    );
    ecs.destroy();
    appmesh.destroy();
    await emulator.close();
    if (active !== 0) process.exitCode = 1;
    return;
  }

  // The canary: frontend v2 beside v1, behind the frontend's router, at 90/10 then 50/50.
  const frontendId = frontendOf();
  const frontend = stack.properties.get(frontendId)!;
  const v2 = { taskDefinition: await registerSecondVersion(frontend) };
  out(
    `\n— Canary: the frontend gets a second version (task definition ${v2.taskDefinition!.family}:${v2.taskDefinition!.revision}) —`,
  );
  let previous = frontend;
  for (const [w1, w2] of [
    [90, 10],
    [50, 50],
  ]) {
    const { TaskDefinition: td, ...rest } = frontend;
    const next = {
      ...rest,
      Versions: [
        // v1 keeps its virtual node and its patched revision: only the route weights and discovery change.
        { Name: 'v1', VirtualNodeName: String(frontend.ServiceName), TaskDefinition: td, Weight: w1 },
        { Name: 'v2', TaskDefinition: v2.taskDefinition!.taskDefinitionArn, Weight: w2 },
      ],
    };
    const result = await send(
      frontendId,
      {
        RequestType: 'Update',
        PhysicalResourceId: stack.physical.get(frontendId)!,
        ResourceProperties: next as never,
        OldResourceProperties: previous as never,
      } as Partial<CloudFormationCustomResourceEvent>,
      `Update ${frontendId}: canary ${w1}/${w2}`,
    );
    out(`    physical id            ${result.PhysicalResourceId} (unchanged: an in-place update)`);
    const data = result.Data ?? {};
    out(
      `    route weights          ${data['Versions.v1.VirtualNodeName']} ${w1} / ${data['Versions.v2.VirtualNodeName']} ${w2}`,
    );
    out(
      `    v1 task definition     ${data['Versions.v1.TaskDefinitionArn']?.replace(/^.*\//, '')} (the same revision as before)`,
    );
    out(
      `    v2 task definition     ${data['Versions.v2.TaskDefinitionArn']?.replace(/^.*\//, '')} (patched)`,
    );
    stack.attributes.set(frontendId, data);
    previous = next;
  }
  stack.properties.set(frontendId, previous);

  out('\n— Delete (the stack, then the platform) —');
  for (const id of [...meshServices].reverse()) {
    await send(
      id,
      {
        RequestType: 'Delete',
        PhysicalResourceId: stack.physical.get(id)!,
        ResourceProperties: stack.properties.get(id) as never,
      },
      `Delete ${id}`,
    );
  }
  for (const arn of appTaskDefinitions)
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn }));
  await appmesh.send(
    new DeleteVirtualGatewayCommand({ meshName: 'ecs-mesh', virtualGatewayName: 'ecsworkshop-vgw' }),
  );
  await appmesh.send(new DeleteMeshCommand({ meshName: 'ecs-mesh' }));

  const snapshot = emulator.snapshot();
  const meshLeft = Object.entries(snapshot.appmesh)
    .filter(([k]) => k !== 'shares')
    .reduce((n, [, list]) => n + (list as unknown[]).length, 0);
  const active = snapshot.ecs.taskDefinitions.filter((t) => t.status === 'ACTIVE').length;
  out(
    `\nEmulator after delete: ${meshLeft} App Mesh resources, ${active} ACTIVE task definitions (${snapshot.ecs.taskDefinitions.length} INACTIVE revisions kept, as ECS keeps them)`,
  );
  out(`Total time ${ms(started)}. The handler's JSON logs (${logLines} lines): ${LOG_FILE}`);
  ecs.destroy();
  appmesh.destroy();
  await emulator.close();
  if (meshLeft !== 0 || active !== 0) {
    out('The emulator is not empty: something was left behind.');
    process.exitCode = 1;
  }
}

main().catch((error) => {
  console.error(`demo failed: ${(error as Error).message}`);
  process.exitCode = 1;
});
