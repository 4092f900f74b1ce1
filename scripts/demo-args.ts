/**
 * The command line of `npm run demo` (scripts/demo.ts), read when this module loads: --help and usage errors end the
 * process here. scripts/demo.ts imports it first, so that a bad argument is answered before the emulator and the AWS
 * SDK are loaded (half the CPU of such a run).
 */
import {
  backendChoices,
  type CommandSpec,
  cliSpelling,
  parseCommand,
  USAGE_EXIT,
  UsageError,
} from '../cli/args';
import { BACKENDS, type Backend } from '../lambda/backends';

/** What each backend's demo plays; the compiler wants one for every registered backend. */
export const SCENARIOS: Record<Backend, { readonly template: string; readonly about: string }> = {
  AppMesh: {
    template: 'workshop.yaml',
    about: 'a mesh and a virtual gateway; the canary is route weights, 90/10 then 50/50',
  },
  ServiceConnect: {
    template: 'workshop-service-connect.yaml',
    about: 'a Cloud Map namespace, no mesh; the canary is an ECS rollout (CANARY 10%, then 20%)',
  },
  VpcLattice: {
    // examples/workshop.yaml with every Custom::MeshService switched to VpcLattice (toVpcLattice below).
    template: 'workshop.yaml',
    about: 'a service network, no mesh; the canary is standing weights in Lattice, 90/10 then 50/50',
  },
};

const DEMO: CommandSpec = {
  name: 'npm run demo --',
  flags: {
    backend: { type: 'string', value: '<backend>', default: BACKENDS[0].name, choices: backendChoices() },
  },
  usage: `usage: npm run demo -- [--backend <backend>]

Plays the ECS workshop (crystal, nodejs, frontend) offline against the local emulator, as CloudFormation would:
Create, the frontend's canary, Delete, through the real Lambda bundle. Exits 0 only if the emulator is left empty.

  --backend <backend>  what realises the services (default ${cliSpelling(BACKENDS[0].name)}):
${BACKENDS.map((b) => `    ${`${cliSpelling(b.name)}, ${b.name}`.padEnd(32)} ${SCENARIOS[b.name].about}`).join('\n')}
  -h, --help           this text`,
};

/** The backend the command line names; --help and usage errors end the process here, before anything starts. */
function backendOfArgs(args: readonly string[]): Backend {
  try {
    const parsed = parseCommand(DEMO, args);
    if (!parsed.help) return parsed.values.backend as Backend;
    process.stdout.write(`${DEMO.usage}\n`);
    process.exit(0);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`${e.message}\n\n${DEMO.usage}\n`);
    process.exit(USAGE_EXIT);
  }
}

export const BACKEND = backendOfArgs(process.argv.slice(2));
