/**
 * `mesh-service` — tooling for template authors and platform teams.
 *   mesh-service validate <template> [<template> ...]
 *     Validates every Custom::MeshService offline with the provider's own rules; exits 1 on any finding.
 *   mesh-service cleanup --mesh <mesh> [--mesh-owner <account> --account <account>] [--stack <stack>]
 *                        [--family <family> ...] [--apply]
 *     Lists (and with --apply removes) what Custom::MeshService resources left that no stack owns any more.
 *   mesh-service migrate <template>
 *     Prints the ECS Service Connect version of an App Mesh template, headed by what could not carry over.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { AppMeshClient, DescribeMeshCommand } from '@aws-sdk/client-app-mesh';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { ECSClient } from '@aws-sdk/client-ecs';
import { createStackApi } from '../lambda/stack-verifier';
import { cleanup, formatCleanup } from './cleanup';
import { migrateTemplate } from './migrate';
import { formatFindings, validateTemplate } from './validate';

const USAGE = `usage: mesh-service validate <template.yaml|json> [...]
       mesh-service cleanup --mesh <mesh> [--stack <name|id>] [--family <family> ...] [--apply]
                            [--mesh-owner <account> --account <account>]
       mesh-service migrate <template.yaml|json>

validate  Checks every ${'Custom::MeshService'} in the templates with the provider's own validation (the messages
          CloudFormation would show), and that every Ref and Fn::GetAtt names something that exists. Exits 0 when
          clean, 1 on findings, 2 on usage or read errors.
cleanup   Lists what ${'Custom::MeshService'} resources left in a mesh that no stack owns any more — owned by a stack that
          no longer exists, or by an earlier attempt of a resource that now holds another physical id — with their
          task-definition revisions. Dry run by default; --apply removes them (App Mesh children first, then
          deregisters the revisions). Stacks in progress and stacks of other accounts are never touched. Uses the
          standard AWS SDK configuration (credentials, AWS_REGION). Exits 0 when done, 1 when something could not
          be removed, 2 on usage errors.
migrate   Prints the ECS Service Connect version of a template written for App Mesh (docs/migration.md): every
          ${'Custom::MeshService'} switched to Backend ServiceConnect, the ECS services' ServiceConnectConfiguration
          wired from its return values, DependsOn from clients to servers, and, as comments at the top, what could
          not carry over and why. Offline. Exits 0, 2 on usage or read errors.`;

export async function main(argv: readonly string[], out = console.log, err = console.error): Promise<number> {
  const [command, ...files] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    out(USAGE);
    return 0;
  }
  if (command === 'cleanup') return runCleanup(files, out, err);
  if (command === 'migrate') {
    if (files.length !== 1) {
      err(USAGE);
      return 2;
    }
    try {
      out(migrateTemplate(readFileSync(files[0]!, 'utf8')).text.replace(/\n$/, ''));
      return 0;
    } catch (e) {
      err(`${files[0]}: ${(e as Error).message}`);
      return 2;
    }
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

async function runCleanup(
  args: readonly string[],
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  let values: {
    mesh?: string;
    'mesh-owner'?: string;
    account?: string;
    stack?: string;
    family?: string[];
    apply?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        mesh: { type: 'string' },
        'mesh-owner': { type: 'string' },
        account: { type: 'string' },
        stack: { type: 'string' },
        family: { type: 'string', multiple: true },
        apply: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    err(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (!values.mesh || (values['mesh-owner'] && !values.account)) {
    err(
      `cleanup needs --mesh${values['mesh-owner'] ? ' and, for a shared mesh, --account (your account)' : ''}\n\n${USAGE}`,
    );
    return 2;
  }
  const appMesh = new AppMeshClient({});
  const ecs = new ECSClient({});
  const cloudFormation = new CloudFormationClient({});
  try {
    // The caller's own account: stacks of other accounts cannot be read, so their resources are never judged.
    const accountId =
      values.account ??
      (await appMesh.send(new DescribeMeshCommand({ meshName: values.mesh }))).mesh?.metadata?.arn?.split(
        ':',
      )[4] ??
      '';
    const report = await cleanup(
      { appMesh, ecs, stacks: createStackApi(cloudFormation) },
      {
        meshName: values.mesh,
        ...(values['mesh-owner'] ? { meshOwner: values['mesh-owner'] } : {}),
        ...(values.stack ? { stack: values.stack } : {}),
        families: values.family ?? [],
        apply: values.apply === true,
        accountId,
      },
    );
    for (const line of formatCleanup(report, values.apply === true)) out(line);
    return report.problems.length ? 1 : 0;
  } catch (e) {
    err(`cleanup failed: ${(e as Error).message}`);
    return 1;
  } finally {
    appMesh.destroy();
    ecs.destroy();
    cloudFormation.destroy();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
