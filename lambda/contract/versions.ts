/** Versions of the service (each its own task definition and discovery), the single-version properties, and their rules. */

import {
  bool,
  type Infer,
  int,
  list,
  optional,
  required,
  type StructOutput,
  str,
  struct,
  withDefault,
} from './dsl';
import type { serviceFields } from './service';
import { parseTaskDefinitionRef } from './task-definition-ref';
import { VersionTls } from './tls';
import { attributes, hostname, known, label, type Report, resourceName, taskDefinitionRef } from './values';

export const Version = struct(
  'Version',
  {
    Name: required(label(32), {
      description: 'Version label (e.g. `v1`, `blue`). Used in the virtual node name and in `Fn::GetAtt`.',
      update: 'in-place',
    }),
    TaskDefinition: optional(taskDefinitionRef(), {
      description:
        "This version's task definition (ARN or family[:revision]); it is patched with the Envoy sidecar.",
      update: 'in-place',
    }),
    Weight: optional(int({ min: 0, max: 100 }), {
      description: 'Weight of this version in routes that do not list their own Targets.',
      update: 'in-place',
    }),
    VirtualNodeName: optional(resourceName(), {
      description: "This version's virtual node name.",
      defaultDoc:
        "`<ServiceName>-<Name>`; with KeepServiceNode, the service's own node (`VirtualNodeName`, default `<ServiceName>`)",
      update: 'in-place',
      notes:
        'A new name creates the new virtual node and deletes the old one: tasks running with the old name lose their node (docs/versions.md).',
    }),
    KeepServiceNode: withDefault(bool(), false, {
      description:
        "This version keeps the service's own virtual node — the one a service without Versions has (`VirtualNodeName`, default `<ServiceName>`) — with its running tasks and its patched task definition revision (unchanged when TaskDefinition and Envoy are). The top-level `VirtualNodeName`, `VirtualNodeArn` and `TaskDefinitionArn` attributes keep resolving, to this version. At most one version.",
      update: 'in-place',
      notes:
        "Turning a service without Versions into Versions needs it on the version that runs the current tasks (or that version's VirtualNodeName set to the node name): otherwise the update is refused before any change, since it would delete the node the running tasks use. Step by step: docs/versions.md.",
    }),
    DiscoveryAttributes: optional(attributes(), {
      description: "Cloud Map instance attributes that select only this version's tasks.",
      defaultDoc:
        '`ECS_TASK_DEFINITION_FAMILY` = the family of `TaskDefinition`, for one version as for several (none without TaskDefinition)',
      update: 'in-place',
      notes:
        "A single version selects its family too, so adding a second version leaves the first one's node (and the tasks it routes to) unchanged, and retiring one never widens the other's to every instance of the Cloud Map service.",
    }),
    Tls: optional(VersionTls, {
      description:
        "This version's own listener certificate and/or validation, over the service's `Tls` (e.g. each version its own certificate).",
      defaultDoc: "the service's `Tls`",
      update: 'in-place',
      notes:
        "Needs the service's `Tls` (its `Mode`, and the certificate of the versions without their own). An ACM certificate here marks only this version's patched revision as needing `acm:ExportCertificate`.",
    }),
    DnsHostname: optional(hostname(), {
      description:
        "DNS discovery: this version's own hostname (required with DnsHostname and several versions).",
      update: 'in-place',
    }),
    TargetGroupName: optional(
      str({
        min: 3,
        max: 128,
        pattern: /^[a-z0-9]+(?:-[a-z0-9]+)*$/,
        patternHint:
          'a VPC Lattice target group name: lowercase letters, digits and hyphens (not at either end, never two in a row)',
        check: (v) =>
          v.startsWith('tg-') ? 'VPC Lattice target group names may not start with "tg-"' : undefined,
      }),
      {
        description:
          "VPC Lattice: the name of this version's target group (Backend VpcLattice only). Give the first version of a new canary `<ServiceName>`, the target group of the service without Versions, so that the running ECS service stays registered in the group the listener forwards to.",
        defaultDoc: '`<ServiceName>-<Name>`',
        update: 'in-place',
        notes:
          'A changed name (or a changed default: a new Name, or Versions added or removed) is a new, empty target group the listener forwards to, and the old one is deleted, while the running ECS service is registered in the old one until CloudFormation updates its VpcLatticeConfigurations: keep the name of the group that serves (docs/migration.md). An update that would replace every target group of the service is refused before any change.',
      },
    ),
  },
  { description: 'One version of the service: its own virtual node and (patched) task definition.' },
);

