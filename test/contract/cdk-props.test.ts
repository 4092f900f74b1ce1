/**
 * The CDK props come from the contract by rule, not by list: a property another backend adds (a rollout timeout in
 * seconds, a choice of strategies) comes out as a Duration and an enum after `npm run generate`, and the construct
 * converts and checks it, without a change to the generator or the construct.
 */
import { Duration } from 'aws-cdk-lib';
import { contractEnums, renderPropsModule } from '../../cli/generate/typescript';
import { fromCdkProps } from '../../infra/props';
import {
  type Fields,
  int,
  list,
  oneOf,
  optional,
  required,
  type StructType,
  struct,
  withDefault,
} from '../../lambda/contract/dsl';

const Rollout = struct('Rollout', {
  Strategy: required(oneOf('CANARY', 'LINEAR', 'ALL_AT_ONCE'), {
    description: 'How tasks move to the new revision.',
    update: 'in-place',
  }),
  BakeTimeSeconds: withDefault(int({ min: 60, max: 3600 }), 600, {
    description: 'How long a step bakes.',
    update: 'in-place',
  }),
  Alarms: optional(list(oneOf('latency-p99', 'errors-5xx')), {
    description: 'Which alarms roll it back.',
    update: 'in-place',
  }),
});
const contract = struct('MeshServiceProperties', {
  Name: required(int(), { description: 'A number that is no time.', update: 'replacement' }),
  Rollout: optional(Rollout, { description: 'The rollout.', update: 'in-place' }),
}) as unknown as StructType<Fields>;

describe('GIVEN a property added to the contract (a time in seconds, a choice, a list of choices)', () => {
  test('WHEN the props are generated THEN the time is a Duration (the number deprecated) and the choices enums, with their defaults as CDK code', () => {
    const module = renderPropsModule(contract);
    expect(module).toContain(
      "export enum Strategy {\n  CANARY = 'CANARY',\n  LINEAR = 'LINEAR',\n  ALL_AT_ONCE = 'ALL_AT_ONCE',\n}",
    );
    expect(module).toContain(
      "export enum Alarm {\n  LATENCY_P99 = 'latency-p99',\n  ERRORS_5XX = 'errors-5xx',\n}",
    );
    expect(module).toContain('  readonly strategy: Strategy;');
    expect(module).toContain('  readonly alarms?: Alarm[];');
    expect(module).toMatch(
      /Allowed: 60-3600 seconds\.\n {3}\* @default Duration\.minutes\(10\)\n[\s\S]*? {2}readonly bakeTime\?: Duration;/,
    );
    expect(module).toMatch(/@deprecated use bakeTime\n {3}\*\/\n {2}readonly bakeTimeSeconds\?: number;/);
    expect(module).toContain('  readonly name: number;');
  });

  test('WHEN the construct converts it THEN the Duration becomes whole seconds, range-checked in words of durations and named as written', () => {
    const converted = fromCdkProps(contract, {
      name: 1,
      rollout: { strategy: 'LINEAR', bakeTime: Duration.minutes(5), alarms: ['errors-5xx'] },
    });
    expect(converted.issues).toEqual([]);
    expect(converted.properties).toEqual({
      Name: 1,
      Rollout: { Strategy: 'LINEAR', BakeTimeSeconds: 300, Alarms: ['errors-5xx'] },
    });
    expect(fromCdkProps(contract, { name: 1, rollout: { bakeTime: Duration.hours(2) } }).issues).toEqual([
      { path: 'rollout.bakeTime', message: 'expected a duration of 1 minute to 1 hour, got 2 hours' },
    ]);
    expect(fromCdkProps(contract, { name: 1, rollout: {} }).propPath('Rollout.BakeTimeSeconds')).toBe(
      'rollout.bakeTime',
    );
    expect(fromCdkProps(contract, { name: 1, rolout: {} }).issues).toEqual([
      { path: 'rolout', message: 'unknown property; known properties are name, rollout' },
    ]);
  });

  test('WHEN a time would take the name of another property THEN generating fails naming both', () => {
    const clash = struct('MeshServiceProperties', {
      Interval: optional(int(), { description: 'A count.', update: 'in-place' }),
      IntervalMillis: optional(int(), { description: 'A time.', update: 'in-place' }),
    }) as unknown as StructType<Fields>;
    expect(() => renderPropsModule(clash)).toThrow(
      'MeshServiceProperties: the construct prop interval would stand for both Interval and IntervalMillis; rename one of them',
    );
  });

  test('WHEN two choices of the same name have other values THEN generating fails asking for a name', () => {
    const clash = struct('MeshServiceProperties', {
      Rollout: optional(Rollout, { description: 'The rollout.', update: 'in-place' }),
      Strategy: optional(oneOf('BLUE_GREEN'), { description: 'Another strategy.', update: 'in-place' }),
    }) as unknown as StructType<Fields>;
    expect(() => contractEnums(clash)).toThrow(
      "the enumerations of MeshServiceProperties.Strategy and Rollout.Strategy are both named Strategy but differ: name one with oneOf(...).named('...')",
    );
  });
});
