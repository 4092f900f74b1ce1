/**
 * `npm run demo` is the main job offline: it must keep working on every backend (it runs the built bundle, so
 * `npm test` builds first), and every `npm run demo` command of the README must be one of those played here.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
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

/** The key lines of each demo, in the order they must appear. */
const PLAYS: Record<string, readonly RegExp[]> = {
  '': [
    /platform +mesh ecs-mesh, virtual gateway ecsworkshop-vgw/,
    /▶ Create Crystal \(ecsdemo-crystal\)/,
    /task definition +ecsdemo-frontend:1 → ecsdemo-frontend:2 \(patched\)/,
    /\+ container envoy: .*aws-appmesh-envoy:v\d/,
    /route weights +ecsdemo-frontend 90 \/ ecsdemo-frontend-v2 10/,
    /route weights +ecsdemo-frontend 50 \/ ecsdemo-frontend-v2 50/,
    /Emulator after delete: 0 App Mesh resources, 0 ACTIVE task definitions/,
  ],
  '--backend service-connect': [
    /on ECS Service Connect \(Backend: ServiceConnect\)/,
    /platform +Cloud Map namespace service\.local \(DNS_PRIVATE\) and an ALB with its HTTP 3000 listener \(the ingress that replaces the virtual gateway\) — seeded in the emulator; no mesh/,
    /task definition +ecsdemo-crystal:1 → ecsdemo-crystal:2 \(patched\)/,
    /~ container crystal: portMappings 3000 named http-3000, appProtocol http/,
    /▶ Create Frontend \(ecsdemo-frontend\) .*CreateTargetGroup, RegisterTaskDefinition, CreateRule/,
    /^ {4}ALB listener rule, priority \d+ on mesh-ingress\//m,
    /^ {6}when +path is \/\*/m,
    /^ {6}send to target group \S+ \(ip targets, HTTP HTTP1 port 3000/m,
    /ECS service LoadBalancers: TargetGroupArn arn:aws:elasticloadbalancing:/,
    /▶ Update Frontend: canary 90\/10/,
    /rollout +CANARY 10% to v2, bake 10 min \(ServiceConnect\.Rollout → DeploymentConfiguration/,
    /ECS service runs +ecsdemo-frontend-v2:\d+ \(v2, prepared/,
    /▶ ECS service FrontendService updated: a CANARY deployment shifts 10%/,
    /rollout +CANARY 20% to v2/,
    /▶ Delete Frontend .*DeleteRule, DeleteTargetGroup/,
    /Emulator after delete: 0 ACTIVE task definitions/,
  ],
  '--backend vpc-lattice': [
    /on Amazon VPC Lattice \(Backend: VpcLattice\)/,
    /platform +VPC Lattice service network ecs-workshop \(sn-[0-9a-f]{17}\) — seeded through the VPC Lattice API; no mesh/,
    /▶ Create Crystal \(ecsdemo-crystal\) .*CreateService, CreateTargetGroup/,
    /CustomDomainName +ecsdemo-crystal\.service\.local/,
    /listener +http-3000 HTTP:3000, default: forward ecsdemo-crystal 100/,
    /~ container crystal: portMappings 3000 named http-3000/,
    /▶ ECS service CrystalService created, VpcLatticeConfigurations: port http-3000 → target group tg-/,
    // v1 keeps the target group the frontend's ECS service is registered in (TargetGroupName): none is deleted.
    /▶ Update Frontend: canary 90\/10 .*mutating: (?![^\n]*DeleteTargetGroup)[^\n]*CreateTargetGroup/,
    /TargetGroupArn \(v1\) +arn:aws:vpc-lattice:[^ ]+:targetgroup\/tg-/,
    /TargetGroupArn \(v2\) +arn:aws:vpc-lattice:[^ ]+:targetgroup\/tg-/,
    /forward ecsdemo-frontend 90, ecsdemo-frontend-v2 10/,
    /▶ ECS service FrontendService updated: its revision; port http-3000 stays in target group tg-\S+ \(v1's\)/,
    /▶ ECS service FrontendServiceV2 created, VpcLatticeConfigurations: port http-3000/,
    // A weight change only updates the weights: nothing created or deleted.
    /▶ Update Frontend: canary 50\/50 .*mutating: (?![^\n]*(Create|Delete))[^\n]*Update(Rule|Listener)/,
    /forward ecsdemo-frontend 50, ecsdemo-frontend-v2 50/,
    /▶ Delete Crystal .*DeleteService, DeleteTargetGroup/,
    /Emulator after delete: 0 VPC Lattice resources, 0 ACTIVE task definitions/,
  ],
};

test.each(Object.keys(PLAYS))(
  'GIVEN the built bundle WHEN `npm run demo -- %s` plays the workshop THEN it creates, canaries and deletes, and leaves the emulator empty',
  (args) => {
    const r = demo(...args.split(' ').filter(Boolean));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    let from = 0;
    for (const line of PLAYS[args]!) {
      const at = r.stdout.slice(from).search(line);
      expect([line, at >= 0 ? 'found' : 'missing']).toEqual([line, 'found']);
      from += at;
    }
  },
  150_000,
);

test('GIVEN the README THEN every `npm run demo` command it shows is one played above, and the quick start leads with Service Connect', () => {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const commands = [...readme.matchAll(/npm run demo(?: -- ([^`\n]*))?/g)].map((m) => (m[1] ?? '').trim());
  expect(commands.length).toBeGreaterThan(0);
  for (const args of commands) {
    if (args === '--help') expect(demo(args).status).toBe(0);
    else expect(Object.keys(PLAYS)).toContain(args);
  }
  const quickStart = readme.slice(
    readme.indexOf('## Quick start'),
    readme.indexOf('\n## ', readme.indexOf('## Quick start') + 1),
  );
  const order = ['--backend service-connect', '--backend vpc-lattice', 'App Mesh'].map((s) =>
    quickStart.indexOf(s),
  );
  expect(order.every((at) => at >= 0)).toBe(true);
  expect([...order].sort((a, b) => a - b)).toEqual(order);
});
