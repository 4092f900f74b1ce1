/**
 * Every command refuses what it does not understand: `mesh-service validate|migrate|cleanup` (bin/mesh-service.js,
 * built: `node scripts/check-and-build.mjs`) and `npm run demo` (scripts/demo.ts) have --help (exit 0), and exit 2
 * with a message naming the flag and what it accepts for an unknown flag or value. Backends are accepted in the
 * template's spelling and the command line's, as the registry lists them.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { BACKENDS } from '../../lambda/backends';
import { HOST_NODE } from '../support/host-node';

const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'mesh-service.js');
const WORKSHOP = path.join(ROOT, 'examples', 'workshop.yaml');
const cli = (...args: string[]) => spawnSync(HOST_NODE, [BIN, ...args], { encoding: 'utf8' });
const demo = (...args: string[]) =>
  spawnSync(
    process.execPath,
    [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'scripts/demo.ts', ...args],
    {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
/** The two spellings of every registered backend: `ServiceConnect`, `service-connect`. */
const SPELLINGS = BACKENDS.flatMap((b) => [b.name, b.name.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()]);

describe('GIVEN `npm run demo`', () => {
  test('WHEN --backend names no backend THEN it exits 2 naming the flag and every accepted spelling, and runs nothing', () => {
    const r = demo('--backend', 'foo');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^npm run demo --: --backend does not accept "foo"; it accepts /);
    for (const spelling of SPELLINGS) expect(r.stderr).toContain(spelling);
  });

  test.each([
    ['an unknown flag', ['--colour'], /unknown flag --colour; it accepts --backend <backend>, --help/],
    ['--backend without a value', ['--backend'], /--backend needs a value: app-mesh, AppMesh/],
    ['an argument', ['service-connect'], /unexpected argument "service-connect"/],
  ])('WHEN given %s THEN it exits 2 and says what it accepts', (_what, args, message) => {
    const r = demo(...args);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
  });

  test('WHEN asked for --help THEN it prints its usage with every backend and exits 0, running nothing', () => {
    const r = demo('--help');
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^usage: npm run demo -- \[--backend <backend>\]/);
    for (const spelling of SPELLINGS) expect(r.stdout).toContain(spelling);
    expect(r.stdout).not.toMatch(/offline demo of the ECS workshop/);
  });

  test("WHEN --backend is given in the template's spelling (ServiceConnect) THEN it plays the Service Connect demo", () => {
    const r = demo('--backend=ServiceConnect');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/on ECS Service Connect \(Backend: ServiceConnect\)/);
    expect(r.stdout).not.toMatch(/mesh ecs-mesh/);
  }, 150_000);
});

describe('GIVEN the mesh-service command (built)', () => {
  test.each(['validate', 'migrate', 'cleanup'])(
    'WHEN `%s --help` THEN it prints its own usage and exits 0',
    (command) => {
      const r = cli(command, '--help');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^usage: mesh-service ${command} `));
    },
  );

  test.each([
    [
      'validate',
      ['--colour', WORKSHOP],
      /^mesh-service validate: unknown flag --colour; it accepts --format <value>, --help/,
    ],
    [
      'validate',
      ['--format', 'xml', WORKSHOP],
      /^mesh-service validate: --format does not accept "xml"; it accepts text, json or sarif/,
    ],
    ['validate', ['--format'], /^mesh-service validate: --format needs a value: text, json or sarif/],
    ['validate', [], /^mesh-service validate: expected a template, got none/],
    [
      'migrate',
      ['--colour', WORKSHOP],
      /^mesh-service migrate: unknown flag --colour; it accepts --to <backend>/,
    ],
    [
      'migrate',
      ['--to', 'app-mesh', WORKSHOP],
      /^mesh-service migrate: --to does not accept "app-mesh"; it accepts service-connect, ServiceConnect, vpc-lattice or VpcLattice/,
    ],
    ['migrate', [WORKSHOP, WORKSHOP], /^mesh-service migrate: expected one template, got 2/],
    [
      'cleanup',
      ['--mesh', 'm', '--force'],
      /^mesh-service cleanup: unknown flag --force; it accepts --mesh <mesh>/,
    ],
    ['cleanup', ['--mesh'], /^mesh-service cleanup: --mesh needs a value \(<mesh>\)/],
    ['cleanup', ['--apply=yes', '--mesh', 'm'], /^mesh-service cleanup: --apply takes no value, got "yes"/],
    ['cleanup', ['ecs-mesh'], /^mesh-service cleanup: unexpected argument "ecs-mesh"/],
    [
      'cleanup',
      [],
      /^mesh-service cleanup: without --mesh, --account <account> \(your account\) is required/,
    ],
    [
      'frobnicate',
      [],
      /^mesh-service: unknown command "frobnicate"; the commands are validate, migrate, cleanup/,
    ],
  ])(
    'WHEN `%s %j` THEN it exits 2 with a message naming the flag and what it accepts',
    (command, args, message) => {
      const r = cli(command, ...args);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
    },
  );

  test.each([['service-connect'], ['ServiceConnect']])(
    'WHEN `migrate --to %s` THEN it prints the Service Connect template, as without --to',
    (to) => {
      const r = cli('migrate', '--to', to, WORKSHOP);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(cli('migrate', WORKSHOP).stdout);
      expect(r.stdout).toMatch(/Backend: ServiceConnect/);
    },
  );
});
