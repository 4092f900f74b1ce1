/** What the Service Connect backend's tests read from the emulator (its snapshot is the ground truth). */
import type { Emulator } from '../../emulator';
import { TAG } from '../../lambda/ownership';

const MUTATING = /^(Create|Update|Delete|Tag|Untag|Register|Deregister)/;

/** Every request of the log, `service:Operation`. */
export const calls = (emulator: Emulator): string[] =>
  emulator.requests.map((r) => `${r.service}:${r.operation}`);

export const mutating = (emulator: Emulator): string[] =>
  emulator.requests.filter((r) => MUTATING.test(r.operation)).map((r) => `${r.service}:${r.operation}`);

/** Namespaces and ACTIVE revisions carrying an ownership tag (of these physical ids, or of anyone). */
export function ownedLeft(emulator: Emulator, physicalIds?: readonly string[]): string[] {
  const snap = emulator.snapshot(['ecs', 'servicediscovery']);
  const ours = (owner: string | undefined) =>
    owner !== undefined && (physicalIds === undefined || physicalIds.includes(owner));
  return [
    ...(snap.servicediscovery?.namespaces ?? [])
      .filter((n) => ours(n.Tags.find((t) => t.Key === TAG.owner)?.Value))
      .map((n) => `namespace ${n.Name}`),
    ...snap.ecs.taskDefinitions
      .filter((t) => t.status === 'ACTIVE' && ours(t.tags.find((x) => x.key === TAG.owner)?.value))
      .map((t) => `revision ${t.taskDefinitionArn}`),
  ];
}

export function namespaces(emulator: Emulator) {
  return emulator.snapshot(['servicediscovery']).servicediscovery?.namespaces ?? [];
}

export function revision(emulator: Emulator, arn: string) {
  const found = emulator.snapshot(['ecs']).ecs.taskDefinitions.find((t) => t.taskDefinitionArn === arn);
  if (!found) throw new Error(`no revision ${arn}`);
  return found as typeof found & {
    cpu?: string;
    memory?: string;
    proxyConfiguration?: unknown;
    containerDefinitions: {
      name: string;
      image: string;
      environment?: { name: string; value: string }[];
      dependsOn?: { containerName: string }[];
      portMappings?: { containerPort: number; name?: string; appProtocol?: string }[];
    }[];
  };
}
