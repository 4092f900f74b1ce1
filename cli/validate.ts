/**
 * Offline validation of a template's Custom::MeshService resources with the provider's own rules and messages, plus
 * the checks CloudFormation itself would make first: every Ref and Fn::GetAtt names something that exists, and every
 * attribute read from a Custom::MeshService is one it returns for those properties.
 *
 * Every finding has a stable rule id (RULES; the cfn-lint rule in cfn-lint-rules/ reports the same ids), the line and
 * column it is about, and, where a name is close to a known one, a "did you mean" hint.
 */
import { isNode, isPair, isScalar, isSeq, type LineCounter, type Node, YAMLParseError } from 'yaml';
import {
  ATTRIBUTES,
  isDocumentedAttribute,
  MeshServiceProperties,
  type MeshServiceProps,
} from '../lambda/backends';
import {
  EnumType,
  type Fields,
  isResolved,
  ListType,
  MapType,
  parseWith,
  StructType,
  type Type,
  Unresolved,
} from '../lambda/contract/dsl';
import { RESOURCE_TYPE } from '../lambda/contract/properties';
import { serviceConnectAttributeAbsence } from './service-connect-attributes';
import { type ReadTemplate, readTemplate, type Template } from './template';

/** The rules, by stable id: ids never change meaning; new rules get new ids. */
export const RULES = {
  E9000: 'the template cannot be read (file, YAML or JSON syntax, or not a template)',
  E9001: 'a YAML tag CloudFormation does not know (e.g. !Foo)',
  E9010: 'a Custom::MeshService without ServiceToken',
  E9011: 'a required property is missing',
  E9012: 'an unknown property',
  E9013: 'a value the property does not allow (type, range, length, pattern, allowed values, duplicates)',
  E9014: 'properties that break a rule together (a cross-property or AWS rule)',
  E9020: 'a Ref to a name that is neither a parameter, a resource nor a pseudo parameter',
  E9021: 'an Fn::GetAtt of a resource that does not exist',
  E9022: 'an Fn::GetAtt of an attribute the Custom::MeshService does not return for its properties',
} as const;
export type RuleId = keyof typeof RULES;

export interface Finding {
  /** Stable rule id (RULES). */
  readonly rule: RuleId;
  readonly severity: 'error' | 'warning';
  /** Logical id of the resource (or `Outputs.<name>`) concerned; `(template)` for the template as a whole. */
  readonly logicalId: string;
  /** Property path inside it, when there is one. */
  readonly path: string;
  readonly message: string;
  /** A close known name: `did you mean HealthCheck?`. */
  readonly hint?: string;
  /** 1-based line and column of what the finding is about (the key, or the value), when known. */
  readonly line?: number;
  readonly column?: number;
}

export interface ValidationReport {
  /** Logical ids of the Custom::MeshService resources found. */
  readonly services: readonly string[];
  readonly findings: readonly Finding[];
}

const PSEUDO = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

type Params = NonNullable<Template['Parameters']>;

/** Replaces what only CloudFormation can resolve with Unresolved; a Ref to a parameter with a Default takes it. */
function resolveIntrinsics(value: unknown, params: Params): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, params));
  if (!value || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [key, arg] = entries[0]!;
    if (key === 'Ref' && typeof arg === 'string') {
      const p = params[arg];
      if (p && p.Default !== undefined) {
        return p.Type === 'CommaDelimitedList' && typeof p.Default === 'string'
          ? p.Default.split(',')
          : p.Default;
      }
      return new Unresolved(`!Ref ${arg}`);
    }
    if (key.startsWith('Fn::')) return new Unresolved(`${key} ${JSON.stringify(arg)}`);
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, resolveIntrinsics(v, params)]));
}

