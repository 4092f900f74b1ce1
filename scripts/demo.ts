/**
 * `npm run demo` — the main job, offline. Starts the emulator, seeds the platform the chosen backend needs, and plays
 * the ECS workshop (crystal, nodejs, frontend) the way CloudFormation would: task definitions are registered, and
 * every Custom::MeshService is sent to the real Lambda bundle (dist/lambda/index.js) as CloudFormation-shaped Create,
 * Update and Delete events. The frontend then gets a second version (the canary) and everything is deleted. Exits 0
 * only if the emulator is left empty.
 *   --backend app-mesh         (default) a mesh and a virtual gateway; the canary is route weights, 90/10 then 50/50
 *   --backend service-connect  a Cloud Map namespace, no mesh; the canary (90/10, then 80/20) is an ECS rollout: the
 *                              resource returns the DeploymentConfiguration its ECS service is updated with
 *   --backend vpc-lattice      a VPC Lattice service network, no mesh; the canary is standing weights on the Lattice
 *                              rules, 90/10 then 50/50 (one UpdateRule), each version's ECS service in its target group
 */

// First: --help and usage errors end the process there, before the emulator and the SDK below are loaded.
import './demo-args';
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
import {
  CreateServiceNetworkCommand,
  DeleteServiceNetworkCommand,
  GetRuleCommand,
  ListListenersCommand,
  ListRulesCommand,
  ListTargetGroupsCommand,
  type RuleAction,
  type RuleMatch,
  VPCLatticeClient,
} from '@aws-sdk/client-vpc-lattice';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { parseTemplate, type Template } from '../cli/template';
import { type Emulator, seedPlatform, startEmulator } from '../emulator';
import { beginRequest } from '../emulator/cloudformation/requests';
import type { Backend } from '../lambda/backends';
import { BACKEND, SCENARIOS } from './demo-args';
import { printIngress, seedIngressListener } from './demo-ingress';

const ROOT = path.join(__dirname, '..');

const TEMPLATE = path.join(ROOT, 'examples', SCENARIOS[BACKEND].template);
/** The platform's VPC Lattice service network (the MeshPlatform stack's, behind its context flag) and VPC. */
const SERVICE_NETWORK = 'ecs-workshop';
const VPC_ID = 'vpc-0de0a1b2c3d4e5f60';
/** The ECS infrastructure role a service's VpcLatticeConfigurations name. */
const ECS_INFRASTRUCTURE_ROLE = 'arn:aws:iam::111122223333:role/ecsInfrastructureRoleForVpcLattice';
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

/** The return values worth seeing, backend by backend. */
const ATTRIBUTE_ROWS: Record<Backend, (data: Record<string, string>) => [string, string | undefined][]> = {
  AppMesh: (data) => [
    ['virtual service', data.VirtualServiceName],
    ['virtual router', data.VirtualRouterName],
    ['gateway route', data.GatewayRouteName],
    ['virtual node', data.VirtualNodeName],
    ...Object.entries(data).flatMap(([key, value]): [string, string][] => {
      const m = /^Versions\.([^.]+)\.VirtualNodeName$/.exec(key);
      return m ? [[`virtual node (${m[1]})`, value]] : [];
    }),
  ],
  ServiceConnect: (data) =>
    ['NamespaceArn', 'PortName', 'DiscoveryName', 'ClientAliasDnsName', 'ClientAliasPort', 'AppProtocol'].map(
      (key) => [key, data[key] ?? ''],
    ),
  VpcLattice: (data) => [
    ['ServiceArn', data.ServiceArn],
    ['ServiceNetworkArn', data.ServiceNetworkArn],
    ['CustomDomainName', data.CustomDomainName],
    ['PortName', data.PortName],
    ['TargetGroupArn', data.TargetGroupArn],
    ...Object.entries(data).flatMap(([key, value]): [string, string][] => {
      const m = /^Versions\.([^.]+)\.TargetGroupArn$/.exec(key);
      return m ? [[`TargetGroupArn (${m[1]})`, value]] : [];
    }),
  ],
};

