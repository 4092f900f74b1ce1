// An esbuild plugin for the Lambda bundle: two parts of the AWS SDK that the handler's four clients (App Mesh, ECS,
// CloudFormation, Cloud Map) bundle but never run. Compiling the bundle is most of its load time (V8 parses all of
// it), so what never runs should not be in it.
//
// - `@smithy/core/event-streams`: loaded by the protocols only for operations with an event stream, and none of the
//   operations of these four services has one. The stub throws if that ever changes (the bundle test runs every
//   operation the handler calls against the emulator).
// - each client's package.json: the client reads only its version (for the user agent); the bundle carries the
//   name and version, not the whole manifest.
import { readFile } from 'node:fs/promises';
import path from 'node:path';

const STUB = path.resolve(import.meta.dirname, '..', 'lambda', 'aws', 'no-event-streams.ts');

export const trimSdk = {
  name: 'trim-sdk',
  setup(build) {
    build.onResolve({ filter: /^@smithy\/core\/event-streams$/ }, () => ({ path: STUB }));
    build.onLoad({ filter: /[\\/]@aws-sdk[\\/]client-[a-z0-9-]+[\\/]package\.json$/ }, async (args) => {
      const { name, version } = JSON.parse(await readFile(args.path, 'utf8'));
      return { contents: JSON.stringify({ name, version }), loader: 'json' };
    });
  },
};