export const versionFields = {
  Versions: optional(
    list(Version, { min: 1, max: 10, uniqueBy: { key: (v) => v.Name, what: 'version name' } }),
    {
      description:
        'Several versions of the service, each with its own virtual node and task definition, behind a router.',
      defaultDoc: 'one version: the virtual node `<ServiceName>` with `TaskDefinition`',
      update: 'in-place',
    },
  ),
  TaskDefinition: optional(taskDefinitionRef(), {
    description:
      'Task definition (ARN or family[:revision]) to patch with the Envoy sidecar (single version).',
    update: 'in-place',
  }),
  DiscoveryAttributes: optional(attributes(), {
    description: 'Cloud Map instance attributes the virtual node filters on (single version).',
    defaultDoc:
      'none: the node discovers every instance of its Cloud Map service (with Versions, each version selects its task family instead)',
    update: 'in-place',
  }),
};

export type VersionProps = Infer<typeof Version>;

/** What the version rules read of the properties: the service, the versions, whether routes list targets. */
type VersionsView = StructOutput<typeof serviceFields & typeof versionFields> & {
  readonly Routes?: readonly { readonly Targets?: unknown }[];
  readonly Tls?: unknown;
};

/** The single-version properties against Versions, then each version against the others. */
export function versionsRules(
  p: VersionsView,
  versions: readonly VersionProps[] | undefined,
  report: Report,
): void {
  if (p.DiscoveryAttributes !== undefined && p.DnsHostname !== undefined) {
    report('DiscoveryAttributes', 'only for Cloud Map discovery (Namespace), not with DnsHostname');
  }
  if (p.Versions !== undefined) {
    if (p.TaskDefinition !== undefined)
      report('TaskDefinition', 'with Versions, give each version its own TaskDefinition');
    if (p.DiscoveryAttributes !== undefined) {
      report('DiscoveryAttributes', 'with Versions, give each version its own DiscoveryAttributes');
    }
  }
  if (versions) versionRules(p, versions, report);
}

