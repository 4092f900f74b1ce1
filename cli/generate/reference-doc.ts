/**
 * docs/mesh-service.md, in the style of the CloudFormation resource reference, generated from the property
 * contract (properties, types, rules, defaults, update behaviour) and the documented return values.
 */

import { ATTRIBUTES, MeshServiceProperties } from '../../lambda/backends';
import { REF_DESCRIPTION } from '../../lambda/contract/attributes';
import {
  BooleanType,
  EnumType,
  type Field,
  type Fields,
  ListType,
  MapType,
  NumberType,
  StructType,
  structsOf,
  type Type,
} from '../../lambda/contract/dsl';
import { RESOURCE_TYPE } from '../../lambda/contract/properties';
import { updateWords } from './typescript';

const root = MeshServiceProperties as unknown as StructType<Fields>;

const anchor = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, '-');

function typeWords(type: Type<unknown>): string {
  if (type instanceof StructType) return `[${type.name}](#${anchor(type.name)})`;
  if (type instanceof ListType) return `List of ${typeWords(type.item)}`;
  if (type instanceof MapType) return `Map of String to ${typeWords(type.value)}`;
  return type.docType();
}

function placeholder(type: Type<unknown>, yaml: boolean): string {
  if (type instanceof StructType) return type.name;
  if (type instanceof ListType)
    return yaml ? `\n    - ${placeholder(type.item, yaml)}` : `[ ${placeholder(type.item, yaml)}, ... ]`;
  if (type instanceof MapType) return yaml ? `\n    Key: String` : '{ Key : String, ... }';
  if (type instanceof NumberType) return type.integer ? 'Integer' : 'Number';
  if (type instanceof BooleanType) return 'Boolean';
  return 'String';
}

function syntax(s: StructType<Fields>, extra: [string, string][] = []): { json: string; yaml: string } {
  const entries: [string, Type<unknown> | string][] = [
    ...extra.map(([k, t]) => [k, t] as [string, string]),
    ...Object.entries(s.fields).map(([k, f]) => [k, f.type] as [string, Type<unknown>]),
  ];
  const jsonLines = entries.map(
    ([k, t]) => `    "${k}" : ${typeof t === 'string' ? t : placeholder(t, false)}`,
  );
  const yamlLines = entries.map(([k, t]) => {
    const value = typeof t === 'string' ? t : placeholder(t, true);
    return `  ${k}:${value.startsWith('\n') ? '' : ' '}${value}`;
  });
  return { json: jsonLines.join(',\n'), yaml: yamlLines.join('\n') };
}

function fieldDoc(key: string, field: Field<unknown>): string {
  const lines = [`#### \`${key}\``, '', field.description];
  if (field.notes) lines.push('', field.notes);
  lines.push('', `*Required*: ${field.required ? 'Yes' : 'No'}`, '', `*Type*: ${typeWords(field.type)}`);
  const allowed = field.type instanceof EnumType ? field.type.constraintsDoc() : field.type.constraintsDoc();
  if (allowed) lines.push('', `*Allowed values*: ${allowed}`);
  if (field.hasDefault) lines.push('', `*Default*: \`${JSON.stringify(field.defaultValue)}\``);
  else if (field.defaultDoc) lines.push('', `*Default*: ${field.defaultDoc}`);
  lines.push('', `*Update requires*: ${updateWords(field.update)}`);
  return lines.join('\n');
}

const INTRO = `# ${RESOURCE_TYPE}

Declares one service of an AWS App Mesh on Amazon ECS: its virtual node (one per version), the virtual service other
services call, an optional virtual router with routes (weighted, for canaries), an optional gateway route on an
existing virtual gateway — and patches the service's ECS task definition with the Envoy sidecar, returning the new
revision for the \`AWS::ECS::Service\`. Served by the provider stack \`MeshServiceProvider\` (see the README).

> AWS ended support for App Mesh on 2026-09-30. This resource keeps existing meshes declarative while you plan the
> move to ECS Service Connect; see the README.

This page is generated from the provider's property contract (\`npm run generate\`); a test fails when it drifts.
CloudFormation sends every value as a string: \`3000\` and \`"3000"\`, \`true\` and \`"true"\` are the same here.
Every error names the property path and the rule, and is reported before any AWS call.`;

