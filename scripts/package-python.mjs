#!/usr/bin/env node
// `npm run package:python`: the Python package of the construct library, for CDK users in Python.
//  1. jsii-pacmak generates the Python source package from the jsii assembly (.jsii; `npm run jsii` makes it), with
//     the npm tarball inside (jsii-pacmak packs it: `npm pack` runs prepack, i.e. the build and jsii).
//  2. The wheel is built with the Python setuptools and wheel installed on the machine (--no-build-isolation):
//     jsii-pacmak's own build step installs setuptools, build and twine from PyPI, which these machines cannot reach.
//  3. The generated module is checked for the construct's Python signature: MeshService(scope, id, *, mesh_name=...,
//     port=..., ecs_task_definition=..., ...), MeshServiceProvider, the contract's enums and the static helpers.
//  4. A smoke test synthesizes MeshService(scope, id, mesh_name=..., port=...) when the Python jsii runtime and
//     aws-cdk-lib are importable; otherwise it says why it is skipped (they come from PyPI only).
// Output: dist/python/*.whl. Takes about a minute; not part of `npm test`.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
const source = path.join(root, 'dist', 'python-src');
const wheels = path.join(root, 'dist', 'python');

if (!existsSync(path.join(root, '.jsii'))) run('npm', ['run', 'jsii']);
rmSync(source, { recursive: true, force: true });
run('npx', ['jsii-pacmak', '--target', 'python', '--code-only', '--outdir', source]);

// A Python with setuptools and wheel: Debian's (python3-setuptools, python3-wheel), or any on PATH that has them.
const python = ['/usr/bin/python3', 'python3'].find(
  (p) => spawnSync(p, ['-c', 'import setuptools, wheel'], { stdio: 'ignore' }).status === 0,
);
if (!python) {
  console.error(
    'package:python: no python3 with setuptools and wheel (apt-get install python3-setuptools python3-wheel)',
  );
  process.exit(1);
}
rmSync(wheels, { recursive: true, force: true });
mkdirSync(wheels, { recursive: true });
run(python, [
  '-m',
  'pip',
  'wheel',
  '--no-deps',
  '--no-build-isolation',
  '--no-index',
  '-w',
  wheels,
  path.join(source, 'python'),
]);
const wheel = readdirSync(wheels).find((f) => f.endsWith('.whl'));
if (!wheel) throw new Error('no wheel was built');

// The construct's signature in the generated module.
const module = readFileSync(
  path.join(source, 'python', 'src', 'mesh_service_provider', '__init__.py'),
  'utf8',
);
const meshService =
  /class MeshService\(\s*_constructs_\w+\.Construct,[\s\S]*?def __init__\(\s*self,\s*scope: "_constructs_\w+\.Construct",\s*id: builtins\.str,\s*\*,([\s\S]*?)\) -> None:/.exec(
    module,
  );
const problems = [];
if (!meshService)
  problems.push('class MeshService(Construct) with __init__(self, scope, id, *, ...) not found');
else {
  for (const kwarg of [
    // Optional: the mesh may be given as an appmesh.IMesh (mesh=...) instead.
    'mesh_name: typing.Optional[builtins.str] = None',
    'port: jsii.Number',
    'service_name: builtins.str',
    'service_token: typing.Optional[builtins.str] = None',
    'provider: typing.Optional["MeshServiceProvider"] = None',
    'ecs_task_definition: typing.Optional["_aws_cdk_aws_ecs_',
    'protocol: typing.Optional["Protocol"] = None',
  ]) {
    if (!meshService[1].includes(kwarg))
      problems.push(`MeshService.__init__ has no keyword argument ${kwarg}`);
  }
}
if (!/class MeshServiceProvider\(\s*_constructs_\w+\.Construct,/.test(module))
  problems.push('class MeshServiceProvider(Construct) not found');
if (!/def run_patched_revision\(/.test(module)) problems.push('MeshService.run_patched_revision not found');
// The contract's choices are Python enums and the helpers static methods (HealthCheck.http(path=..., interval=...)).
for (const [what, pattern] of [
  ['enum Protocol', /class Protocol\(enum\.Enum\):/],
  ['enum Backend', /class Backend\(enum\.Enum\):/],
  ['HealthCheck.http', /class HealthCheck\([\s\S]*?def http\(/],
  ['Route.weighted', /class Route\([\s\S]*?def weighted\(/],
]) {
  if (!pattern.test(module)) problems.push(`${what} not found`);
}
if (problems.length) {
  console.error(
    `package:python: the generated module is not what Python users need:\n  ${problems.join('\n  ')}`,
  );
  process.exit(1);
}
console.log(
  `package:python: dist/python/${wheel}; MeshService(scope, id, *, mesh_name=..., port=..., ...) and MeshServiceProvider are in the module`,
);

// The smoke test, where the Python side of jsii is installed.
const smoke = `
import aws_cdk as cdk
from mesh_service_provider import MeshService
app = cdk.App()
stack = cdk.Stack(app, "Smoke")
MeshService(stack, "Svc", mesh_name="ecs-mesh", service_name="svc", namespace="service.local", port=3000)
template = app.synth().get_stack_by_name("Smoke").template
assert any(r["Type"] == "Custom::MeshService" for r in template["Resources"].values())
print("python smoke test: synthesized MeshService")
`;
const canImport =
  spawnSync(python, ['-c', 'import jsii, aws_cdk, constructs'], { stdio: 'ignore' }).status === 0;
if (!canImport) {
  console.log(
    'package:python: smoke test skipped: the Python jsii runtime and aws-cdk-lib are not installed (they come from PyPI, which these machines cannot reach)',
  );
} else {
  const venv = path.join(wheels, 'smoke');
  writeFileSync(path.join(wheels, 'smoke.py'), smoke);
  run(python, ['-m', 'venv', '--system-site-packages', venv]);
  run(path.join(venv, 'bin', 'python'), [
    '-m',
    'pip',
    'install',
    '--no-deps',
    '--no-index',
    path.join(wheels, wheel),
  ]);
  run(path.join(venv, 'bin', 'python'), [path.join(wheels, 'smoke.py')]);
}