function versionRules(p: VersionsView, versions: readonly VersionProps[], report: Report): void {
  const nodeNames = new Map<string, number>();
  const families = new Map<string, number>();
  const hostnames = new Map<string, number>();
  const several = versions.length > 1;
  versions.forEach((v, i) => {
    const at = `Versions[${i}]`;
    const serviceNode = p.VirtualNodeName ?? p.ServiceName;
    if (
      v.KeepServiceNode === true &&
      known(v.VirtualNodeName) &&
      known(serviceNode) &&
      v.VirtualNodeName !== serviceNode
    ) {
      report(
        `${at}.VirtualNodeName`,
        `a version with KeepServiceNode keeps the service's node "${serviceNode}"; remove VirtualNodeName (or set the top-level VirtualNodeName)`,
      );
    }
    const nodeName =
      v.VirtualNodeName ??
      (v.KeepServiceNode === true
        ? serviceNode
        : known(p.ServiceName) && known(v.Name)
          ? `${p.ServiceName}-${v.Name}`
          : undefined);
    if (known(nodeName)) {
      const first = nodeNames.get(nodeName);
      if (first !== undefined)
        report(`${at}.VirtualNodeName`, `virtual node name "${nodeName}" is also used by Versions[${first}]`);
      nodeNames.set(nodeName, i);
    }
    if (several && p.Namespace !== undefined) {
      const family = known(v.TaskDefinition) ? parseTaskDefinitionRef(v.TaskDefinition)?.family : undefined;
      if (v.DiscoveryAttributes === undefined && v.TaskDefinition === undefined) {
        report(
          at,
          "give TaskDefinition or DiscoveryAttributes, so that this version's virtual node discovers only its own tasks",
        );
      } else if (v.DiscoveryAttributes === undefined && family !== undefined) {
        const first = families.get(family);
        if (first !== undefined) {
          report(
            `${at}.TaskDefinition`,
            `task definition family "${family}" is also Versions[${first}]'s; versions are told apart by family in Cloud Map, so give each its own family or DiscoveryAttributes`,
          );
        }
        families.set(family, i);
      }
    }
    if (p.DnsHostname !== undefined && several && v.DnsHostname === undefined) {
      report(`${at}.DnsHostname`, 'required for each version when several versions use DNS discovery');
    }
    if (known(v.DnsHostname)) {
      if (p.Namespace !== undefined)
        report(`${at}.DnsHostname`, 'only for DNS discovery (DnsHostname), not with Namespace');
      const first = hostnames.get(v.DnsHostname);
      if (first !== undefined) report(`${at}.DnsHostname`, `also used by Versions[${first}]`);
      hostnames.set(v.DnsHostname, i);
    }
    if (v.Tls !== undefined && p.Tls === undefined) {
      report(
        `${at}.Tls`,
        "overrides the service's listener TLS, which it has not; give Tls (its Mode and the other versions' certificate) too",
      );
    }
    if (v.DiscoveryAttributes !== undefined && p.DnsHostname !== undefined) {
      report(`${at}.DiscoveryAttributes`, 'only for Cloud Map discovery (Namespace)');
    }
  });
  const keeping = versions.flatMap((v, i) => (v.KeepServiceNode === true ? [i] : []));
  if (keeping.length > 1) {
    report(
      `Versions[${keeping[1]}].KeepServiceNode`,
      `only one version keeps the service's node; Versions[${keeping[0]}] already does`,
    );
  }
  if (p.VirtualNodeName !== undefined && keeping.length === 0) {
    report(
      'VirtualNodeName',
      "with Versions, names the node a version keeps: give that version KeepServiceNode: true, or move the name to the version's VirtualNodeName",
    );
  }
  const routesTakeWeights =
    p.Routes === undefined || (known(p.Routes) && p.Routes.some((r) => known(r) && r.Targets === undefined));
  if (several && routesTakeWeights) {
    versions.forEach((v, i) => {
      if (v.Weight === undefined) {
        report(
          `Versions[${i}].Weight`,
          'required when several versions share a route without its own Targets',
        );
      }
    });
  }
  if (p.Routes === undefined && versions.length > 0 && versions.every((v) => v.Weight === 0)) {
    report('Versions', 'every version has Weight 0; at least one needs a weight above 0');
  }
  const total = weightTotal(versions.map((v) => (versions.length === 1 ? (v.Weight ?? 100) : v.Weight)));
  if (p.Routes === undefined && total !== undefined && total > MAX_ROUTE_WEIGHT) {
    report(
      'Versions',
      `the weights total ${total}; App Mesh allows the weights of a route to total at most ${MAX_ROUTE_WEIGHT}`,
    );
  }
}

/**
 * `Versions[].TargetGroupName` names a VPC Lattice target group: a backend without target groups per version refuses
 * it (its contract.ts calls this).
 */
export function refuseTargetGroupNames(versions: readonly VersionProps[] | undefined, report: Report): void {
  if (!known(versions)) return;
  versions.forEach((v, i) => {
    if (known(v) && v.TargetGroupName !== undefined)
      report(
        `Versions[${i}].TargetGroupName`,
        'only with Backend VpcLattice (the target group of a Lattice version); remove TargetGroupName',
      );
  });
}

/** App Mesh: the weighted targets of a route total at most 100. */
export const MAX_ROUTE_WEIGHT = 100;

/** The sum of the weights, when every one is known. */
export function weightTotal(weights: readonly unknown[]): number | undefined {
  if (!weights.every((w): w is number => typeof w === 'number')) return undefined;
  return weights.reduce((a, b) => a + b, 0);
}
