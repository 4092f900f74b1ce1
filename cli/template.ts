/** Reading CloudFormation templates (JSON or YAML with the short-form intrinsic tags) as plain data. */
import { type Document, LineCounter, parseDocument, type Tags, type YAMLError } from 'yaml';

/** The intrinsic functions with a short-form tag (`!Sub`, …) besides `!Ref` and `!Condition`. */
export const FUNCTIONS = [
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

/** A template as read, with what is needed to point at a line: the document and its line counter. */
export interface ReadTemplate {
  readonly template: Template;
  readonly document: Document;
  readonly lineCounter: LineCounter;
  /** What the YAML parser warns about but reads anyway, e.g. a tag CloudFormation does not know (`!Foo`). */
  readonly warnings: readonly YAMLError[];
}

/**
 * Reads a template (YAML or JSON). Throws the first syntax error (a YAMLParseError with its line and column) or a
 * "not a CloudFormation template" error; warnings are returned, never printed.
 */
export function readTemplate(text: string): ReadTemplate {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { customTags: CUSTOM_TAGS, uniqueKeys: true, lineCounter });
  if (document.errors.length > 0) throw document.errors[0];
  const data = document.toJS({ maxAliasCount: 100 }) as unknown;
  if (!data || typeof data !== 'object' || Array.isArray(data))
    throw new Error('not a CloudFormation template (expected a map)');
  return { template: data as Template, document, lineCounter, warnings: document.warnings };
}

export function parseTemplate(text: string): Template {
  return readTemplate(text).template;
}
