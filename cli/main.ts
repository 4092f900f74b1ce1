/**
 * `mesh-service` — tooling for template authors and platform teams.
 *   mesh-service validate [--format text|json|sarif] <template> [<template> ...]
 *     Validates every Custom::MeshService offline with the provider's own rules; exits 1 on any finding.
 *   mesh-service cleanup (--mesh <mesh> | --account <account>) [--mesh-owner <account> --account <account>]
 *                        [--stack <stack>] [--family <family> ...] [--apply]
 *     Lists (and with --apply removes) what Custom::MeshService resources left that no stack owns any more, with the
 *     reclaimer's judgement and every backend's own removal (lambda/reclaimer.ts).
 *   mesh-service migrate [--to service-connect|vpc-lattice] <template>
 *     Prints the ECS Service Connect (default) or VPC Lattice version of an App Mesh template, headed by what could
 *     not carry over.
 * Every command has --help and refuses what it does not understand with exit 2 (cli/args.ts).
 */
import { readFileSync } from 'node:fs';
import { sep } from 'node:path';
import type { Backend } from '../lambda/backends';
import { backendChoices, type CommandSpec, parseCommand, USAGE_EXIT, UsageError } from './args';
import { migrateTemplate } from './migrate';
import { migrateToVpcLattice } from './migrate-lattice';
import { formatFindings, RULES, type ValidationReport, validateTemplate } from './validate';

/** The backends `migrate --to` converts an App Mesh template to. */
const MIGRATION_TARGETS: readonly Backend[] = ['ServiceConnect', 'VpcLattice'];

const USAGE = `usage: mesh-service validate [--format text|json|sarif] <template.yaml|json> [...]
       mesh-service cleanup (--mesh <mesh> | --account <account>) [--stack <name|id>] [--family <family> ...]
                            [--apply] [--mesh-owner <account> --account <account>]
       mesh-service migrate [--to ${MIGRATION_TARGETS.join('|')}] <template.yaml|json>
       mesh-service <command> --help

validate  Checks every ${'Custom::MeshService'} in the templates with the provider's own validation (the messages
          CloudFormation would show), and that every Ref and Fn::GetAtt names something that exists. Exits 0 when
          clean, 1 on findings, 2 on usage errors or when a file cannot be read (every file is checked).
cleanup   Lists what ${'Custom::MeshService'} resources left that no stack owns any more (of one mesh with --mesh, of
          every backend of the account without it) — owned by a stack that no longer exists, or by an earlier attempt
          of a resource that now holds another physical id — with their task-definition revisions. Dry run by
          default; --apply removes them as the reclaimer does (the revisions deregistered, then each backend's own
          Delete: App Mesh children first, a Gateway's ALB rule and target group, the Lattice service). Stacks in progress or in a failed state (*_FAILED: they may still roll back)
          and stacks of other accounts are never touched. Uses the standard AWS SDK configuration (credentials,
          AWS_REGION). Exits 0 when done, 1 when something could not be removed, 2 on usage errors.
migrate   Prints the ECS Service Connect version of a template written for App Mesh (docs/migration.md): every
          ${'Custom::MeshService'} switched to Backend ServiceConnect, the ECS services' ServiceConnectConfiguration
          wired from its return values, DependsOn from clients to servers, and, as comments at the top, what could
          not carry over and why. With --to vpc-lattice, the Amazon VPC Lattice version instead: Backend VpcLattice,
          the weights kept, each version's ECS service joining its target group (VpcLatticeConfigurations). Offline.
          Exits 0, 2 on usage or read errors.`;

const COMMANDS = ['validate', 'migrate', 'cleanup'] as const;

/** The SDK clients `cleanup` loads: every backend's removal runs (the package's optional peer dependencies). */
const CLEANUP_SDK_CLIENTS = [
  '@aws-sdk/client-app-mesh',
  '@aws-sdk/client-ecs',
  '@aws-sdk/client-cloudformation',
  '@aws-sdk/client-resource-groups-tagging-api',
  '@aws-sdk/client-servicediscovery',
  '@aws-sdk/client-elastic-load-balancing-v2',
  '@aws-sdk/client-vpc-lattice',
];

