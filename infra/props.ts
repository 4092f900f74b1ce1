/**
 * The conversion of the construct's props (mesh-service-props.generated.ts) to the CloudFormation properties of
 * Custom::MeshService, walking the contract with the naming rules of lambda/contract/case.ts: camelCase names back
 * to PascalCase, a `Duration` to the contract's milliseconds or seconds (range-checked here, in words of durations),
 * an enum member to its value, and a construct reference (infra/references.ts) to the string it stands for. It also
 * records which prop each CloudFormation path came from, so that a rule of the contract broken at synth names the
 * prop the user wrote (`healthCheck.interval`), not `HealthCheck.IntervalMillis`.
 */

import type * as appmesh from 'aws-cdk-lib/aws-appmesh';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import { Duration } from 'aws-cdk-lib/core';
import { camel, durationProp } from '../lambda/contract/case';
import {
  EnumType,
  type Fields,
  ListType,
  MapType,
  type NumberType,
  StructType,
  type Type,
} from '../lambda/contract/dsl';
import type { PropertyIssue } from '../lambda/errors';
import { referencesOf } from './references';

/** A task definition given as a construct, with the prop that gave it. */
export interface GivenTaskDefinition {
  readonly taskDefinition: ecs.ITaskDefinition;
  readonly prop: string;
  /** The CloudFormation property its ARN went to. */
  readonly cfnPath: string;
}

/** A MeshService given as a backend (structurally: this module does not import the construct). */
export interface BackendService {
  readonly node: { readonly path: string };
  _backendName(): string;
}

export interface Converted {
  /** The CloudFormation properties. */
  readonly properties: Record<string, unknown>;
  /** Problems found while converting (a Duration out of range, a prop given twice), by prop. */
  readonly issues: PropertyIssue[];
  /** The task definitions given as constructs. */
  readonly taskDefinitions: GivenTaskDefinition[];
  /** The MeshServices given as backends. */
  readonly backendServices: BackendService[];
  /** Translates an issue's CloudFormation path to the prop (or props) the user writes. */
  propPath(cfnPath: string): string;
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

const isDuration = (value: unknown): value is Duration =>
  value instanceof Duration ||
  (typeof value === 'object' && value !== null && typeof (value as Duration).toMilliseconds === 'function');

const human = (ms: number) => Duration.millis(ms).toHumanString();

export function fromCdkProps(contract: StructType<Fields>, props: Record<string, unknown>): Converted {
  const issues: PropertyIssue[] = [];
  const taskDefinitions: GivenTaskDefinition[] = [];
  const backendServices: BackendService[] = [];
  /** CloudFormation path → prop path. */
  const paths = new Map<string, string>();

  function convertDuration(value: unknown, type: NumberType, unit: string, path: string): unknown {
    if (!isDuration(value)) {
      issues.push({ path, message: `expected a Duration (e.g. Duration.seconds(5)), got ${typeof value}` });
      return undefined;
    }
    let amount: number;
    try {
      amount = unit === 'seconds' ? value.toSeconds() : value.toMilliseconds();
    } catch {
      issues.push({ path, message: `expected a whole number of ${unit}, got ${value.toHumanString()}` });
      return undefined;
    }
    const { min, max } = type.rules;
    const ms = unit === 'seconds' ? amount * 1000 : amount;
    const lowest = min === undefined ? undefined : unit === 'seconds' ? min * 1000 : min;
    const highest = max === undefined ? undefined : unit === 'seconds' ? max * 1000 : max;
    if ((lowest !== undefined && ms < lowest) || (highest !== undefined && ms > highest)) {
      const range =
        lowest !== undefined && highest !== undefined
          ? `${human(lowest)} to ${human(highest)}`
          : lowest !== undefined
            ? `at least ${human(lowest)}`
            : `at most ${human(highest!)}`;
      issues.push({ path, message: `expected a duration of ${range}, got ${value.toHumanString()}` });
      return undefined;
    }
    return amount;
  }

  function convertStruct(
    type: StructType<Fields>,
    value: unknown,
    cfnPath: string,
    propPath: string,
  ): unknown {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
    const input = value as Record<string, unknown>;
    const known = new Set<string>();
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(type.fields)) {
      const cfn = join(cfnPath, key);
      const duration = durationProp(key, field.type);
      const reference = referencesOf(type.name, key);
      if (duration) {
        known.add(duration.name).add(duration.legacy);
        const given = input[duration.name];
        const legacy = input[duration.legacy];
        paths.set(cfn, join(propPath, legacy !== undefined ? duration.legacy : duration.name));
        if (given !== undefined && legacy !== undefined) {
          issues.push({
            path: join(propPath, duration.name),
            message: `give ${duration.name} or ${duration.legacy} (deprecated), not both`,
          });
        } else if (given !== undefined) {
          const amount = convertDuration(
            given,
            field.type as NumberType,
            duration.unit,
            join(propPath, duration.name),
          );
          if (amount !== undefined) out[key] = amount;
        } else if (legacy !== undefined) {
          out[key] = legacy;
        }
        continue;
      }
      const name = camel(key);
      known.add(name);
      const prop = join(propPath, name);
      let raw = input[name];
      if (reference) {
        known.add(reference.prop);
        const ref = input[reference.prop];
        // Messages name the prop given, or both when neither is (a required property missing).
        paths.set(
          cfn,
          raw !== undefined
            ? prop
            : ref !== undefined
              ? join(propPath, reference.prop)
              : `${prop} (or ${join(propPath, reference.prop)})`,
        );
        if (ref !== undefined) {
          const resolved = resolveReference(reference.prop, ref, join(propPath, reference.prop), cfn);
          if (Array.isArray(resolved)) raw = [...((raw as unknown[] | undefined) ?? []), ...resolved];
          else if (raw !== undefined) {
            issues.push({
              path: join(propPath, reference.prop),
              message: `give ${reference.prop} or ${name}, not both`,
            });
          } else raw = resolved;
        }
      } else {
        paths.set(cfn, prop);
      }
      if (raw === undefined || raw === null) continue;
      out[key] = convert(field.type, raw, cfn, prop);
    }
    for (const key of Object.keys(input)) {
      if (!known.has(key) && input[key] !== undefined) {
        issues.push({
          path: join(propPath, key),
          message: `unknown property; known properties are ${[...known].join(', ')}`,
        });
      }
    }
    return out;
  }

