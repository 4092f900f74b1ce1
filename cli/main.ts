/**
 * `mesh-service` — tooling for template authors.
 *   mesh-service validate <template> [<template> ...]
 * Validates every Custom::MeshService offline with the provider's own rules; exits 1 on any finding.
 */
import { readFileSync } from 'node:fs';
import { formatFindings, validateTemplate } from './validate';

const USAGE = `usage: mesh-service validate <template.yaml|json> [...]

Checks every ${'Custom::MeshService'} in the templates with the provider's own validation (the messages CloudFormation
would show), and that every Ref and Fn::GetAtt names something that exists. Exits 0 when clean, 1 on findings,
2 on usage or read errors.`;

export function main(argv: readonly string[], out = console.log, err = console.error): number {
  const [command, ...files] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    out(USAGE);
    return 0;
  }
  if (command !== 'validate' || files.length === 0) {
    err(USAGE);
    return 2;
  }
  let failed = false;
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      err(`${file}: cannot read: ${(e as Error).message}`);
      return 2;
    }
    const report = validateTemplate(text);
    const lines = formatFindings(file, report);
    if (lines.length) {
      failed = true;
      for (const line of lines) err(line);
    } else {
      out(
        `${file}: ${report.services.length} Custom::MeshService resource(s) valid${report.services.length ? `: ${report.services.join(', ')}` : ''}`,
      );
    }
  }
  return failed ? 1 : 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
