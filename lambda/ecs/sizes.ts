/** Task cpu/memory as ECS stores them: a number of units/MiB, or `<n> vCPU` / `<n> GB` as RegisterTaskDefinition accepts. */
export function parseSize(value: string | undefined, unit: 'GB' | 'vCPU'): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const plain = /^\s*(\d+)\s*$/.exec(value);
  if (plain) return Number(plain[1]);
  const scaled = new RegExp(`^\\s*(\\d+(?:\\.\\d+)?)\\s*${unit}\\s*$`, 'i').exec(value);
  return scaled ? Math.round(Number(scaled[1]) * 1024) : undefined;
}