const VALIDATE: CommandSpec = {
  name: 'mesh-service validate',
  flags: {
    format: {
      type: 'string',
      short: 'f',
      default: 'text',
      choices: { text: 'text', json: 'json', sarif: 'sarif' },
    },
  },
  positionals: { name: 'template', min: 1 },
  usage: `usage: mesh-service validate [--format text|json|sarif] <template.yaml|json> [...]

Checks every ${'Custom::MeshService'} of each template offline, with the provider's own rules and messages, and every
Ref and Fn::GetAtt of the template. Every file is checked, even after one that cannot be read.

  --format text   one line per finding: file:line:column: rule logical-id: path: message (did you mean ...?)
                  on stderr, and a line per valid file on stdout (default)
  --format json   {"version": 1, "files": [{"file", "services", "findings": [{"rule", "severity", "logicalId",
                  "path", "message", "hint", "line", "column"}]}]} on stdout
  --format sarif  SARIF 2.1.0 on stdout (code scanning in CI)
  -h, --help      this text

Rules:
${Object.entries(RULES)
  .map(([id, text]) => `  ${id}  ${text}`)
  .join('\n')}

Exit status: 0 no finding, 1 findings, 2 usage error or a file that cannot be read.`,
};

const MIGRATE: CommandSpec = {
  name: 'mesh-service migrate',
  flags: {
    to: {
      type: 'string',
      value: '<backend>',
      default: 'service-connect',
      choices: backendChoices(MIGRATION_TARGETS),
    },
  },
  positionals: { name: 'template', min: 1, max: 1 },
  usage: `usage: mesh-service migrate [--to <backend>] <template.yaml|json>

Prints the version of a template written for App Mesh on another backend (docs/migration.md), headed, as YAML
comments, by what could not carry over and why. Offline.

  --to <backend>  ${Object.keys(backendChoices(MIGRATION_TARGETS)).join(', ')} (default service-connect): every
                  ${'Custom::MeshService'} switched to Backend ServiceConnect, the ECS services'
                  ServiceConnectConfiguration wired from its return values, DependsOn from clients to servers;
                  or to Backend VpcLattice, the weights kept, each version's ECS service joining its target
                  group (VpcLatticeConfigurations)
  -h, --help      this text

Exit status: 0 done, 2 usage error or a file that cannot be read.`,
};

const CLEANUP: CommandSpec = {
  name: 'mesh-service cleanup',
  flags: {
    mesh: { type: 'string', value: '<mesh>' },
    'mesh-owner': { type: 'string', value: '<account>' },
    account: { type: 'string', value: '<account>' },
    stack: { type: 'string', value: '<name|id>' },
    family: { type: 'string', value: '<family>', multiple: true },
    apply: { type: 'boolean' },
  },
  usage: `usage: mesh-service cleanup (--mesh <mesh> | --account <account>) [--stack <name|id>] [--family <family> ...]
                            [--apply] [--mesh-owner <account> --account <account>]

Lists what ${'Custom::MeshService'} resources left that no stack owns any more — owned by a stack that no longer
exists, or by an earlier attempt of a resource that now holds another physical id — with their task-definition
revisions: of every backend (App Mesh, Service Connect, VPC Lattice), or with --mesh the App Mesh services of that
mesh. The reclaimer's judgement and removal (lambda/reclaimer.ts). Stacks in progress or in a failed state (*_FAILED: they may still roll back) and stacks
of other accounts are never touched. Uses the standard AWS SDK configuration (credentials, AWS_REGION).

  --mesh <mesh>           only the App Mesh services of this mesh (default: every backend's services)
  --mesh-owner <account>  the account that owns a shared mesh; then --account is required
  --account <account>     your account (the mesh's, by default; required without --mesh)
  --stack <name|id>       only what this stack's resources left
  --family <family>       also the revisions of these task-definition families (repeatable)
  --apply                 remove them (deregister the revisions, then each backend's own Delete: App Mesh children
                          first, a Gateway's ALB rule and target group, the Lattice service and its target
                          groups); a dry run without it
  -h, --help              this text

Exit status: 0 done, 1 something could not be removed, 2 usage error.`,
};

