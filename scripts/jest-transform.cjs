// Jest's TypeScript transform: esbuild strips the types of one file at a time (the project's files are written for
// isolatedModules, so nothing needs the whole program), with a source map for stack traces and code frames. Type
// checking is `npm run check-build` / `npm run typecheck` (tsc). ts-jest did the same with TypeScript's
// transpileModule at many times the CPU: on two cores, a cold cache made every worker's first suites spend tens of
// seconds transpiling, long enough to stretch the timeouts of the suites running beside them.
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');
const esbuild = require('esbuild');

/** What tsconfig.json decides for emitted code (esbuild reads no tsconfig file when it transforms a string). */
const OPTIONS = {
  loader: 'ts',
  format: 'cjs',
  target: 'node20',
  platform: 'node',
  sourcemap: 'external',
  sourcesContent: false,
  tsconfigRaw: {
    compilerOptions: { target: 'ES2022', useDefineForClassFields: true, esModuleInterop: true },
  },
};

const SELF = createHash('sha256')
  .update(readFileSync(__filename))
  .update(esbuild.version)
  .update(JSON.stringify(OPTIONS))
  .digest('hex');

module.exports = {
  getCacheKey(source, filename, options) {
    return createHash('sha256')
      .update(SELF)
      .update(filename)
      .update('\0')
      .update(source)
      .update('\0')
      .update(options.configString)
      .digest('hex');
  },
  process(source, filename) {
    const { code, map } = esbuild.transformSync(source, { ...OPTIONS, sourcefile: filename });
    return { code, map };
  },
};