/** Every Ref / Fn::GetAtt / ${Sub} reference in a value, with where it was found. */
function references(
  value: unknown,
  path: string,
  out: { path: string; ref?: string; getAtt?: [string, string] }[],
): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      references(v, `${path}[${i}]`, out);
    });
    return;
  }
  if (!value || typeof value !== 'object') return;
  for (const [key, arg] of Object.entries(value as Record<string, unknown>)) {
    if (key === 'Ref' && typeof arg === 'string') out.push({ path, ref: arg });
    else if (key === 'Fn::GetAtt' && Array.isArray(arg) && typeof arg[0] === 'string') {
      out.push({ path, getAtt: [arg[0], String(arg[1] ?? '')] });
    } else if (key === 'Fn::Sub') {
      const text = Array.isArray(arg) ? arg[0] : arg;
      const vars = Array.isArray(arg) && arg[1] && typeof arg[1] === 'object' ? Object.keys(arg[1]) : [];
      if (typeof text === 'string') {
        for (const m of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
          const name = m[1]!;
          if (vars.includes(name)) continue;
          const dot = name.indexOf('.');
          if (dot > 0) out.push({ path, getAtt: [name.slice(0, dot), name.slice(dot + 1)] });
          else out.push({ path, ref: name });
        }
      }
      if (Array.isArray(arg)) references(arg[1], path, out);
    } else references(arg, path ? `${path}.${key}` : key, out);
  }
}

/** The attributes a Custom::MeshService returns for these properties (undefined when they cannot be known offline). */
function attributeRule(
  props: MeshServiceProps | undefined,
): ((attribute: string) => string | undefined) | undefined {
  if (!props) return undefined;
  return (attribute) => {
    if (!isDocumentedAttribute(attribute)) return `"${attribute}" is not an attribute of ${RESOURCE_TYPE}`;
    const versions =
      props.Versions && isResolved(props.Versions) ? props.Versions.filter(isResolved) : undefined;
    const version = /^Versions\.([^.]+)\./.exec(attribute)?.[1];
    if (version !== undefined) {
      if (!props.Versions) return `"${attribute}": this service has no Versions`;
      if (versions && !versions.some((v) => v.Name === version)) {
        return `"${attribute}": no version named "${version}" (versions: ${versions.map((v) => v.Name).join(', ')})`;
      }
      if (
        attribute.endsWith('.TaskDefinitionArn') &&
        versions?.some((v) => v.Name === version && v.TaskDefinition === undefined)
      ) {
        return `"${attribute}": version "${version}" has no TaskDefinition`;
      }
      return undefined;
    }
    const single = !props.Versions || (versions !== undefined && versions.length === 1);
    if (['VirtualNodeName', 'VirtualNodeArn'].includes(attribute) && !single) {
      return `"${attribute}" is returned for a single version only; use Versions.<Name>.${attribute}`;
    }
    // On Service Connect two versions are a rollout, and TaskDefinitionArn is the one its ECS service runs.
    const rollout = props.Backend === 'ServiceConnect' && (!versions || versions.length === 2);
    if (attribute === 'TaskDefinitionArn') {
      if (!single && !rollout)
        return `"${attribute}" is returned for a single version only; use Versions.<Name>.TaskDefinitionArn`;
      const hasTd = props.Versions
        ? versions?.[0]?.TaskDefinition !== undefined
        : props.TaskDefinition !== undefined;
      if (!hasTd) return `"${attribute}" is returned only when a TaskDefinition is patched`;
    }
    const absent = serviceConnectAttributeAbsence(props, attribute);
    if (absent) return absent;
    if (['VirtualServiceName', 'VirtualServiceArn'].includes(attribute) && props.Edge === true) {
      return `"${attribute}": an Edge service has no virtual service`;
    }
    if (['GatewayRouteName', 'GatewayRouteArn'].includes(attribute) && props.Gateway === undefined) {
      return `"${attribute}" is returned only with Gateway`;
    }
    if (
      ['VirtualRouterName', 'VirtualRouterArn'].includes(attribute) &&
      props.Routes === undefined &&
      single
    ) {
      return `"${attribute}" is returned only with Routes or several Versions`;
    }
    return undefined;
  };
}

// ---------------------------------------------------------------------------------------------------------------
// "Did you mean"

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      const cost = a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + cost);
      previous = current;
    }
  }
  return row[b.length]!;
}

