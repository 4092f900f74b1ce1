/**
 * The JSON Schemas of Custom::MeshService, generated from the property contract:
 *
 * - schema/mesh-service.schema.json (draft 2020-12): the properties of one Custom::MeshService, with intrinsic
 *   functions as CloudFormation holds them (`{"Ref": ...}`, `{"Fn::If": [...]}`): JSON templates, and YAML parsed
 *   with the CloudFormation tags (cfn-lint, `mesh-service validate`, ajv after such a parse). Strict: every rule
 *   the contract can say in JSON Schema.
 * - schema/mesh-service-template.schema.json (draft-07, what yaml-language-server validates with): a whole
 *   template, whose Custom::MeshService resources get the same property schema — except that an intrinsic may
 *   also be what an editor reads from a short-form tag. An editor configured with `yaml.customTags` reads
 *   `!Ref Port` as the string "Port" and `!If [C, {...}, !Ref AWS::NoValue]` as a list: indistinguishable from a
 *   plain value, so wherever a value may be an intrinsic, this schema also accepts any string or list. It still
 *   checks property names (typos), required properties and the shape of plain objects; values are checked by
 *   `mesh-service validate`.
 */

import { MeshServiceProperties } from '../../lambda/backends';
import { type Fields, type JsonSchema, type StructType, structsOf } from '../../lambda/contract/dsl';
import { RESOURCE_TYPE } from '../../lambda/contract/properties';

export const SCHEMA_ID = 'https://github.com/mesh-service-provider/schema/mesh-service.schema.json';
export const TEMPLATE_SCHEMA_ID =
  'https://github.com/mesh-service-provider/schema/mesh-service-template.schema.json';

const anything: JsonSchema = {};
const list = (min: number, max = min): JsonSchema => ({ type: 'array', minItems: min, maxItems: max });
const stringOrList = (min: number, max = min): JsonSchema => ({
  anyOf: [{ type: 'string' }, list(min, max)],
});

/**
 * The intrinsic functions CloudFormation resolves in a custom resource's properties, with the shape of their
 * argument. A custom resource has no property types CloudFormation knows, so any of them may stand for any value;
 * the provider then checks what they resolve to. (cfn-lint accepts the condition functions there too.)
 */
const FUNCTIONS: Record<string, JsonSchema> = {
  Ref: { type: 'string', minLength: 1 },
  'Fn::Base64': anything,
  'Fn::Cidr': list(3),
  'Fn::FindInMap': list(3, 4),
  'Fn::GetAtt': stringOrList(2),
  'Fn::GetAZs': anything,
  'Fn::If': list(3),
  'Fn::ImportValue': anything,
  'Fn::Join': list(2),
  'Fn::Length': anything,
  'Fn::Select': list(2),
  'Fn::Split': list(2),
  'Fn::Sub': stringOrList(1, 2),
  'Fn::ToJsonString': anything,
  'Fn::Transform': { type: 'object' },
  'Fn::And': { type: 'array' },
  'Fn::Equals': list(2),
  'Fn::Not': list(1),
  'Fn::Or': { type: 'array' },
  Condition: { type: 'string' },
};

/** An intrinsic function as CloudFormation holds it: one key, a known function, its argument's shape. */
const INTRINSIC: JsonSchema = {
  description:
    'A CloudFormation intrinsic function (Ref, Fn::GetAtt, Fn::If, Fn::ImportValue, Fn::Sub, ...).',
  type: 'object',
  minProperties: 1,
  maxProperties: 1,
  properties: FUNCTIONS,
  additionalProperties: false,
};

/** What an editor reads where a template uses an intrinsic: the object, or a short-form tag's string or list. */
const EDITOR_INTRINSIC: JsonSchema = {
  description:
    'A CloudFormation intrinsic function: as an object (Fn::If: ...), or a short-form tag (!Ref, !If, !Sub ...) as an editor reads it — its string or list argument.',
  anyOf: [INTRINSIC, { type: 'string' }, { type: 'array' }],
};