function printAttributes(data: Record<string, string>): void {
  for (const [label, value] of ATTRIBUTE_ROWS[BACKEND](data))
    if (value) out(`    ${label.padEnd(22)} ${value}`);
}

/** A Lattice rule's match and action, as a person reads them. */
function ruleLine(
  match: RuleMatch | undefined,
  action: RuleAction | undefined,
  groups: Map<string, string>,
): string {
  const http = match?.httpMatch;
  const when = [
    http?.pathMatch?.match?.prefix !== undefined ? `path prefix ${http.pathMatch.match.prefix}` : '',
    http?.pathMatch?.match?.exact !== undefined ? `path ${http.pathMatch.match.exact}` : '',
    http?.method ? `method ${http.method}` : '',
    ...(http?.headerMatches ?? []).map((h) => `header ${h.name}`),
  ].filter(Boolean);
  const forward = (action?.forward?.targetGroups ?? [])
    .map((t) => `${groups.get(t.targetGroupIdentifier ?? '') ?? t.targetGroupIdentifier} ${t.weight}`)
    .join(', ');
  const then = forward
    ? `forward ${forward}`
    : action?.fixedResponse
      ? `fixed ${action.fixedResponse.statusCode}`
      : '';
  return `${when.length ? `${when.join(', ')} → ` : ''}${then}`;
}

/** The Lattice service's listener, rules and target groups with their weights, as VPC Lattice's API shows them. */
async function printLattice(lattice: VPCLatticeClient, serviceArn: string): Promise<void> {
  const groups = new Map<string, string>();
  for (const tg of (await lattice.send(new ListTargetGroupsCommand({}))).items ?? []) {
    if (!tg.serviceArns?.includes(serviceArn)) continue;
    groups.set(tg.arn!, tg.name!);
    groups.set(tg.id!, tg.name!);
  }
  const listeners =
    (await lattice.send(new ListListenersCommand({ serviceIdentifier: serviceArn }))).items ?? [];
  for (const l of listeners) {
    const rules = (
      await lattice.send(new ListRulesCommand({ serviceIdentifier: serviceArn, listenerIdentifier: l.arn! }))
    ).items;
    for (const r of rules ?? []) {
      const rule = await lattice.send(
        new GetRuleCommand({
          serviceIdentifier: serviceArn,
          listenerIdentifier: l.arn!,
          ruleIdentifier: r.arn!,
        }),
      );
      const what = r.isDefault
        ? `${l.name} ${l.protocol}:${l.port}, default`
        : `rule ${r.name} (priority ${r.priority})`;
      out(
        `    ${(r.isDefault ? 'listener' : '').padEnd(22)} ${what}: ${ruleLine(rule.match, rule.action, groups)}`,
      );
    }
  }
  const named = [...new Set(groups.values())];
  out(`    ${'target groups'.padEnd(22)} ${named.join(', ')} (type IP, in ${VPC_ID})`);
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

/** The port mappings as Service Connect and Lattice read them: the port's name and application protocol. */
function portMappingsLine(
  mappings: NonNullable<TaskDefinition['containerDefinitions']>[number]['portMappings'],
): string {
  const ports = (mappings ?? []).map(
    (m) =>
      `${m.containerPort}${m.name ? ` named ${m.name}` : ''}${m.appProtocol ? `, appProtocol ${m.appProtocol}` : ''}`,
  );
  return `portMappings ${ports.join('; ')}`;
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
    const was = restOld as Record<string, unknown>;
    const now = restNew as Record<string, unknown>;
    for (const key of Object.keys({ ...was, ...now })) {
      if (JSON.stringify(was[key]) === JSON.stringify(now[key])) continue;
      out(
        `      ~ container ${c.name}: ${key === 'portMappings' ? portMappingsLine(c.portMappings ?? []) : `${key} changed`}`,
      );
    }
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

/**
 * The workshop on VPC Lattice: every Custom::MeshService of examples/workshop.yaml switched to `Backend: VpcLattice`
 * in the platform's service network (the gateway route, App Mesh only, dropped), as a template author would write it.
 */
/** `Fn::GetAtt <service>.VirtualServiceName` (the name clients call) is `CustomDomainName` on Lattice. */
function clientNamesOfLattice(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clientNamesOfLattice);
  if (!value || typeof value !== 'object') return value;
  const getAtt = (value as Record<string, unknown>)['Fn::GetAtt'];
  if (Array.isArray(getAtt) && getAtt[1] === 'VirtualServiceName')
    return { 'Fn::GetAtt': [getAtt[0], 'CustomDomainName'] };
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clientNamesOfLattice(v)]));
}