/** The known name closest to `name`, if it is close enough to be a typo (not `name` itself). */
export function closest(name: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of known) {
    if (candidate === name) continue;
    const d = distance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

const didYouMean = (name: string, known: Iterable<string>): { hint?: string } => {
  const match = closest(name, known);
  return match === undefined ? {} : { hint: `did you mean ${match}?` };
};

/** `Versions[1].HealthCheck.Path` as keys and indexes. */
function segments(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  return out;
}

/** The contract type at a property path (for names and allowed values to suggest). */
function typeAt(path: (string | number)[]): Type<unknown> | undefined {
  let type: Type<unknown> | undefined = MeshServiceProperties as unknown as Type<unknown>;
  for (const seg of path) {
    if (type instanceof StructType) type = (type.fields as Fields)[String(seg)]?.type;
    else if (type instanceof ListType && typeof seg === 'number') type = type.item as Type<unknown>;
    else if (type instanceof MapType) type = type.value as Type<unknown>;
    else return undefined;
  }
  return type;
}

/** The rule of a property issue, from the contract's wording, and a hint when a close name or value exists. */
function classify(path: string, message: string, value: unknown): { rule: RuleId; hint?: string } {
  if (message === 'required property is missing') return { rule: 'E9011' };
  const segs = segments(path);
  if (message.startsWith('unknown property')) {
    const parent = typeAt(segs.slice(0, -1));
    const name = String(segs.at(-1) ?? '');
    const hint =
      parent instanceof StructType && !message.includes('did you mean')
        ? didYouMean(name, Object.keys(parent.fields as Fields))
        : {};
    return { rule: 'E9012', ...hint };
  }
  if (message.startsWith('expected ') || message.startsWith('duplicate ') || message.startsWith('must not')) {
    const type = typeAt(segs);
    const hint =
      type instanceof EnumType && typeof value === 'string' && !message.includes('case-sensitive')
        ? didYouMean(value, type.values as readonly string[])
        : {};
    return { rule: 'E9013', ...hint };
  }
  return { rule: 'E9014' };
}

/** The value at a property path (for the hint on a bad value). */
function valueAt(value: unknown, path: (string | number)[]): unknown {
  let v = value;
  for (const seg of path)
    v = v && typeof v === 'object' ? (v as Record<string, unknown>)[seg as string] : undefined;
  return v;
}

// ---------------------------------------------------------------------------------------------------------------
// Positions

/** The 1-based line and column of the node at `path` (the key of its last key, so that a value in a tag counts); the
 *  deepest node that exists when the path does not (a missing property points at its parent). */
function locate(read: ReadTemplate, path: (string | number)[]): { line: number; column: number } | undefined {
  let node: unknown = read.document.contents;
  let at: Node | undefined = isNode(node) ? node : undefined;
  for (const seg of path) {
    if (node && typeof node === 'object' && 'items' in node && !isSeq(node)) {
      const pair = (node as { items: unknown[] }).items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg),
      );
      if (!isPair(pair)) break;
      at = isNode(pair.key) ? pair.key : at;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number' && isNode(node.items[seg])) {
      node = node.items[seg];
      at = node as Node;
    } else break;
  }
  const offset = at?.range?.[0];
  return offset === undefined ? undefined : toPosition(read.lineCounter, offset);
}

const toPosition = (lineCounter: LineCounter, offset: number) => {
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
};

/** Where a finding's owner and path are in the template. */
function pathOf(logicalId: string, path: string): (string | number)[] {
  const owner = logicalId.startsWith('Outputs.') ? ['Outputs', logicalId.slice(8)] : ['Resources', logicalId];
  return [...owner, ...segments(path)];
}

// ---------------------------------------------------------------------------------------------------------------

type Unplaced = Omit<Finding, 'severity' | 'line' | 'column'> & { readonly at?: (string | number)[] };

