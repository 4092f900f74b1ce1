/**
 * cfn-guard with AWS Control Tower's proactive controls, both as the npm package @cdklabs/cdk-validator-cfnguard
 * ships them (the guard binary for Linux and macOS, x86_64 and arm64, and the rules), run on template files.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const PACKAGE = path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json'));
export const CONTROL_TOWER_RULES = path.join(PACKAGE, 'rules', 'control-tower', 'cfn-guard');
const GUARD = path.join(
  PACKAGE,
  'bin',
  process.platform === 'darwin' ? 'macos' : 'ubuntu',
  process.arch === 'arm64' ? 'aarch64' : 'x86_64',
  'cfn-guard',
);

export interface GuardFinding {
  /** The template file. */
  readonly file: string;
  /** The guard rule, e.g. cloudwatch_log_group_retention_period_check. */
  readonly rule: string;
  /** The Control Tower control, e.g. CT.CLOUDWATCH.PR.2. */
  readonly control: string;
  /** The logical ids of the resources it is about. */
  readonly resources: readonly string[];
}

/** Every rule file of the Control Tower rules, by control id (`ct-cloudwatch-pr-2` for CT.CLOUDWATCH.PR.2). */
function ruleFiles(dir = CONTROL_TOWER_RULES): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? ruleFiles(path.join(dir, e.name))
      : e.name.endsWith('.guard')
        ? [path.join(dir, e.name)]
        : [],
  );
}

/** The resource types a rule file names (`AWS::Lambda::Function`), by file: each Control Tower rule selects the
 *  resources it checks by their Type. */
let ruleTypes: Map<string, Set<string>> | undefined;
function typesOfRules(): Map<string, Set<string>> {
  ruleTypes ??= new Map(
    ruleFiles().map((file) => [
      file,
      new Set([...readFileSync(file, 'utf8').matchAll(/AWS::[A-Za-z0-9]+::[A-Za-z0-9]+/g)].map((m) => m[0])),
    ]),
  );
  return ruleTypes;
}

/** The resource types of the templates. */
function typesOfTemplates(templates: readonly string[]): Set<string> {
  return new Set(
    templates.flatMap((t) =>
      Object.values(
        (JSON.parse(readFileSync(t, 'utf8')) as { Resources?: Record<string, { Type?: string }> })
          .Resources ?? {},
      ).map((r) => String(r.Type)),
    ),
  );
}

/**
 * Runs the Control Tower rules on the templates, in one guard process; returns the non-compliant findings, each with
 * its template file. A rule that names resource types, none of them in any of the templates, is left out: it selects
 * no resource, so guard would only report it skipped, and reading and evaluating every one of the 237 rule files
 * for every template was two thirds of guard's time. A rule that names no type runs always.
 */
