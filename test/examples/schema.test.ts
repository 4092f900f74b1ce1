/**
 * The JSON Schemas against real templates, read both ways a tool reads them:
 * - with the CloudFormation tags (`!Ref X` is `{"Ref": "X"}`): as CloudFormation, cfn-lint and `mesh-service
 *   validate` read YAML, and as JSON templates are written — checked against schema/mesh-service.schema.json;
 * - as an editor reads them (yaml-language-server with `yaml.customTags`: `!Ref X` is the string "X", `!If [...]` a
 *   list) — checked against schema/mesh-service-template.schema.json, the schema docs/validate.md wires into editors.
 * Every example, and the Service Connect version `mesh-service migrate` makes of each App Mesh example, passes both.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import { parse, type Tags } from 'yaml';
import { generatedFiles } from '../../cli/generate';
import { migrateTemplate } from '../../cli/migrate';
import { FUNCTIONS, parseTemplate, type Template } from '../../cli/template';

const dir = path.join(__dirname, '..', '..', 'examples');
const examples = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();
const text = (file: string) => readFileSync(path.join(dir, file), 'utf8');
const isAppMesh = (t: string) => !/Backend:\s*ServiceConnect/.test(t);

/** Every template to check: the examples, and the migrated version of each App Mesh example. */
const templates: [string, string][] = [
  ...examples.map((f): [string, string] => [f, text(f)]),
  ...examples
    .filter((f) => isAppMesh(text(f)))
    .map((f): [string, string] => [`${f} migrated`, migrateTemplate(text(f)).text]),
];

/** The short-form tags as yaml-language-server reads them with `yaml.customTags`: the tag's plain value. */
const EDITOR_TAGS: Tags = ['Ref', 'Condition', ...FUNCTIONS].flatMap((name) =>
  (['scalar', 'seq', 'map'] as const).map((kind) => ({
    tag: `!${name}`,
    ...(kind === 'scalar' ? {} : { collection: kind }),
    resolve: (value: unknown) =>
      value && typeof (value as { toJSON?: unknown }).toJSON === 'function'
        ? (value as { toJSON: () => unknown }).toJSON()
        : value,
  })),
) as Tags;
const asEditorReads = (t: string) => parse(t, { customTags: EDITOR_TAGS }) as Template;

const files = generatedFiles();
const propertySchema = new Ajv2020({ allErrors: true, strict: false }).compile(
  JSON.parse(files['schema/mesh-service.schema.json']!),
);
const templateSchema = new Ajv({ allErrors: true, strict: false }).compile(
  JSON.parse(files['schema/mesh-service-template.schema.json']!),
);

const meshServices = (template: Template) =>
  Object.entries(template.Resources ?? {}).filter(([, r]) => r?.Type === 'Custom::MeshService');
const errors = (validate: typeof propertySchema, value: unknown): string[] =>
  validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);

test('GIVEN the examples THEN there are App Mesh ones to migrate (so the migrated templates are checked too)', () => {
  expect(templates.length).toBeGreaterThan(examples.length);
});

describe.each(templates)('GIVEN %s', (_name, source) => {
  test('WHEN read with the CloudFormation tags THEN every Custom::MeshService passes the property schema', () => {
    const services = meshServices(parseTemplate(source));
    expect(services.length).toBeGreaterThan(0);
    for (const [id, r] of services) expect([id, errors(propertySchema, r.Properties)]).toEqual([id, []]);
  });

  test('WHEN read with the CloudFormation tags THEN the template passes the editor schema', () => {
    expect(errors(templateSchema, parseTemplate(source))).toEqual([]);
  });

  test('WHEN read as an editor reads the short-form tags THEN the template passes the editor schema', () => {
    expect(errors(templateSchema, asEditorReads(source))).toEqual([]);
  });
});

describe('GIVEN the schemas', () => {
  const service = (properties: Record<string, unknown>) => ({
    ServiceToken: 'arn:aws:lambda:us-east-1:111111111111:function:MeshServiceProvider-ServiceToken',
    MeshName: 'ecs-mesh',
    ServiceName: 'svc',
    Namespace: 'service.local',
    Port: 3000,
    ...properties,
  });
  const template = (properties: Record<string, unknown>) => ({
    Resources: { Svc: { Type: 'Custom::MeshService', Properties: service(properties) } },
  });

  test.each([
    ['Fn::If on an object', { HealthCheck: { 'Fn::If': ['C', { Path: '/' }, { Ref: 'AWS::NoValue' }] } }],
    ['Ref on an object', { Gateway: { Ref: 'AWS::NoValue' } }],
    [
      'Fn::If on a list item',
      { Tags: [{ 'Fn::If': ['C', { Key: 'a', Value: 'b' }, { Ref: 'AWS::NoValue' }] }] },
    ],
    ['Fn::Split on a list', { Backends: { 'Fn::Split': [',', { Ref: 'Backends' }] } }],
    ['Fn::GetAtt in its string form', { TaskDefinition: { 'Fn::GetAtt': 'Task.Arn' } }],
  ])('WHEN a property holds %s THEN the property schema accepts it', (_what, properties) => {
    expect(errors(propertySchema, service(properties))).toEqual([]);
  });

  test.each([
    ['an unknown function', { HealthCheck: { 'Fn::Iff': ['C', {}, {}] } }],
    ['Fn::If with two arguments', { HealthCheck: { 'Fn::If': ['C', { Path: '/' }] } }],
    ['an intrinsic with a second key', { Port: { Ref: 'P', Other: 1 } }],
    ['a string where an object belongs', { HealthCheck: '/health' }],
    ['an upper-case protocol', { Protocol: 'HTTP' }],
  ])('WHEN a property holds %s THEN the property schema refuses it', (_what, properties) => {
    expect(errors(propertySchema, service(properties))).not.toEqual([]);
  });

  test('WHEN an editor reads a misspelt or missing property THEN the editor schema still reports it', () => {
    expect(errors(templateSchema, template({ HealtCheck: { Path: '/' } }))).not.toEqual([]);
    expect(errors(templateSchema, template({ HealthCheck: { Pth: '/' } }))).not.toEqual([]);
    const { Port: _port, ...withoutPort } = service({});
    expect(
      errors(templateSchema, {
        Resources: { Svc: { Type: 'Custom::MeshService', Properties: withoutPort } },
      }),
    ).not.toEqual([]);
  });

  test('WHEN an editor reads short-form tags THEN their string or list stands for any value', () => {
    expect(
      errors(
        templateSchema,
        template({ Port: 'ContainerPort', HealthCheck: ['HasCheck', { Path: '/' }, 'AWS::NoValue'] }),
      ),
    ).toEqual([]);
  });

  test('WHEN other resource types are in the template THEN only their Type is required', () => {
    expect(
      errors(templateSchema, { Resources: { B: { Type: 'AWS::S3::Bucket', Properties: { X: 1 } } } }),
    ).toEqual([]);
    expect(errors(templateSchema, { Resources: { B: { Properties: {} } } })).not.toEqual([]);
  });
});