function toVpcLattice(template: Template): Template {
  const resources = Object.fromEntries(
    Object.entries(template.Resources ?? {}).map(([id, r]) => {
      if (r.Type !== 'Custom::MeshService') return [id, r];
      const { Gateway: _g, ...props } = clientNamesOfLattice(r.Properties ?? {}) as Record<string, unknown>;
      return [
        id,
        {
          ...r,
          Properties: {
            ...props,
            Backend: 'VpcLattice',
            VpcLattice: { ServiceNetwork: SERVICE_NETWORK, VpcId: VPC_ID },
          },
        },
      ];
    }),
  );
  return { ...template, Resources: resources as Template['Resources'] };
}

const HEADLINES: Record<Backend, string> = {
  AppMesh: 'App Mesh chapter (Backend: AppMesh)',
  ServiceConnect: 'on ECS Service Connect (Backend: ServiceConnect)',
  VpcLattice: 'on Amazon VPC Lattice (Backend: VpcLattice)',
};

async function main(): Promise<void> {
  const started = performance.now();
  const emulator = await startEmulator();
  Object.assign(process.env, emulator.env());
  const ecs = new ECSClient({});
  const appmesh = new AppMeshClient({});
  const lattice = new VPCLatticeClient({});
  const account = emulator.accountId;

  // The platform each backend needs, as the MeshPlatform stack would have it; nothing more.
  // The App Mesh template's IAM policies name the mesh's ARNs; without a mesh they stay names of nothing.
  const platformExports: Record<string, string> = {
    MeshArn: `arn:aws:appmesh:${emulator.region}:${account}:mesh/ecs-mesh`,
    MeshVGWArn: `arn:aws:appmesh:${emulator.region}:${account}:mesh/ecs-mesh/virtualGateway/ecsworkshop-vgw`,
  };
  let seeded: string;
  let serviceNetworkId = '';
  if (BACKEND === 'AppMesh') {
    const platform = await seedPlatform(emulator);
    platformExports.MeshArn = platform.meshArn;
    platformExports.MeshVGWArn = platform.gatewayArn;
    seeded = 'mesh ecs-mesh, virtual gateway ecsworkshop-vgw (HTTP 3000) — seeded through the App Mesh API';
  } else if (BACKEND === 'ServiceConnect') {
    // The workshop platform's AWS::ServiceDiscovery::PrivateDnsNamespace.
    emulator.servicediscovery.putNamespace('service.local', { type: 'DNS_PRIVATE' });
    // The MeshPlatform stack's ingress (context serviceConnectIngress): an ALB and its HTTP 3000 listener.
    Object.assign(platformExports, await seedIngressListener());
    seeded =
      'Cloud Map namespace service.local (DNS_PRIVATE) and an ALB with its HTTP 3000 listener (the ingress that replaces the virtual gateway) — seeded in the emulator; no mesh';
  } else {
    const network = await lattice.send(new CreateServiceNetworkCommand({ name: SERVICE_NETWORK }));
    serviceNetworkId = network.id!;
    seeded = `VPC Lattice service network ${SERVICE_NETWORK} (${network.id}) — seeded through the VPC Lattice API; no mesh, no gateway`;
  }
  const handler = (require(BUNDLE) as { handler: Handler }).handler;
  const context = {
    invokedFunctionArn: `arn:aws:lambda:${emulator.region}:${account}:function:MeshServiceProvider-Handler`,
    getRemainingTimeInMillis: () => 600_000,
  } as unknown as Context;

  out(`Custom::MeshService — offline demo of the ECS workshop, ${HEADLINES[BACKEND]}`);
  out(
    `  emulator   ${emulator.url} (the AWS APIs the provider calls, validated against the official models)`,
  );
  out(`  platform   ${seeded}`);
  out(`  provider   ${path.relative(ROOT, BUNDLE)}, invoked as the Provider framework invokes it`);
  out(
    `  template   ${path.relative(ROOT, TEMPLATE)}${BACKEND === 'VpcLattice' ? `, each Custom::MeshService with Backend: VpcLattice, VpcLattice.ServiceNetwork: ${SERVICE_NETWORK}` : ''}`,
  );

  const parsedTemplate = parseTemplate(readFileSync(TEMPLATE, 'utf8'));
  const template = BACKEND === 'VpcLattice' ? toVpcLattice(parsedTemplate) : parsedTemplate;
  const stack = new Stack(
    template,
    {
      'MeshServiceProvider-ServiceToken': `arn:aws:lambda:${emulator.region}:${account}:function:MeshServiceProvider-ServiceToken`,
      MeshName: 'ecs-mesh',
      MeshVGWName: 'ecsworkshop-vgw',
      ...platformExports,
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
  /** The ECS services created in the emulator (Service Connect, Lattice), by logical id. */
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

  /** The Custom::MeshService whose (prepared) task definition an AWS::ECS::Service runs. */
  const meshServiceRunBy = (taskDefinition: unknown) =>
    meshServices.find((m) => stack.attributes.get(m)?.TaskDefinitionArn === String(taskDefinition));

  /** An ECS service joining a Lattice target group, as its template's VpcLatticeConfigurations would say. */
  const createLatticeEcsService = async (
    id: string,
    taskDefinition: string,
    portName: string,
    group: string,
  ) => {
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'container-demo',
        serviceName: id,
        taskDefinition,
        vpcLatticeConfigurations: [{ portName, roleArn: ECS_INFRASTRUCTURE_ROLE, targetGroupArn: group }],
      }),
    );
    ecsServices.push(id);
    out(
      `\n▶ ECS service ${id} created, VpcLatticeConfigurations: port ${portName} → target group ${group.replace(/^.*\//, '')}`,
    );
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
        printAttributes(result.Data ?? {});
        if (BACKEND === 'VpcLattice' && result.Data?.ServiceArn)
          await printLattice(lattice, result.Data.ServiceArn);
        if (BACKEND === 'ServiceConnect' && result.Data?.ListenerRuleArn)
          printIngress(emulator, result.Data, (line) => out(`    ${line}`));
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
        if (BACKEND === 'ServiceConnect' && props.ServiceConnectConfiguration) {
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
          // The ALB's target group, from the Custom::MeshService's TargetGroupArn (its Gateway).
          const loadBalancers = ((props.LoadBalancers as Record<string, unknown>[] | undefined) ?? []).map(
            (l) => ({
              containerName: String(l.ContainerName),
              containerPort: Number(l.ContainerPort),
              targetGroupArn: String(l.TargetGroupArn),
            }),
          );
          await ecs.send(
            new CreateServiceCommand({
              cluster: 'container-demo',
              serviceName: id,
              taskDefinition: String(props.TaskDefinition),
              serviceConnectConfiguration: { enabled: true, namespace: String(sc.Namespace), services },
              loadBalancers: loadBalancers.length ? loadBalancers : undefined,
            }),
          );
          ecsServices.push(id);
          out(
            `\n▶ ECS service ${id} created in namespace service.local: ${services.map((x) => `${x.clientAliases[0]?.dnsName}:${x.clientAliases[0]?.port} → port ${x.portName}`).join(', ')}${loadBalancers.map((l) => `; behind the ALB: target group ${String(l.targetGroupArn).replace(/^.*:targetgroup\//, '')} → ${l.containerName}:${l.containerPort}`).join('')}`,
          );
          break;
        }
        if (BACKEND === 'VpcLattice') {
          // The ECS service joins its version's target group (ECS, the emulator, checks the port name and the group).
          const owner = meshServiceRunBy(props.TaskDefinition);
          const data = owner ? stack.attributes.get(owner) : undefined;
          if (data?.TargetGroupArn && data.PortName) {
            await createLatticeEcsService(
              id,
              String(props.TaskDefinition),
              data.PortName,
              data.TargetGroupArn,
            );
            break;
          }
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

  // The canary: the frontend gets a second version; each step is an in-place Update of its Versions.
  const frontendId = (() => {
    const id = meshServices.find((m) => (stack.properties.get(m)?.Backends as unknown[] | undefined)?.length);
    if (!id) throw new Error('the template has no service with backends (the frontend)');
    return id;
  })();
  const frontend = stack.properties.get(frontendId)!;
  const frontendEcsService = ecsServices.find(
    (id) =>
      String(stack.properties.get(id)?.TaskDefinition) ===
      stack.attributes.get(frontendId)?.TaskDefinitionArn,
  );
  const v2 = await registerSecondVersion(frontend);
  out(
    `\n— Canary: the frontend gets a second version (task definition ${v2.family}:${v2.revision})${BACKEND === 'ServiceConnect' ? ', rolled out by ECS' : ''} —`,
  );
  /** One canary step: the frontend's Update to these weights, in place. */
  let previous = frontend;
  const canaryStep = async (w1: number, w2: number) => {
    const { TaskDefinition: td, ...rest } = frontend;
    const next = {
      ...rest,
      Versions: [
        // On App Mesh v1 keeps its virtual node and its patched revision: only the route weights and discovery change.
        // On VPC Lattice v1 keeps the target group its ECS service is registered in (the one named ServiceName).
        {
          Name: 'v1',
          ...(BACKEND === 'AppMesh' ? { VirtualNodeName: String(frontend.ServiceName) } : {}),
          ...(BACKEND === 'VpcLattice' ? { TargetGroupName: String(frontend.ServiceName) } : {}),
          TaskDefinition: td,
          Weight: w1,
        },
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
    out(`    physical id            ${result.PhysicalResourceId} (unchanged: an in-place update)`);
    stack.attributes.set(frontendId, result.Data ?? {});
    previous = next;
    return result.Data ?? {};
  };
  const shortArn = (arn: string | undefined) => arn?.replace(/^.*\//, '');

  if (BACKEND === 'AppMesh') {
    for (const [w1, w2] of [
      [90, 10],
      [50, 50],
    ] as const) {
      const data = await canaryStep(w1, w2);
      out(
        `    route weights          ${data['Versions.v1.VirtualNodeName']} ${w1} / ${data['Versions.v2.VirtualNodeName']} ${w2}`,
      );
      out(
        `    v1 task definition     ${shortArn(data['Versions.v1.TaskDefinitionArn'])} (the same revision as before)`,
      );
      out(`    v2 task definition     ${shortArn(data['Versions.v2.TaskDefinitionArn'])} (patched)`);
    }
  } else if (BACKEND === 'ServiceConnect') {
    // Two Versions, one lighter, are an ECS rollout of the frontend's ECS service (ServiceConnect.Rollout: CANARY by
    // default; the lighter version's weight is its percent).
    for (const [w1, w2] of [
      [90, 10],
      [80, 20],
    ] as const) {
      const data = await canaryStep(w1, w2);
      out(
        `    rollout                ${data.DeploymentStrategy} ${data.CanaryPercent}% to v2, bake ${data.CanaryBakeTimeInMinutes} min (ServiceConnect.Rollout → DeploymentConfiguration, DeploymentController ECS)`,
      );
      out(
        `    ECS service runs       ${shortArn(data.TaskDefinitionArn)} (v2, prepared; v1 ${shortArn(data['Versions.v1.TaskDefinitionArn'])} until the rollout ends)`,
      );
      if (frontendEcsService) {
        // What the template's AWS::ECS::Service is wired to: ECS (the emulator) validates the deployment.
        await ecs.send(
          new UpdateServiceCommand({
            cluster: 'container-demo',
            service: frontendEcsService,
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
          `▶ ECS service ${frontendEcsService} updated: a ${data.DeploymentStrategy} deployment shifts ${data.CanaryPercent}% of the Service Connect clients' traffic to v2, bakes, then the rest`,
        );
      }
    }
  } else {
    // Standing weights: each version runs as its own ECS service in its own target group; the rules weigh them.
    for (const [w1, w2] of [
      [90, 10],
      [50, 50],
    ] as const) {
      const data = await canaryStep(w1, w2);
      printAttributes(data);
      await printLattice(lattice, data.ServiceArn!);
      out(`    v1 task definition     ${shortArn(data['Versions.v1.TaskDefinitionArn'])}`);
      out(`    v2 task definition     ${shortArn(data['Versions.v2.TaskDefinitionArn'])} (prepared)`);
      const portName = data.PortName!;
      const v1Group = data['Versions.v1.TargetGroupArn']!;
      const v2Group = data['Versions.v2.TargetGroupArn']!;
      if (frontendEcsService && !ecsServices.includes(`${frontendEcsService}V2`)) {
        // v1's ECS service takes v1's revision and stays in its target group (v1 kept it: TargetGroupName); v2 gets an
        // ECS service of its own.
        await ecs.send(
          new UpdateServiceCommand({
            cluster: 'container-demo',
            service: frontendEcsService,
            taskDefinition: data['Versions.v1.TaskDefinitionArn'],
            vpcLatticeConfigurations: [
              { portName, roleArn: ECS_INFRASTRUCTURE_ROLE, targetGroupArn: v1Group },
            ],
          }),
        );
        out(
          `\n▶ ECS service ${frontendEcsService} updated: its revision; port ${portName} stays in target group ${shortArn(v1Group)} (v1's)`,
        );
        await createLatticeEcsService(
          `${frontendEcsService}V2`,
          data['Versions.v2.TaskDefinitionArn']!,
          portName,
          v2Group,
        );
      }
    }
  }
  stack.properties.set(frontendId, previous);

  out(`\n— Delete (the stack${BACKEND === 'ServiceConnect' ? '' : ', then the platform'}) —`);
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
  if (BACKEND === 'AppMesh') {
    await appmesh.send(
      new DeleteVirtualGatewayCommand({ meshName: 'ecs-mesh', virtualGatewayName: 'ecsworkshop-vgw' }),
    );
    await appmesh.send(new DeleteMeshCommand({ meshName: 'ecs-mesh' }));
  }
  if (BACKEND === 'VpcLattice')
    await lattice.send(new DeleteServiceNetworkCommand({ serviceNetworkIdentifier: serviceNetworkId }));

  const snapshot = emulator.snapshot();
  const count = (lists: object) =>
    Object.entries(lists)
      .filter(([k]) => k !== 'shares')
      .reduce((n, [, list]) => n + (Array.isArray(list) ? list.length : 0), 0);
  const left: Record<Backend, [number, string]> = {
    AppMesh: [count(snapshot.appmesh), 'App Mesh resources'],
    ServiceConnect: [0, ''],
    VpcLattice: [count(snapshot.vpclattice ?? {}), 'VPC Lattice resources'],
  };
  const [leftover, what] = left[BACKEND];
  const active = snapshot.ecs.taskDefinitions.filter((t) => t.status === 'ACTIVE').length;
  out(
    `\nEmulator after delete: ${what ? `${leftover} ${what}, ` : ''}${active} ACTIVE task definitions (${snapshot.ecs.taskDefinitions.length - active} INACTIVE revisions kept, as ECS keeps them)`,
  );
  out(`Total time ${ms(started)}. The handler's JSON logs (${logLines} lines): ${LOG_FILE}`);
  ecs.destroy();
  appmesh.destroy();
  lattice.destroy();
  await emulator.close();
  if (leftover !== 0 || active !== 0) {
    out('The emulator is not empty: something was left behind.');
    process.exitCode = 1;
  }
}

main().catch((error) => {
  console.error(`demo failed: ${(error as Error).message}`);
  // The emulator still listens: end here rather than hang.
  process.exit(1);
});
