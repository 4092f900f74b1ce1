/** Table tests for the emulator's pure helpers: task sizes, the Fargate table, pagination and the validator. */
import { isFargateSize, parseTaskCpu, parseTaskMemory } from '../../emulator/ecs/task-size';
import { loadModel } from '../../emulator/model/model';
import { describeIssues, validateStructureValue } from '../../emulator/model/validate';
import { paginate } from '../../emulator/util';

describe('task size parsing', () => {
  test.each([
    ['256', 256],
    [' 1024 ', 1024],
    ['1 vCPU', 1024],
    ['0.25 vcpu', 256],
    ['2vCPU', 2048],
    ['1.1 vCPU', undefined],
    ['lots', undefined],
    ['', undefined],
  ])('parseTaskCpu(%j) = %j', (text, units) => {
    expect(parseTaskCpu(text)).toBe(units);
  });

  test.each([
    ['512', 512],
    ['1 GB', 1024],
    ['1GB', 1024],
    ['0.5 GB', 512],
    ['1 TB', undefined],
    ['512 MiB', undefined],
  ])('parseTaskMemory(%j) = %j', (text, mib) => {
    expect(parseTaskMemory(text)).toBe(mib);
  });
});

describe('Fargate sizes', () => {
  test.each([
    [256, 512, true],
    [256, 1536, false],
    [256, 3072, false],
    [512, 5120, false],
    [1024, 1024, false],
    [2048, 17408, false],
    [4096, 31744, false],
    [8192, 16384, true],
    [8192, 17408, false],
    [8192, 65536, false],
    [16384, 49152, true],
    [16384, 45056, false],
    [128, 512, false],
  ])('cpu %i with memory %i → %s', (cpu, memory, valid) => {
    expect(isFargateSize(cpu, memory)).toBe(valid);
  });
});

describe('paginate', () => {
  const items = ['a', 'b', 'c', 'd'];

  test('GIVEN limit 2 THEN two pages, the last without a token', () => {
    const first = paginate(items, (x) => x, 2, undefined);
    expect(first?.items).toEqual(['a', 'b']);
    const second = paginate(items, (x) => x, 2, first?.nextToken);
    expect(second).toEqual({ items: ['c', 'd'] });
  });

  test('GIVEN an item deleted between pages THEN nothing is skipped or repeated', () => {
    const first = paginate(items, (x) => x, 2, undefined);
    expect(paginate(['a', 'c', 'd'], (x) => x, 2, first?.nextToken)?.items).toEqual(['c', 'd']);
  });

  test('GIVEN a token it did not issue THEN undefined', () => {
    expect(paginate(items, (x) => x, 2, 'bogus')).toBeUndefined();
  });
});

describe('validator', () => {
  const appmesh = loadModel('appmesh-2019-01-25.json');

  test('GIVEN a valid CreateVirtualNodeInput THEN no issues', () => {
    const input = {
      meshName: 'm',
      virtualNodeName: 'n',
      spec: { listeners: [{ portMapping: { port: 80, protocol: 'http' } }] },
    };
    expect(validateStructureValue(appmesh, 'CreateVirtualNodeInput', input)).toEqual([]);
  });

  test('GIVEN several violations THEN each is an issue with its path, and the message counts them', () => {
    const issues = validateStructureValue(appmesh, 'CreateVirtualNodeInput', {
      meshName: '',
      spec: { listeners: [{ portMapping: { port: 1.5, protocol: 'udp' } }], extra: true },
    });
    expect(issues.map((i) => i.path)).toEqual([
      'virtualNodeName',
      'meshName',
      'spec.extra',
      'spec.listeners[0].portMapping.port',
      'spec.listeners[0].portMapping.protocol',
    ]);
    expect(describeIssues(issues)).toMatch(/^5 validation errors detected: /);
  });

  test('GIVEN the AwsCloudMapInstanceAttributeKey pattern THEN it is enforced', () => {
    const issues = validateStructureValue(appmesh, 'AwsCloudMapInstanceAttribute', {
      key: 'has space',
      value: 'v',
    });
    expect(issues.map((i) => i.message)).toEqual([expect.stringContaining('regular expression pattern')]);
  });
});
