#!/usr/bin/env node
// Extracts the official AWS service models the emulator validates against, from Debian's python3-botocore
// package (the npm `aws-sdk` v2 models lack the constraints). Documentation is stripped; every structural
// trait (types, required, enums, min/max, patterns, HTTP bindings, errors) is kept as published.
//
// Usage:
//   apt-get download python3-botocore && dpkg-deb -x python3-botocore_*.deb /tmp/botocore
//   node scripts/extract-aws-models.mjs /tmp/botocore/usr/lib/python3/dist-packages/botocore/data \
//        "python3-botocore 1.43.117+repack-1 (Debian sid)" [--only cloudformation[,ecs,appmesh,servicediscovery,resourcegroupstaggingapi,elbv2,vpc-lattice]]
// `--only` writes just the named services, so adding a service never rewrites the committed models of the others
// (which may come from another package version). The committed files in emulator/models/ record the package, its
// version and the source files' SHA-256.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const USAGE =
  'usage: extract-aws-models.mjs <botocore data dir> "<package and version>" [--only <service>[,<service>…]]';
const args = process.argv.slice(2);
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? new Set((args[onlyAt + 1] ?? '').split(',').filter(Boolean)) : undefined;
if (onlyAt >= 0) args.splice(onlyAt, 2);
const [dataDir, packageLabel] = args;
if (!dataDir || !packageLabel || args.length !== 2 || only?.size === 0) {
  console.error(USAGE);
  process.exit(2);
}

// ECS is a large API; the emulator serves only the task-definition, tagging and service operations (the service
// operations for Service Connect; adding them only adds shapes, the others' stay as they were).
const SERVICES = [
  { name: 'appmesh', dir: 'appmesh/2019-01-25', out: 'appmesh-2019-01-25.json', operations: 'all' },
  {
    name: 'ecs',
    dir: 'ecs/2014-11-13',
    out: 'ecs-2014-11-13.json',
    operations: [
      'RegisterTaskDefinition',
      'DescribeTaskDefinition',
      'DeregisterTaskDefinition',
      'DeleteTaskDefinitions',
      'ListTaskDefinitions',
      'ListTaskDefinitionFamilies',
      'TagResource',
      'UntagResource',
      'ListTagsForResource',
      'CreateService',
      'DescribeServices',
      'UpdateService',
      'DeleteService',
    ],
  },
  // Cloud Map: the namespace calls of the Service Connect backend, and ListServices (the services ECS creates in a
  // namespace for Service Connect; the backend never creates one).
  {
    name: 'servicediscovery',
    dir: 'servicediscovery/2017-03-14',
    out: 'servicediscovery-2017-03-14.json',
    operations: [
      'CreateHttpNamespace',
      'GetNamespace',
      'ListNamespaces',
      'ListServices',
      'DeleteNamespace',
      'GetOperation',
      'TagResource',
      'UntagResource',
      'ListTagsForResource',
    ],
  },
  // Resource Groups Tagging API: only GetResources, to find what a resource owns by its ownership tags.
  {
    name: 'resourcegroupstaggingapi',
    dir: 'resourcegroupstaggingapi/2017-01-26',
    out: 'resourcegroupstaggingapi-2017-01-26.json',
    operations: ['GetResources'],
  },
  // Elastic Load Balancing v2: the Service Connect backend's ingress (an ALB listener rule and its target group on a
  // listener the platform owns) and the platform stack's load balancer and listener.
  {
    name: 'elbv2',
    dir: 'elbv2/2015-12-01',
    out: 'elbv2-2015-12-01.json',
    operations: [
      'CreateLoadBalancer',
      'DescribeLoadBalancers',
      'DeleteLoadBalancer',
      'CreateListener',
      'DescribeListeners',
      'DeleteListener',
      'CreateTargetGroup',
      'DescribeTargetGroups',
      'ModifyTargetGroup',
      'DeleteTargetGroup',
      'RegisterTargets',
      'DeregisterTargets',
      'DescribeTargetHealth',
      'CreateRule',
      'DescribeRules',
      'ModifyRule',
      'SetRulePriorities',
      'DeleteRule',
      'AddTags',
      'RemoveTags',
      'DescribeTags',
    ],
  },
  // Amazon VPC Lattice: the VpcLattice backend (service, listener, rules, target groups, the service network
  // association, access log subscriptions, auth policies) and the platform's service network.
  {
    name: 'vpc-lattice',
    dir: 'vpc-lattice/2022-11-30',
    out: 'vpc-lattice-2022-11-30.json',
    operations: [
      'CreateServiceNetwork',
      'GetServiceNetwork',
      'ListServiceNetworks',
      'DeleteServiceNetwork',
      'CreateService',
      'GetService',
      'ListServices',
      'UpdateService',
      'DeleteService',
      'CreateServiceNetworkServiceAssociation',
      'GetServiceNetworkServiceAssociation',
      'ListServiceNetworkServiceAssociations',
      'DeleteServiceNetworkServiceAssociation',
      'CreateListener',
      'GetListener',
      'ListListeners',
      'UpdateListener',
      'DeleteListener',
      'CreateRule',
      'GetRule',
      'ListRules',
      'UpdateRule',
      'BatchUpdateRule',
      'DeleteRule',
      'CreateTargetGroup',
      'GetTargetGroup',
      'ListTargetGroups',
      'UpdateTargetGroup',
      'DeleteTargetGroup',
      'RegisterTargets',
      'DeregisterTargets',
      'ListTargets',
      'CreateAccessLogSubscription',
      'GetAccessLogSubscription',
      'ListAccessLogSubscriptions',
      'UpdateAccessLogSubscription',
      'DeleteAccessLogSubscription',
      'PutAuthPolicy',
      'GetAuthPolicy',
      'DeleteAuthPolicy',
      'TagResource',
      'UntagResource',
      'ListTagsForResource',
    ],
  },
  // CloudFormation: only the read side, for stack verification and cleanup.
  {
    name: 'cloudformation',
    dir: 'cloudformation/2010-05-15',
    out: 'cloudformation-2010-05-15.json',
    operations: [
      'DescribeStacks',
      'DescribeStackResource',
      'DescribeStackResources',
      'ListStackResources',
      'ListStacks',
    ],
  },
];

