// An esbuild plugin for the Lambda bundle: parts of the AWS SDK that the handler's five clients (App Mesh, ECS,
// CloudFormation, Cloud Map, Resource Groups Tagging) bundle but never run. Compiling the bundle is most of its load time (V8 parses all of
// it), so what never runs should not be in it.
//
// - `@smithy/core/event-streams`: loaded by the protocols only for operations with an event stream, and none of the
//   operations of these five services has one. The stub throws if that ever changes (the bundle test runs every
//   operation the handler calls against the emulator).
// - `@smithy/core`'s JavaScript SHA-256 (Sha256Js): Sha256Node falls back to it only without native crypto, which
//   Node.js always has. The stub throws if that ever changes.
// - each client's package.json: the client reads only its version (for the user agent); the bundle carries the
//   name and version, not the whole manifest.
// - the error classes of errors no operation the provider calls can return. Each client registers a class for every
//   error of its whole service (CloudFormation: 29, of which the two reads the provider makes declare none). The
//   committed API models (emulator/models/, the ones the emulator serves) list each operation's errors; the plugin
//   keeps the classes of the errors those operations declare and drops the other registrations, so their classes and
//   schemas fall out of the bundle. An error without a class still arrives as the client's service exception with the
//   error's name, message and fault, which is all the handler reads (aws/call.ts). The build fails if the bundle
//   calls an operation the model lacks, or if a client's registrations no longer look as this plugin expects.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sdkErrors from './sdk-errors.cjs';

const { CLIENT_MODELS, declaredErrors, pruneErrorRegistrations } = sdkErrors;

const ROOT = path.resolve(import.meta.dirname, '..');
const STUB = path.join(ROOT, 'lambda', 'aws', 'no-event-streams.ts');
const SHA256_JS_STUB = path.join(ROOT, 'lambda', 'aws', 'no-sha256-js.ts');

const models = new Map();
async function modelOf(client) {
  if (!models.has(client)) {
    const file = path.join(ROOT, 'emulator', 'models', CLIENT_MODELS[client]);
    models.set(client, JSON.parse(await readFile(file, 'utf8')));
  }
  return models.get(client);
}

const clientOf = (file) => /[\\/]@aws-sdk[\\/](client-[a-z0-9-]+)[\\/]/.exec(file)?.[1];

export const trimSdk = {
  name: 'trim-sdk',
  setup(build) {
    build.initialOptions.metafile = true;
    build.onResolve({ filter: /^@smithy\/core\/event-streams$/ }, () => ({ path: STUB }));
    build.onResolve({ filter: /^\.\/Sha256Js$/ }, (args) =>
      /[\\/]@smithy[\\/]core[\\/].*[\\/]sha256[\\/]Sha256Node\.js$/.test(args.importer)
        ? { path: SHA256_JS_STUB }
        : undefined,
    );
    build.onLoad({ filter: /[\\/]@aws-sdk[\\/]client-[a-z0-9-]+[\\/]package\.json$/ }, async (args) => {
      const { name, version } = JSON.parse(await readFile(args.path, 'utf8'));
      return { contents: JSON.stringify({ name, version }), loader: 'json' };
    });
    build.onLoad(
      { filter: /[\\/]@aws-sdk[\\/]client-[a-z0-9-]+[\\/]dist-es[\\/]schemas[\\/]schemas_0\.js$/ },
      async (args) => {
        const client = clientOf(args.path);
        if (!client || !(client in CLIENT_MODELS)) return undefined;
        const declared = declaredErrors(await modelOf(client));
        const { contents } = pruneErrorRegistrations(await readFile(args.path, 'utf8'), declared, args.path);
        return { contents, loader: 'js', resolveDir: path.dirname(args.path) };
      },
    );
    // Every command in the bundle is an operation of the model whose errors were kept.
    build.onEnd(async (result) => {
      if (!result.metafile) return undefined;
      const errors = [];
      for (const output of Object.values(result.metafile.outputs)) {
        for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
          const command = /[\\/]commands[\\/](\w+)Command\.js$/.exec(input)?.[1];
          const client = clientOf(input);
          if (!command || !client || bytesInOutput === 0) continue;
          if (!(client in CLIENT_MODELS)) {
            errors.push({ text: `trim-sdk: the bundle uses ${client}, which has no model in CLIENT_MODELS` });
          } else if (!(command in (await modelOf(client)).operations)) {
            errors.push({
              text: `trim-sdk: the bundle calls ${client} ${command}, which emulator/models/${CLIENT_MODELS[client]} lacks (its errors would be dropped)`,
            });
          }
        }
      }
      return { errors };
    });
  },
};
