/**
 * Task-level cpu and memory: parsing the forms ECS accepts ("1024" / "1 vCPU", "2048" / "2 GB") and the Fargate
 * cpu/memory table (Amazon ECS developer guide, "Task CPU and memory" for Fargate).
 */

/** CPU units from "256", "1 vCPU", "0.5 vcpu"; undefined when the text is neither. */
export function parseTaskCpu(value: string): number | undefined {
  const units = /^\s*(\d+)\s*$/.exec(value);
  if (units?.[1]) return Number(units[1]);
  const vcpu = /^\s*(\d+(?:\.\d+)?)\s*vcpu\s*$/i.exec(value);
  if (vcpu?.[1]) {
    const parsed = Number(vcpu[1]) * 1024;
    return Number.isInteger(parsed) ? parsed : undefined;
  }
  return undefined;
}

/** MiB from "512", "1 GB", "1GB", "0.5 GB"; undefined when the text is neither. */
export function parseTaskMemory(value: string): number | undefined {
  const mib = /^\s*(\d+)\s*$/.exec(value);
  if (mib?.[1]) return Number(mib[1]);
  const gb = /^\s*(\d+(?:\.\d+)?)\s*gb\s*$/i.exec(value);
  if (gb?.[1]) {
    const parsed = Number(gb[1]) * 1024;
    return Number.isInteger(parsed) ? parsed : undefined;
  }
  return undefined;
}

interface FargateSize {
  readonly cpu: number;
  readonly minMiB: number;
  readonly maxMiB: number;
  readonly stepMiB: number;
  /** Some sizes also allow values off the step (256 CPU: 512, 1024, 2048). */
  readonly exact?: readonly number[];
}

const GiB = 1024;

export const FARGATE_SIZES: readonly FargateSize[] = [
  { cpu: 256, minMiB: 512, maxMiB: 2 * GiB, stepMiB: GiB, exact: [512, 1024, 2048] },
  { cpu: 512, minMiB: 1 * GiB, maxMiB: 4 * GiB, stepMiB: GiB },
  { cpu: 1024, minMiB: 2 * GiB, maxMiB: 8 * GiB, stepMiB: GiB },
  { cpu: 2048, minMiB: 4 * GiB, maxMiB: 16 * GiB, stepMiB: GiB },
  { cpu: 4096, minMiB: 8 * GiB, maxMiB: 30 * GiB, stepMiB: GiB },
  { cpu: 8192, minMiB: 16 * GiB, maxMiB: 60 * GiB, stepMiB: 4 * GiB },
  { cpu: 16384, minMiB: 32 * GiB, maxMiB: 120 * GiB, stepMiB: 8 * GiB },
];

export function isFargateSize(cpu: number, memoryMiB: number): boolean {
  const size = FARGATE_SIZES.find((s) => s.cpu === cpu);
  if (!size) return false;
  if (size.exact) return size.exact.includes(memoryMiB);
  return (
    memoryMiB >= size.minMiB && memoryMiB <= size.maxMiB && (memoryMiB - size.minMiB) % size.stepMiB === 0
  );
}
