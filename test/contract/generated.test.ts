import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { generatedFiles } from '../../cli/generate';
import { parseTemplate } from '../../cli/template';
import { MeshServiceProperties } from '../../lambda/backends';
import { parseWith, Unresolved } from '../../lambda/contract/dsl';

const unresolveRefs = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(unresolveRefs);
  if (v && typeof v === 'object') {
    if ('Ref' in v || 'Fn::ImportValue' in v) return new Unresolved(JSON.stringify(v));
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unresolveRefs(x)]));
  }
  return v;
};

describe('GIVEN the files generated from the property contract', () => {
  test.each(Object.entries(generatedFiles()))(
    'WHEN %s is compared with the checked-in copy THEN it is current (run `npm run generate`)',
    (file, content) => {
      expect(readFileSync(path.join(__dirname, '..', '..', file), 'utf8')).toBe(content);
    },
  );

  test('WHEN the reference doc shows examples THEN each passes the provider validation', () => {
    const doc = generatedFiles()['docs/mesh-service.md']!;
    const blocks = [...doc.matchAll(/```yaml\n([A-Za-z]+:\n {2}Type: Custom::MeshService[\s\S]*?)```/g)].map(
      (m) => m[1]!,
    );
    expect(blocks.length).toBe(3);
    for (const block of blocks) {
      const resources = parseTemplate(block) as unknown as Record<
        string,
        { Properties: Record<string, unknown> }
      >;
      for (const r of Object.values(resources)) {
        expect(parseWith(MeshServiceProperties, unresolveRefs(r.Properties))).toEqual(
          expect.objectContaining({ ok: true }),
        );
      }
    }
  });

  test('WHEN the JSON Schema is read THEN it describes every top-level property and refuses unknown ones', () => {
    const schema = JSON.parse(generatedFiles()['schema/mesh-service.schema.json']!);
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['ServiceToken', 'MeshName', 'Port', 'Versions', 'Envoy', 'Tags']),
    );
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(['ServiceToken', 'MeshName', 'ServiceName', 'Port']);
    expect(Object.keys(schema.$defs)).toEqual(
      expect.arrayContaining(['Route', 'Version', 'Envoy', 'Intrinsic']),
    );
  });
});

describe('GIVEN the JSON Schema used by an editor or linter', () => {
  const validate = new Ajv2020({ allErrors: true, strict: false }).compile(
    JSON.parse(generatedFiles()['schema/mesh-service.schema.json']!),
  );
  const dir = path.join(__dirname, '..', 'fixtures', 'properties');

  test.each(readdirSync(dir))('WHEN fixture %s is checked THEN it is valid', (file) => {
    expect(validate(JSON.parse(readFileSync(path.join(dir, file), 'utf8')))).toBe(true);
  });

  test.each([
    ['a number written as a number', { Port: 3000 }, true],
    [
      'an intrinsic function',
      { Port: { Ref: 'PortParam' }, TaskDefinition: { 'Fn::GetAtt': ['T', 'Arn'] } },
      true,
    ],
    ['a port out of range', { Port: 70000 }, false],
    ['a port that is not a number', { Port: 'abc' }, false],
    ['an unknown property', { Colour: 'blue' }, false],
    ['an upper-case protocol', { Protocol: 'HTTP' }, false],
  ])('WHEN properties hold %s THEN the schema agrees with the provider', (_what, change, valid) => {
    const props = {
      ServiceToken: 'arn',
      MeshName: 'ecs-mesh',
      ServiceName: 'svc',
      Namespace: 'service.local',
      Port: '3000',
      ...change,
    };
    expect(validate(props)).toBe(valid);
  });
});