  function resolveReference(prop: string, value: unknown, path: string, cfnPath: string): unknown {
    switch (prop) {
      case 'mesh':
        return (value as appmesh.IMesh).meshName;
      case 'virtualGateway':
        return (value as appmesh.IVirtualGateway).virtualGatewayName;
      case 'ecsTaskDefinition': {
        const taskDefinition = value as ecs.ITaskDefinition;
        taskDefinitions.push({ taskDefinition, prop: path, cfnPath });
        return taskDefinition.taskDefinitionArn;
      }
      case 'virtualService': {
        const service = value as BackendService;
        backendServices.push(service);
        return service._backendName();
      }
      case 'backendServices': {
        const services = value as BackendService[];
        backendServices.push(...services);
        return services.map((s) => s._backendName());
      }
      default:
        throw new Error(`no resolver for the reference ${prop}`);
    }
  }

  function convert(type: Type<unknown>, value: unknown, cfnPath: string, propPath: string): unknown {
    if (type instanceof StructType)
      return convertStruct(type as StructType<Fields>, value, cfnPath, propPath);
    if (type instanceof ListType && Array.isArray(value)) {
      return value.map((item, i) => {
        paths.set(`${cfnPath}[${i}]`, `${propPath}[${i}]`);
        return convert(type.item, item, `${cfnPath}[${i}]`, `${propPath}[${i}]`);
      });
    }
    if (type instanceof MapType) return value;
    return value;
  }

  const properties = convertStruct(contract, props, '', '') as Record<string, unknown>;
  return {
    properties,
    issues,
    taskDefinitions,
    backendServices,
    propPath(cfnPath: string): string {
      // The longest recorded path the issue's path starts with (a whole segment), and the rest as it is.
      let best = '';
      for (const key of paths.keys()) {
        if (
          key.length > best.length &&
          (cfnPath === key || cfnPath.startsWith(`${key}.`) || cfnPath.startsWith(`${key}[`))
        ) {
          best = key;
        }
      }
      return best ? `${paths.get(best)}${cfnPath.slice(best.length)}` : cfnPath;
    },
  };
}

/**
 * The contract's property names (`IntervalMillis`, `TaskDefinition`, `Versions`) as the construct's props, for the
 * words of a message (`must be shorter than IntervalMillis`). The contract's values stay (`ServiceConnect` is a
 * Backend as well as a property), and so does every other word (`Cloud Map`, `App Mesh`).
 */
export function propWords(contract: StructType<Fields>): (message: string) => string {
  const words = new Map<string, string>();
  const values = new Set<string>();
  const visit = (type: Type<unknown>, seen: Set<Type<unknown>>) => {
    if (seen.has(type)) return;
    seen.add(type);
    if (type instanceof ListType) visit(type.item, seen);
    else if (type instanceof MapType) visit(type.value, seen);
    else if (type instanceof EnumType) for (const v of type.values) values.add(v);
    else if (type instanceof StructType) {
      for (const [key, field] of Object.entries((type as StructType<Fields>).fields)) {
        words.set(key, durationProp(key, field.type)?.name ?? camel(key));
        visit(field.type, seen);
      }
    }
  };
  visit(contract, new Set());
  for (const value of values) words.delete(value);
  return (message) => message.replace(/\b[A-Z][A-Za-z0-9]+\b/g, (w) => words.get(w) ?? w);
}