type Print = (line: string) => void;

/** Parses a command's arguments, printing its help or its usage error; a number is the exit status. */
function parsed(spec: CommandSpec, args: readonly string[], out: Print, err: Print) {
  try {
    const p = parseCommand(spec, args);
    if (!p.help) return p;
    out(spec.usage);
    return 0;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err(`${e.message}\n\n${spec.usage}`);
    return USAGE_EXIT;
  }
}

export async function main(
  argv: readonly string[],
  out: Print = console.log,
  err: Print = console.error,
): Promise<number> {
  const [command, ...args] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    out(USAGE);
    return 0;
  }
  if (command === 'cleanup') return runCleanup(args, out, err);
  if (command === 'validate') return runValidate(args, out, err);
  if (command === 'migrate') return runMigrate(args, out, err);
  err(
    `${command === undefined ? 'mesh-service: a command is needed' : `mesh-service: unknown command "${command}"`}; the commands are ${COMMANDS.join(', ')}\n\n${USAGE}`,
  );
  return USAGE_EXIT;
}

function runMigrate(args: readonly string[], out: Print, err: Print): number {
  const p = parsed(MIGRATE, args, out, err);
  if (typeof p === 'number') return p;
  const [file] = p.positionals as [string];
  const migrate = p.values.to === 'VpcLattice' ? migrateToVpcLattice : migrateTemplate;
  try {
    out(migrate(readFileSync(file, 'utf8')).text.replace(/\n$/, ''));
    return 0;
  } catch (e) {
    err(`${file}: ${(e as Error).message}`);
    return USAGE_EXIT;
  }
}

type Format = 'text' | 'json' | 'sarif';

interface FileResult extends ValidationReport {
  readonly file: string;
  /** The file could not be read at all (its finding says why). */
  readonly unreadable: boolean;
}

async function runValidate(args: readonly string[], out: Print, err: Print): Promise<number> {
  const p = parsed(VALIDATE, args, out, err);
  if (typeof p === 'number') return p;
  const format = p.values.format as Format;
  const files = p.positionals;
  const results = files.map((file): FileResult => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      const reason = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
      return {
        file,
        unreadable: true,
        services: [],
        findings: [
          {
            rule: 'E9000',
            severity: 'error',
            logicalId: '(template)',
            path: '',
            message: `cannot read the file (${reason})`,
          },
        ],
      };
    }
    return { file, unreadable: false, ...validateTemplate(text) };
  });

  if (format === 'json') out(JSON.stringify(toJson(results), null, 2));
  else if (format === 'sarif') out(JSON.stringify(toSarif(results), null, 2));
  else {
    for (const r of results) {
      if (r.findings.length) for (const line of formatFindings(r.file, r)) err(line);
      else {
        out(
          `${r.file}: ${r.services.length} Custom::MeshService resource(s) valid${r.services.length ? `: ${r.services.join(', ')}` : ''}`,
        );
      }
    }
  }
  if (results.some((r) => r.unreadable)) return 2;
  return results.some((r) => r.findings.length > 0) ? 1 : 0;
}

/** The JSON output (`version` changes only when a field changes meaning or goes away). */
function toJson(results: readonly FileResult[]) {
  return {
    version: 1,
    files: results.map((r) => ({ file: r.file, services: r.services, findings: r.findings })),
  };
}

