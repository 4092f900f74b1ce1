#!/usr/bin/env node
// Entry of the `mesh-service` command; the implementation is compiled to dist/lib by `npm run build`
// (in a checkout; the published package ships dist/lib).
const path = require('node:path');

let cli;
try {
  cli = require(path.join(__dirname, '..', 'dist', 'lib', 'cli', 'main.js'));
} catch (error) {
  if (error.code !== 'MODULE_NOT_FOUND') throw error;
  console.error('mesh-service: dist/lib is missing; run `npm run build` first');
  process.exit(2);
}
Promise.resolve(cli.main(process.argv.slice(2))).then((code) => {
  process.exitCode = code;
});