export function controlTower(templates: readonly string[]): GuardFinding[] {
  const present = typesOfTemplates(templates);
  const rules = [...typesOfRules()]
    .filter(([, types]) => types.size === 0 || [...types].some((t) => present.has(t)))
    .map(([file]) => file);
  const result = spawnSync(
    GUARD,
    [
      'validate',
      ...rules.flatMap((r) => ['--rules', r]),
      ...templates.flatMap((t) => ['--data', t]),
      '--output-format',
      'json',
      '--show-summary',
      'none',
      '--structured',
    ],
    { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
  );
  // 0: compliant; 19 (and 5): not compliant; anything else is a failure of guard itself.
  if (result.status !== 0 && result.status !== 19 && result.status !== 5) {
    throw new Error(`cfn-guard failed (${result.status ?? result.signal}): ${result.stderr || result.error}`);
  }
  const reports = JSON.parse(result.stdout || '[]') as { name: string; not_compliant?: unknown[] }[];
  return reports.flatMap((report) =>
    (report.not_compliant ?? []).map((check) => {
      const text = JSON.stringify(check);
      return {
        file: report.name,
        rule: (check as { Rule?: { name?: string } }).Rule?.name ?? '?',
        control: /\[(CT\.[A-Z0-9]+\.PR\.\d+)\]/.exec(text)?.[1] ?? '?',
        resources: [...new Set([...text.matchAll(/"\/Resources\/([^/"]+)/g)].map((m) => m[1]!))].sort(),
      };
    }),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Templates as CloudFormation hands them to the proactive controls

type Json = unknown;
interface RenderTemplate {
  Parameters?: Record<string, { Type?: string; Default?: unknown }>;
  Conditions?: Record<string, Json>;
  Resources?: Record<string, Json>;
}

const PSEUDO: Record<string, string> = {
  'AWS::AccountId': '111122223333',
  'AWS::Region': 'eu-west-1',
  'AWS::Partition': 'aws',
  'AWS::StackName': 'stack',
  'AWS::StackId': 'arn:aws:cloudformation:eu-west-1:111122223333:stack/stack/1',
  'AWS::URLSuffix': 'amazonaws.com',
};
const NO_VALUE = Symbol('AWS::NoValue');

/**
 * A template as the Control Tower proactive controls see it at deploy time (they are CloudFormation hooks, which
 * receive resolved properties), with the parameters' defaults: a Ref to a parameter is its default (a number for a
 * Number parameter, or a numeric string as CloudFormation converts it for an integer property), pseudo parameters
 * are sample values, an import is a string, Fn::Sub substitutes what is known, Fn::If takes its branch and
 * AWS::NoValue removes the property. Other functions (Fn::GetAtt of a resource, ...) stay as they are.
 */
export function withParameterDefaults(template: RenderTemplate): RenderTemplate {
  const params = template.Parameters ?? {};
  const conditions = new Map<string, boolean>();
  const ref = (name: string): Json => {
    if (name === 'AWS::NoValue') return NO_VALUE;
    if (name in PSEUDO) return PSEUDO[name];
    const p = params[name];
    if (p && p.Default !== undefined) {
      const value = p.Default;
      return typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
    }
    return { Ref: name };
  };
  const condition = (name: string): boolean => {
    if (!conditions.has(name)) conditions.set(name, truthy(resolve(template.Conditions?.[name])));
    return conditions.get(name)!;
  };
  const truthy = (v: Json): boolean => v === true || v === 'true';
  const resolve = (value: Json): Json => {
    if (Array.isArray(value)) return value.map(resolve).filter((v) => v !== NO_VALUE);
    if (!value || typeof value !== 'object') return value;
    const entries = Object.entries(value);
    if (entries.length === 1) {
      const [key, arg] = entries[0]!;
      if (key === 'Ref' && typeof arg === 'string') return ref(arg);
      if (key === 'Condition' && typeof arg === 'string') return condition(arg);
      if (key === 'Fn::If' && Array.isArray(arg)) return resolve(condition(String(arg[0])) ? arg[1] : arg[2]);
      if (key === 'Fn::Equals' && Array.isArray(arg)) {
        const [a, b] = arg.map(resolve);
        return String(a) === String(b);
      }
      if (key === 'Fn::Not' && Array.isArray(arg)) return !truthy(resolve(arg[0]));
      if (key === 'Fn::And' && Array.isArray(arg)) return arg.every((a) => truthy(resolve(a)));
      if (key === 'Fn::Or' && Array.isArray(arg)) return arg.some((a) => truthy(resolve(a)));
      if (key === 'Fn::ImportValue') return `imported:${JSON.stringify(resolve(arg))}`;
      if (key === 'Fn::Sub') {
        const [text, vars] = Array.isArray(arg) ? arg : [arg, {}];
        const own = Object.fromEntries(
          Object.entries((vars ?? {}) as object).map(([k, v]) => [k, resolve(v)]),
        );
        return String(text).replace(/\$\{([^!}]+)\}/g, (whole, name: string) => {
          const v = name in own ? own[name] : ref(name);
          return typeof v === 'string' || typeof v === 'number' ? String(v) : whole;
        });
      }
    }
    const out: Record<string, Json> = {};
    for (const [k, v] of entries) {
      const r = resolve(v);
      if (r !== NO_VALUE) out[k] = r;
    }
    return out;
  };
  const resources: Record<string, Json> = {};
  for (const [id, r] of Object.entries(template.Resources ?? {})) {
    const c = (r as { Condition?: string }).Condition;
    if (c && !condition(c)) continue;
    resources[id] = resolve(r);
  }
  return { ...template, Resources: resources };
}