for (const name of only ?? []) {
  if (!SERVICES.some((s) => s.name === name)) {
    console.error(`unknown service '${name}' (known: ${SERVICES.map((s) => s.name).join(', ')})`);
    process.exit(2);
  }
}

const DROP = new Set(['documentation', 'documentationUrl', 'deprecatedMessage', 'examples']);

function strip(value) {
  if (Array.isArray(value)) return value.map(strip);
  if (value && typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) if (!DROP.has(k)) out[k] = strip(v);
    return out;
  }
  return value;
}

function closure(model, operationNames) {
  const keep = new Set();
  const visit = (name) => {
    if (!name || keep.has(name)) return;
    keep.add(name);
    const shape = model.shapes[name];
    if (!shape) throw new Error(`shape ${name} missing from model`);
    for (const m of Object.values(shape.members ?? {})) visit(m.shape);
    visit(shape.member?.shape);
    visit(shape.key?.shape);
    visit(shape.value?.shape);
  };
  for (const op of operationNames) {
    const o = model.operations[op];
    if (!o) throw new Error(`operation ${op} missing from model`);
    visit(o.input?.shape);
    visit(o.output?.shape);
    for (const e of o.errors ?? []) visit(e.shape);
  }
  return keep;
}

for (const svc of SERVICES) {
  if (only && !only.has(svc.name)) continue;
  const file = join(dataDir, svc.dir, 'service-2.json');
  const raw = readFileSync(file);
  const model = JSON.parse(raw.toString('utf8'));
  const ops = svc.operations === 'all' ? Object.keys(model.operations) : svc.operations;
  const shapes = closure(model, ops);
  const out = {
    source: {
      package: packageLabel,
      file: `botocore/data/${svc.dir}/service-2.json`,
      sha256: createHash('sha256').update(raw).digest('hex'),
      note: 'Generated by scripts/extract-aws-models.mjs; do not edit by hand.',
    },
    metadata: strip(model.metadata),
    operations: Object.fromEntries(ops.sort().map((op) => [op, strip(model.operations[op])])),
    shapes: Object.fromEntries([...shapes].sort().map((s) => [s, strip(model.shapes[s])])),
  };
  writeFileSync(join('emulator/models', svc.out), `${JSON.stringify(out, null, 1)}\n`);
  console.log(`${svc.out}: ${ops.length} operations, ${shapes.size} shapes`);
}