export function validateTemplate(text: string): ValidationReport {
  let read: ReadTemplate;
  try {
    read = readTemplate(text);
  } catch (e) {
    const position =
      e instanceof YAMLParseError && e.linePos ? { line: e.linePos[0].line, column: e.linePos[0].col } : {};
    return {
      services: [],
      findings: [
        {
          rule: 'E9000',
          severity: 'error',
          logicalId: '(template)',
          path: '',
          message: (e as Error).message.split('\n')[0]!,
          ...position,
        },
      ],
    };
  }
  const template: Template = read.template;
  const params: Params = template.Parameters ?? {};
  const resources = template.Resources ?? {};
  const findings: Unplaced[] = [];
  const services: string[] = [];
  const parsed = new Map<string, MeshServiceProps | undefined>();

  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource?.Type !== RESOURCE_TYPE) continue;
    services.push(logicalId);
    const props = resource.Properties ?? {};
    if (props.ServiceToken === undefined) {
      findings.push({
        rule: 'E9010',
        logicalId,
        path: 'ServiceToken',
        message: 'required by CloudFormation for every custom resource',
        at: ['Resources', logicalId, 'Properties'],
      });
    }
    const result = parseWith(MeshServiceProperties, resolveIntrinsics(props, params));
    if (result.ok) parsed.set(logicalId, result.value);
    else {
      for (const i of result.issues) {
        findings.push({
          ...classify(i.path, i.message, valueAt(props, segments(i.path))),
          logicalId,
          path: i.path,
          message: i.message,
          at: ['Resources', logicalId, 'Properties', ...segments(i.path)],
        });
      }
    }
  }

  const known = new Set([...Object.keys(params), ...Object.keys(resources)]);
  const check = (owner: string, value: unknown) => {
    const refs: { path: string; ref?: string; getAtt?: [string, string] }[] = [];
    references(value, '', refs);
    for (const r of refs) {
      if (r.ref !== undefined && !known.has(r.ref) && !PSEUDO.has(r.ref)) {
        findings.push({
          rule: 'E9020',
          logicalId: owner,
          path: r.path,
          message: `Ref to "${r.ref}", which is neither a parameter nor a resource`,
          ...didYouMean(r.ref, [...known, ...PSEUDO]),
        });
      }
      if (r.getAtt) {
        const [target, attribute] = r.getAtt;
        if (!(target in resources)) {
          findings.push({
            rule: 'E9021',
            logicalId: owner,
            path: r.path,
            message: `Fn::GetAtt of "${target}", which is not a resource`,
            ...didYouMean(target, Object.keys(resources)),
          });
        } else if (resources[target]?.Type === RESOURCE_TYPE) {
          const problem = attributeRule(parsed.get(target))?.(attribute);
          if (problem) {
            findings.push({
              rule: 'E9022',
              logicalId: owner,
              path: r.path,
              message: `Fn::GetAtt ${target}: ${problem}`,
              ...(isDocumentedAttribute(attribute)
                ? {}
                : didYouMean(
                    attribute,
                    ATTRIBUTES.map((a) => a.name).filter((n) => !n.includes('<')),
                  )),
            });
          }
        }
      }
    }
  };
  for (const [logicalId, resource] of Object.entries(resources)) check(logicalId, resource);
  for (const [name, output] of Object.entries(template.Outputs ?? {})) check(`Outputs.${name}`, output);

  const placed: Finding[] = [
    // Tags the parser read as plain values: CloudFormation refuses the template.
    ...read.warnings
      .filter((w) => w.code === 'TAG_RESOLVE_FAILED')
      .map(
        (w): Finding => ({
          rule: 'E9001',
          severity: 'error',
          logicalId: '(template)',
          path: '',
          message: `${w.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}: not a CloudFormation intrinsic function tag`,
          ...(w.linePos ? { line: w.linePos[0].line, column: w.linePos[0].col } : {}),
        }),
      ),
    ...findings.map(
      ({ at, ...f }): Finding => ({
        ...f,
        severity: 'error',
        ...(locate(read, at ?? pathOf(f.logicalId, f.path)) ?? {}),
      }),
    ),
  ];
  return { services, findings: placed };
}

/** `file:line:column: rule logicalId: path: message (hint)`, one line per finding. */
export function formatFindings(file: string, report: ValidationReport): string[] {
  return report.findings.map((f) => {
    const where = f.line === undefined ? file : `${file}:${f.line}:${f.column}`;
    return `${where}: ${f.rule} ${f.logicalId}${f.path ? `: ${f.path}` : ''}: ${f.message}${f.hint ? ` (${f.hint})` : ''}`;
  });
}
