/** The JSON Schema of Custom::MeshService properties, generated from the property contract. */
import { type Fields, type JsonSchema, type StructType, structsOf } from '../../lambda/contract/dsl';
import { MeshServiceProperties } from '../../lambda/contract/properties';

export const SCHEMA_ID = 'https://github.com/mesh-service-provider/schema/mesh-service.schema.json';

/** Intrinsic functions may stand for any value in a template. */
const INTRINSIC: JsonSchema = {
  description: 'A CloudFormation intrinsic function (Ref, Fn::GetAtt, Fn::ImportValue, Fn::Sub, ...).',
  type: 'object',
  minProperties: 1,
  maxProperties: 1,
  patternProperties: { '^(Ref|Condition|Fn::[A-Za-z0-9]+)$': {} },
  additionalProperties: false,
};

export function jsonSchema(): JsonSchema {
  const root = MeshServiceProperties as unknown as StructType<Fields>;
  const defs: Record<string, JsonSchema> = {};
  for (const s of structsOf(root)) if (s !== root) defs[s.name] = s.definition();
  defs.Intrinsic = INTRINSIC;
  const top = root.definition();
  const properties = top.properties as Record<string, JsonSchema>;
  properties.ServiceToken = {
    description: 'ARN of the provider (the export MeshServiceProvider-ServiceToken).',
    anyOf: [{ type: 'string', minLength: 1 }, { $ref: '#/$defs/Intrinsic' }],
  };
  properties.ServiceTimeout = {
    description: 'Seconds CloudFormation waits for the provider (1-3600).',
    anyOf: [
      { type: 'integer', minimum: 1, maximum: 3600 },
      { type: 'string', pattern: '^[0-9]+$' },
      { $ref: '#/$defs/Intrinsic' },
    ],
  };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: SCHEMA_ID,
    title: 'Custom::MeshService properties',
    ...top,
    required: ['ServiceToken', ...((top.required as string[] | undefined) ?? [])],
    $defs: defs,
  };
}

export const renderJsonSchema = (): string => `${JSON.stringify(jsonSchema(), null, 2)}\n`;
