/** Everything generated from the property contract, by path. `npm run generate` writes it; a test compares. */
import { renderJsonSchema, renderTemplateSchema } from './json-schema';
import { renderReferenceDoc } from './reference-doc';
import { renderPropsModule } from './typescript';

export function generatedFiles(): Record<string, string> {
  return {
    'docs/mesh-service.md': renderReferenceDoc(),
    'schema/mesh-service.schema.json': renderJsonSchema(),
    'schema/mesh-service-template.schema.json': renderTemplateSchema(),
    'infra/mesh-service-props.generated.ts': renderPropsModule(),
  };
}
