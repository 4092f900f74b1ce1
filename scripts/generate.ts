// Writes the reference docs, the JSON Schema and the construct's props from the property contract.
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { generatedFiles } from '../cli/generate';

for (const [file, content] of Object.entries(generatedFiles())) {
  writeFileSync(path.join(__dirname, '..', file), content);
  console.log(`wrote ${file} (${content.length} bytes)`);
}