const LIFECYCLE = `## Lifecycle

**Create** checks that the mesh (and the virtual gateway, when \`Gateway\` is given) exist, refuses any name already
held by a resource it does not own, reads and patches the task definitions, and only then creates, in dependency
order with independent calls in parallel: virtual nodes and the virtual router, then routes and the virtual service,
then the gateway route; the patched task definitions are registered alongside. If anything fails, what this request
created is removed before the failure is reported (the Provider framework never sends a Delete after a failed Create).

**Update** reconciles: it describes what exists, creates what is missing, updates only what differs (the difference is
logged) and deletes what is no longer declared — children before parents. Every property updates in place except
\`MeshName\`, \`MeshOwner\` and \`ServiceName\`, which form the identity: changing one is a *replacement* (a new
service is built beside the old one; CloudFormation deletes the old one in its cleanup phase, or the new one if the
stack rolls back). A \`MeshOwner\` equal to the provider's own account is the same as none. The names the service
creates derive from \`ServiceName\`, except a virtual service name taken from \`DnsHostname\` and names set
explicitly (\`VirtualServiceName\`, \`Gateway.RouteName\`, a version's \`VirtualNodeName\`): a replacement that would
need one of those while the old service still holds it is refused before any call, naming what to rename.

- Adding or retiring a version and moving route weights are in-place updates. Retiring a version deletes its virtual
  node at once: move its weight to 0 first, and remove its ECS service in the same template change (running Envoys
  keep their last configuration; new tasks of the retired version would not start).
- Changing \`Protocol\` on a service with routes deletes and re-creates its routes (and gateway route): App Mesh can
  neither change a route's type nor a router's protocol while routes of the old type exist.
- A task definition revision is registered only when what it would contain changes (source revision, virtual node,
  Envoy options, or the provider's default Envoy version — pin \`Envoy.Version\` to decide when Envoy changes); tag
  changes are applied to the existing revision. Revisions of one family are registered one at a time.

A failed update leaves the previous configuration working, and CloudFormation's rollback update restores it.

**Ownership.** Every resource the provider creates is tagged with the physical id, stack id and logical id that own
it (\`mesh-service:owner\`, \`mesh-service:stack-id\`, \`mesh-service:logical-id\`). Updates and Deletes touch only
resources carrying all three of this resource's values; a resource under a needed name owned by anyone else fails
the request, naming the owner, and is never changed. Virtual nodes also record which task-definition families the
service patches, and the families retired by an update until their revisions are deregistered.

**Rollback safety.** The patched revision this resource returns, and those its previous properties produced, are
never deregistered (ECS refuses to point a service at an INACTIVE revision, and CloudFormation may roll a service back
to the previous one); the revisions of a retired version are kept until the update after. Older revisions it
registered are deregistered after a successful update. Name task definitions by ARN (\`!Ref\` gives one): with a bare
family name, "the newest revision" is read again on every request, so a rollback cannot bring back the application
revision that was current before.

**Delete** removes every App Mesh resource this physical id owns (gateway route, virtual service, routes, router,
nodes — in that order) and deregisters every task definition revision it registered; nothing else. Missing resources
count as deleted, so a repeated Delete succeeds; a Delete for a physical id the provider did not issue (the Provider
framework's marker after a failed Create) succeeds without changing anything. When the Delete's properties do not
name this service (CloudFormation's cleanup after a rolled-back replacement may send other properties), the mesh is
searched for what the physical id owns.

**Time.** Throttling is retried with jittered backoff for as long as the request's time budget allows: the handler's
10-minute timeout, or \`ServiceTimeout\` when that is shorter, less 90 seconds kept for cleanup; transient errors a
few times; anything else fails the request with a one-line reason.`;

const EXAMPLES = `## Examples

### The workshop's crystal service (one virtual node behind a virtual service)

\`\`\`yaml
Crystal:
  Type: Custom::MeshService
  Properties:
    ServiceToken: !ImportValue MeshServiceProvider-ServiceToken
    ServiceTimeout: 900
    MeshName: ecs-mesh
    ServiceName: ecsdemo-crystal
    Namespace: service.local
    Port: 3000
    TaskDefinition: !Ref CrystalTaskDefinition
# AWS::ECS::Service ... TaskDefinition: !GetAtt Crystal.TaskDefinitionArn
\`\`\`

### The frontend: backends, a router and a gateway route

\`\`\`yaml
Frontend:
  Type: Custom::MeshService
  Properties:
    ServiceToken: !ImportValue MeshServiceProvider-ServiceToken
    MeshName: ecs-mesh
    ServiceName: ecsdemo-frontend
    Namespace: service.local
    Port: 3000
    Backends: [ecsdemo-crystal.service.local, ecsdemo-nodejs.service.local]
    Routes:
      - Name: frontend-a
        Match: { Prefix: / }
    Gateway:
      VirtualGatewayName: ecsworkshop-vgw
      RouteName: frontend-router
    TaskDefinition: !Ref FrontendTaskDefinition
\`\`\`

### A canary: two versions, weights as parameters

\`\`\`yaml
NodeJs:
  Type: Custom::MeshService
  Properties:
    ServiceToken: !ImportValue MeshServiceProvider-ServiceToken
    MeshName: ecs-mesh
    ServiceName: ecsdemo-nodejs
    Namespace: service.local
    Port: 3000
    Versions:
      - Name: blue
        TaskDefinition: !Ref BlueTaskDefinition
        Weight: !Ref BlueWeight
      - Name: green
        TaskDefinition: !Ref GreenTaskDefinition
        Weight: !Ref GreenWeight
# Blue service: TaskDefinition: !GetAtt NodeJs.Versions.blue.TaskDefinitionArn
\`\`\`

Each version gets its own virtual node (\`<ServiceName>-<Name>\`) that discovers only its own tasks: in Cloud Map,
by the \`ECS_TASK_DEFINITION_FAMILY\` attribute ECS adds to every instance, so the versions' task definitions must have
different families (or give \`DiscoveryAttributes\`).`;