/** SARIF 2.1.0, as code-scanning services read it: one run, the rules, a result per finding. */
function toSarif(results: readonly FileResult[]) {
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'mesh-service validate',
            informationUri: 'https://github.com/mesh-service-provider/mesh-service-provider',
            rules: Object.entries(RULES).map(([id, text]) => ({ id, shortDescription: { text } })),
          },
        },
        results: results.flatMap((r) =>
          r.findings.map((f) => ({
            ruleId: f.rule,
            level: f.severity === 'error' ? 'error' : 'warning',
            message: {
              text: `${f.logicalId}${f.path ? `: ${f.path}` : ''}: ${f.message}${f.hint ? ` (${f.hint})` : ''}`,
            },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: r.file.split(sep).join('/') },
                  ...(f.line === undefined
                    ? {}
                    : { region: { startLine: f.line, startColumn: f.column ?? 1 } }),
                },
              },
            ],
          })),
        ),
      },
    ],
  };
}

async function runCleanup(args: readonly string[], out: Print, err: Print): Promise<number> {
  const p = parsed(CLEANUP, args, out, err);
  if (typeof p === 'number') return p;
  const values = p.values as {
    mesh?: string;
    'mesh-owner'?: string;
    account?: string;
    stack?: string;
    family?: string[];
    apply?: boolean;
  };
  const missing =
    values['mesh-owner'] && !values.account
      ? '--mesh-owner (a shared mesh) needs --account (your account)'
      : values['mesh-owner'] && !values.mesh
        ? '--mesh-owner needs --mesh (the shared mesh)'
        : !values.mesh && !values.account
          ? 'without --mesh, --account <account> (your account) is required'
          : undefined;
  if (missing) {
    err(`${CLEANUP.name}: ${missing}\n\n${CLEANUP.usage}`);
    return USAGE_EXIT;
  }
  // Loaded only here: validate and migrate need no AWS SDK (the package lists the SDK clients cleanup uses as optional
  // peer dependencies).
  let sdk: {
    appMeshModule: typeof import('@aws-sdk/client-app-mesh');
    cleanupModule: typeof import('./cleanup');
  };
  try {
    sdk = {
      appMeshModule: require('@aws-sdk/client-app-mesh'),
      cleanupModule: require('./cleanup'),
    };
  } catch (e) {
    err(
      `cleanup needs the AWS SDK clients: npm install ${CLEANUP_SDK_CLIENTS.join(' ')} (${(e as Error).message.split('\n')[0]})`,
    );
    return 2;
  }
  const { AppMeshClient, DescribeMeshCommand } = sdk.appMeshModule;
  const { cleanup, createCleanupClients, formatCleanup } = sdk.cleanupModule;
  const clients = createCleanupClients();
  try {
    // The caller's own account: stacks of other accounts cannot be read, so their resources are never judged.
    const accountId =
      values.account ?? (await meshAccount(new AppMeshClient({}), DescribeMeshCommand, values.mesh!));
    const report = await cleanup(clients, {
      ...(values.mesh ? { meshName: values.mesh } : {}),
      ...(values['mesh-owner'] ? { meshOwner: values['mesh-owner'] } : {}),
      ...(values.stack ? { stack: values.stack } : {}),
      families: values.family ?? [],
      apply: values.apply === true,
      accountId,
    });
    const scope = values.mesh ? 'in this mesh' : 'in this account';
    for (const line of formatCleanup(report, values.apply === true, scope)) out(line);
    return report.problems.length ? 1 : 0;
  } catch (e) {
    err(`cleanup failed: ${(e as Error).message}`);
    return 1;
  } finally {
    clients.destroy();
  }
}

/** The account of a mesh of the caller's (its ARN's). */
async function meshAccount(
  appMesh: import('@aws-sdk/client-app-mesh').AppMeshClient,
  DescribeMesh: typeof import('@aws-sdk/client-app-mesh').DescribeMeshCommand,
  meshName: string,
): Promise<string> {
  try {
    return (await appMesh.send(new DescribeMesh({ meshName }))).mesh?.metadata?.arn?.split(':')[4] ?? '';
  } finally {
    appMesh.destroy();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
