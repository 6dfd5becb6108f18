import { awscdk } from 'projen';

/** Where the handler runtime's two builds put their entry point (`lib/runtime/` keeps the source paths). */
const RUNTIME_CJS = './lib/runtime/lambda-assets/runtime/index';
const RUNTIME_ESM = './lib/runtime/esm/lambda-assets/runtime/index';

/**
 * Build wiring for `lambda-assets/`: the handler runtime and the wire contract it imports
 * (`wire/`) are compiled twice, to CommonJS in `lib/runtime/` and to ES modules in
 * `lib/runtime/esm/` (JS and declarations, under their source paths), and published as the
 * `cdk-streaming-rest-api/runtime` import path: `import` gets the ES modules, which bundlers
 * tree-shake (a handler carries only the writers it uses), `require` the CommonJS build.
 */
export function configureLambdaAssets(project: awscdk.AwsCdkConstructLibrary): void {
  const compileRuntime = project.addTask('compile:runtime', {
    description: 'Compile the handler runtime (lambda-assets/runtime) to lib/runtime (CommonJS) and lib/runtime/esm (ES modules)',
    exec: 'tsc -p lambda-assets/tsconfig.runtime.json',
  });
  compileRuntime.exec('tsc -p lambda-assets/tsconfig.runtime.esm.json');
  compileRuntime.exec('node scripts/runtime-esm.js');
  project.compileTask.spawn(compileRuntime);

  // `exports` gives the runtime its import path for Node, esbuild and TypeScript (node16/bundler);
  // `typesVersions` does the same for TypeScript's older node10 resolution.
  project.package.addField('exports', {
    '.': { types: './lib/index.d.ts', default: './lib/index.js' },
    './runtime': {
      import: { types: `${RUNTIME_ESM}.d.ts`, default: `${RUNTIME_ESM}.js` },
      require: { types: `${RUNTIME_CJS}.d.ts`, default: `${RUNTIME_CJS}.js` },
    },
    // Bearer JWT verification for mcpHandler: its own entry, so only handlers that use it bundle
    // `jose` (the handler's dependency, never this package's).
    './runtime/jwt': {
      import: { types: `${RUNTIME_ESM.replace(/index$/, 'jwt')}.d.ts`, default: `${RUNTIME_ESM.replace(/index$/, 'jwt')}.js` },
      require: { types: `${RUNTIME_CJS.replace(/index$/, 'jwt')}.d.ts`, default: `${RUNTIME_CJS.replace(/index$/, 'jwt')}.js` },
    },
    './local-gateway': { types: './lib/local-gateway/types/local-gateway/index.d.ts', default: './lib/local-gateway/index.js' },
    './package.json': './package.json',
    './.jsii': './.jsii',
  });
  project.package.addField('typesVersions', {
    '*': { 'runtime': ['lib/runtime/lambda-assets/runtime/index.d.ts'], 'runtime/jwt': ['lib/runtime/lambda-assets/runtime/jwt.d.ts'], 'local-gateway': ['lib/local-gateway/types/local-gateway/index.d.ts'] },
  });
}