const IAM = `## IAM

- **Who deploys the template** (a user, the stack's service role, or a Service Catalog launch role) needs
  \`lambda:InvokeFunction\` on the ServiceToken — and, as usual, permissions for the template's other resources. No App
  Mesh or ECS task-definition permission is needed: the provider's own role makes those calls.
- **The task role** of every patched task definition needs \`appmesh:StreamAggregatedResources\` on its virtual node
  (\`VirtualNodeArn\`, or \`arn:<partition>:appmesh:<region>:<account>:mesh/<MeshName>/virtualNode/*\`), e.g. through
  the managed policy \`AWSAppMeshEnvoyAccess\`; the patch refuses a task definition without a task role.
- **The execution role** must be able to pull the Envoy image: the regional App Mesh ECR repositories need
  \`ecr:GetAuthorizationToken\`, \`ecr:BatchGetImage\`, \`ecr:GetDownloadUrlForLayer\`; \`public.ecr.aws\` needs none.
- **Another account's stacks** can use a provider only if the provider stack was deployed with
  \`invokerOrganizationId\` or \`invokerAccountIds\` context; they pass the ServiceToken ARN themselves
  (\`Fn::ImportValue\` does not cross accounts).`;

export function renderReferenceDoc(): string {
  const top = syntax(root, [
    ['ServiceToken', 'String'],
    ['ServiceTimeout', 'Integer'],
  ]);
  const parts: string[] = [
    INTRO,
    '## Syntax',
    '### JSON',
    '```json\n{\n  "Type" : "Custom::MeshService",\n  "Properties" : {\n' + top.json + '\n  }\n}\n```',
    '### YAML',
    '```yaml\nType: Custom::MeshService\nProperties:\n' + top.yaml + '\n```',
    '## Properties',
    [
      '#### `ServiceToken`',
      '',
      "The provider: `!ImportValue MeshServiceProvider-ServiceToken` in the provider's account and Region, or its ARN passed as a parameter elsewhere.",
      '',
      '*Required*: Yes',
      '',
      '*Type*: String',
      '',
      '*Update requires*: Not allowed (CloudFormation cannot change the ServiceToken of a custom resource)',
    ].join('\n'),
    [
      '#### `ServiceTimeout`',
      '',
      'Seconds CloudFormation waits for an answer before failing the resource. Use 900: the handler answers within 10 minutes.',
      '',
      '*Required*: No',
      '',
      '*Type*: Integer',
      '',
      '*Allowed values*: 1-3600',
      '',
      '*Default*: 3600',
      '',
      '*Update requires*: No interruption',
    ].join('\n'),
    ...Object.entries(root.fields).map(([k, f]) => fieldDoc(k, f)),
    '## Property types',
  ];
  for (const s of structsOf(root)) {
    if (s === root) continue;
    const body = syntax(s);
    parts.push(
      `### ${s.name}`,
      s.options.description ?? '',
      '```yaml\n' + body.yaml.replace(/^ {2}/gm, '') + '\n```',
      ...Object.entries(s.fields).map(([k, f]) => fieldDoc(k, f).replace(/^#### /, '##### ')),
    );
  }
  parts.push(
    '## Return values',
    '### Ref',
    REF_DESCRIPTION,
    '### Fn::GetAtt',
    'All values are strings. An attribute is present only when it applies; `<Name>` is a version name, e.g. `!GetAtt Svc.Versions.blue.TaskDefinitionArn`.',
    [
      '| Attribute | Description | Present when |',
      '|---|---|---|',
      ...ATTRIBUTES.map((a) => `| \`${a.name}\` | ${a.description} | ${a.presentWhen} |`),
    ].join('\n'),
    LIFECYCLE,
    EXAMPLES,
    IAM,
  );
  return `${parts.filter((p) => p !== '').join('\n\n')}\n`;
}