const SERVICE_TOKEN = {
  description: 'ARN of the provider (the export MeshServiceProvider-ServiceToken).',
  anyOf: [{ type: 'string', minLength: 1 }, { $ref: '#/$defs/Intrinsic' }],
};
const SERVICE_TIMEOUT = {
  description: 'Seconds CloudFormation waits for the provider (1-3600).',
  anyOf: [
    { type: 'integer', minimum: 1, maximum: 3600 },
    { type: 'string', pattern: '^[0-9]+$' },
    { $ref: '#/$defs/Intrinsic' },
  ],
};

/** The properties object and the definitions it refers to (`#/$defs/...`), with the given intrinsic. */
function propertySchema(intrinsic: JsonSchema): { top: JsonSchema; defs: Record<string, JsonSchema> } {
  const root = MeshServiceProperties as unknown as StructType<Fields>;
  const defs: Record<string, JsonSchema> = {};
  for (const s of structsOf(root)) if (s !== root) defs[s.name] = s.definition();
  defs.Intrinsic = intrinsic;
  const definition = root.definition();
  const properties = definition.properties as Record<string, JsonSchema>;
  properties.ServiceToken = SERVICE_TOKEN;
  properties.ServiceTimeout = SERVICE_TIMEOUT;
  const top = {
    ...definition,
    required: ['ServiceToken', ...((definition.required as string[] | undefined) ?? [])],
  };
  return { top, defs };
}

export function jsonSchema(): JsonSchema {
  const { top, defs } = propertySchema(INTRINSIC);
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: SCHEMA_ID,
    title: 'Custom::MeshService properties',
    ...top,
    $defs: defs,
  };
}

/** draft-07 names `$defs` `definitions`; yaml-language-server validates draft-07. */
const toDraft07 = (schema: JsonSchema): JsonSchema =>
  JSON.parse(JSON.stringify(schema).replaceAll('"#/$defs/', '"#/definitions/')) as JsonSchema;

export function templateSchema(): JsonSchema {
  const { top, defs } = propertySchema(EDITOR_INTRINSIC);
  const section = (description: string): JsonSchema => ({ description, type: 'object' });
  return toDraft07({
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: TEMPLATE_SCHEMA_ID,
    title: `CloudFormation template with ${RESOURCE_TYPE} resources`,
    description: `A CloudFormation template; the properties of every ${RESOURCE_TYPE} are checked against the provider's contract. Other resources are only required to have a Type.`,
    type: 'object',
    properties: {
      AWSTemplateFormatVersion: { type: 'string', enum: ['2010-09-09'] },
      Description: { type: 'string', maxLength: 1024 },
      Metadata: section('Template metadata.'),
      Parameters: section('Template parameters.'),
      Rules: section('Parameter rules.'),
      Mappings: section('Mappings.'),
      Conditions: section('Conditions.'),
      Transform: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
      Resources: {
        type: 'object',
        minProperties: 1,
        additionalProperties: { $ref: '#/definitions/Resource' },
      },
      Outputs: section('Outputs.'),
    },
    required: ['Resources'],
    definitions: {
      Resource: {
        type: 'object',
        required: ['Type'],
        properties: { Type: { type: 'string', minLength: 1 } },
        if: { properties: { Type: { const: RESOURCE_TYPE } }, required: ['Type'] },
        // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then, not a promise
        then: {
          properties: { Properties: { $ref: '#/definitions/MeshServiceProperties' } },
          required: ['Properties'],
        },
      },
      MeshServiceProperties: { title: `${RESOURCE_TYPE} properties`, ...top },
      ...defs,
    },
  });
}

export const renderJsonSchema = (): string => `${JSON.stringify(jsonSchema(), null, 2)}\n`;
export const renderTemplateSchema = (): string => `${JSON.stringify(templateSchema(), null, 2)}\n`;
