// How the handler is bundled (scripts/bundle-lambda.mjs), shared with the benchmark's floor bundle so that both are
// built the same way.
import { stripContractDocs } from './strip-contract-docs.mjs';
import { trimSdk } from './trim-sdk.mjs';

export const LAMBDA_NODE_TARGET = 'node24';

/**
 * The files of dist/lambda: the handler, the reclaimer (lambda/reclaim.ts: the provider stack's second function, on
 * CloudFormation's stack status events), and the backends both load on their first request (lambda/index.ts requires
 * them), each a file of its own so that a request of another backend never loads their code or SDK client.
 */
export const LAMBDA_ENTRY_POINTS = {
  index: 'lambda/index.ts',
  reclaim: 'lambda/reclaim.ts',
  'vpc-lattice': 'lambda/vpclattice/backend.ts',
};

/** The handler's `require` of a lazily loaded backend resolves to its file beside it, not into the bundle. */
const lazyBackends = {
  name: 'lazy-backends',
  setup(build) {
    build.onResolve({ filter: /^\.\/vpclattice\/backend$/ }, (args) =>
      /[\\/]lambda[\\/]index\.ts$/.test(args.importer)
        ? { path: './vpc-lattice.js', external: true }
        : undefined,
    );
  },
};

export const LAMBDA_BUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: LAMBDA_NODE_TARGET,
  // The SDK's ES-module builds are smaller and load faster than its CommonJS builds.
  mainFields: ['module', 'main'],
  minify: true,
  // Lambda provides credentials in the environment only (lambda/aws/lambda-credentials.ts says why).
  alias: { '@aws-sdk/credential-provider-node': './lambda/aws/lambda-credentials.ts' },
  // The property contract's documentation text is for the generators, not the Lambda (strip-contract-docs.mjs); the
  // SDK's event streams and client manifests are never run there (trim-sdk.mjs).
  plugins: [lazyBackends, stripContractDocs, trimSdk],
};
