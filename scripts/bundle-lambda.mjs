#!/usr/bin/env node
// Bundles the handler into dist/lambda/index.js (the router) with one file per backend beside it (app-mesh.js,
// service-connect.js, vpc-lattice.js: what a request of that backend loads), and the reclaimer into
// dist/lambda/reclaim.js (scripts/lambda-build-options.mjs): minified CommonJS files with a source map and the AWS SDK
// clients inside, so the deployed code runs exactly the SDK versions the tests ran. The SDK's ES-module builds
// (mainFields module first) are smaller and load faster than its CommonJS builds; nearly every invocation of a
// custom-resource Lambda is a cold start.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';
import { LAMBDA_BUILD_OPTIONS, LAMBDA_ENTRY_POINTS, LAMBDA_NODE_TARGET } from './lambda-build-options.mjs';

rmSync('dist/lambda', { recursive: true, force: true });
const result = await build({
  ...LAMBDA_BUILD_OPTIONS,
  entryPoints: LAMBDA_ENTRY_POINTS,
  outdir: 'dist/lambda',
  sourcemap: true,
  sourcesContent: false,
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
});
for (const name of Object.keys(LAMBDA_ENTRY_POINTS)) {
  const out = result.metafile.outputs[`dist/lambda/${name}.js`];
  console.log(`dist/lambda/${name}.js ${(out.bytes / 1024).toFixed(1)} KiB (target ${LAMBDA_NODE_TARGET})`);
}
