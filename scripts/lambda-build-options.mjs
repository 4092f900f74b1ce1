// How the handler is bundled (scripts/bundle-lambda.mjs), shared with the benchmark's floor bundle so that both are
// built the same way.
import { stripContractDocs } from './strip-contract-docs.mjs';
import { trimSdk } from './trim-sdk.mjs';

export const LAMBDA_NODE_TARGET = 'node24';

/**
 * The files of dist/lambda: the handler's router (lambda/router.ts, the Lambda entry index.js), the handler of each
 * backend's requests, which the router requires on that backend's first request (lambda/paths/: each the whole
 * handler with one backend's runtime and SDK client, so that a request loads one backend and one copy of the SDK
 * core), and the reclaimer (lambda/reclaim.ts: the provider stack's second function, on CloudFormation's stack status
 * events, with every backend's runtime).
 */
export const LAMBDA_ENTRY_POINTS = {
  index: 'lambda/router.ts',
  'app-mesh': 'lambda/paths/app-mesh.ts',
  'service-connect': 'lambda/paths/service-connect.ts',
  'vpc-lattice': 'lambda/paths/vpc-lattice.ts',
  reclaim: 'lambda/reclaim.ts',
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
  plugins: [stripContractDocs, trimSdk],
};
