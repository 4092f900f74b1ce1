/** Reading CloudFormation templates (JSON or YAML with the short-form intrinsic tags) as plain data. */
import { parse, type Tags } from 'yaml';

const FUNCTIONS = [
  'Base64',
  'Cidr',
  'FindInMap',
  'GetAtt',
  'GetAZs',
  'ImportValue',
  'Join',
  'Select',
  'Split',
  'Sub',
  'Transform',
  'ToJsonString',
  'Length',
  'If',
  'Equals',
  'And',
  'Or',
  'Not',
];

function intrinsic(name: string, value: unknown): Record<string, unknown> {
  if (name === 'Ref' || name === 'Condition') return { [name]: value };
  if (name === 'GetAtt' && typeof value === 'string') {
    const dot = value.indexOf('.');
    return { 'Fn::GetAtt': dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
  }
  return { [`Fn::${name}`]: value };
}

const CUSTOM_TAGS: Tags = ['Ref', 'Condition', ...FUNCTIONS].flatMap(
  (name) =>
    (['scalar', 'seq', 'map'] as const).map((nodeClass) => ({
      tag: `!${name}`,
      collection: nodeClass === 'scalar' ? undefined : nodeClass,
      resolve: (value: unknown) => {
        const plain =
          value && typeof (value as { toJSON?: () => unknown }).toJSON === 'function'
            ? (value as { toJSON: () => unknown }).toJSON()
            : value;
        return intrinsic(name, plain);
      },
    })) as Tags,
);

export interface Template {
  readonly Parameters?: Record<string, { Type?: string; Default?: unknown }>;
  readonly Resources?: Record<
    string,
    { Type?: string; Properties?: Record<string, unknown>; Condition?: string }
  >;
  readonly Conditions?: Record<string, unknown>;
  readonly Outputs?: Record<string, unknown>;
  readonly Mappings?: Record<string, unknown>;
}

export function parseTemplate(text: string): Template {
  const data = parse(text, { customTags: CUSTOM_TAGS, uniqueKeys: true, maxAliasCount: 100 }) as unknown;
  if (!data || typeof data !== 'object' || Array.isArray(data))
    throw new Error('not a CloudFormation template (expected a map)');
  return data as Template;
}
