/**
 * Offline validation of a template's Custom::MeshService resources with the provider's own rules and messages, plus
 * the checks CloudFormation itself would make first: every Ref and Fn::GetAtt names something that exists, and every
 * attribute read from a Custom::MeshService is one it returns for those properties.
 */
import { isDocumentedAttribute } from '../lambda/contract/attributes';
import { isResolved, parseWith, Unresolved } from '../lambda/contract/dsl';
import { MeshServiceProperties, type MeshServiceProps, RESOURCE_TYPE } from '../lambda/contract/properties';
import { parseTemplate, type Template } from './template';

export interface Finding {
  /** Logical id of the resource (or output) concerned. */
  readonly logicalId: string;
  /** Property path inside it, when there is one. */
  readonly path: string;
  readonly message: string;
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
    if (attribute === 'TaskDefinitionArn') {
      if (!single)
        return `"${attribute}" is returned for a single version only; use Versions.<Name>.TaskDefinitionArn`;
      const hasTd = props.Versions
        ? versions?.[0]?.TaskDefinition !== undefined
        : props.TaskDefinition !== undefined;
      if (!hasTd) return `"${attribute}" is returned only when a TaskDefinition is patched`;
    }
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

export function validateTemplate(text: string): ValidationReport {
  let template: Template;
  try {
    template = parseTemplate(text);
  } catch (e) {
    return { services: [], findings: [{ logicalId: '(template)', path: '', message: (e as Error).message }] };
  }
  const params: Params = template.Parameters ?? {};
  const resources = template.Resources ?? {};
  const findings: Finding[] = [];
  const services: string[] = [];
  const parsed = new Map<string, MeshServiceProps | undefined>();

  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource?.Type !== RESOURCE_TYPE) continue;
    services.push(logicalId);
    const props = resource.Properties ?? {};
    if (props.ServiceToken === undefined) {
      findings.push({
        logicalId,
        path: 'ServiceToken',
        message: 'required by CloudFormation for every custom resource',
      });
    }
    const result = parseWith(MeshServiceProperties, resolveIntrinsics(props, params));
    if (result.ok) parsed.set(logicalId, result.value);
    else for (const i of result.issues) findings.push({ logicalId, path: i.path, message: i.message });
  }

  const known = new Set([...Object.keys(params), ...Object.keys(resources)]);
  const check = (owner: string, value: unknown) => {
    const refs: { path: string; ref?: string; getAtt?: [string, string] }[] = [];
    references(value, '', refs);
    for (const r of refs) {
      if (r.ref !== undefined && !known.has(r.ref) && !PSEUDO.has(r.ref)) {
        findings.push({
          logicalId: owner,
          path: r.path,
          message: `Ref to "${r.ref}", which is neither a parameter nor a resource`,
        });
      }
      if (r.getAtt) {
        const [target, attribute] = r.getAtt;
        if (!(target in resources)) {
          findings.push({
            logicalId: owner,
            path: r.path,
            message: `Fn::GetAtt of "${target}", which is not a resource`,
          });
        } else if (resources[target]?.Type === RESOURCE_TYPE) {
          const problem = attributeRule(parsed.get(target))?.(attribute);
          if (problem)
            findings.push({ logicalId: owner, path: r.path, message: `Fn::GetAtt ${target}: ${problem}` });
        }
      }
    }
  };
  for (const [logicalId, resource] of Object.entries(resources)) check(logicalId, resource);
  for (const [name, output] of Object.entries(template.Outputs ?? {})) check(`Outputs.${name}`, output);
  return { services, findings };
}

export function formatFindings(file: string, report: ValidationReport): string[] {
  return report.findings.map((f) => `${file}: ${f.logicalId}${f.path ? `: ${f.path}` : ''}: ${f.message}`);
}
