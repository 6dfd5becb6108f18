import { awscdk } from 'projen';

/**
 * Build wiring for `lambda-assets/`: the handler runtime and the wire contract it imports
 * (`wire/`) are compiled to `lib/runtime/` (JS and declarations, under their source paths) and published as the `cdk-streaming-rest-api/runtime` import path.
 */
export function configureLambdaAssets(project: awscdk.AwsCdkConstructLibrary): void {
  const compileRuntime = project.addTask('compile:runtime', {
    description: 'Compile the handler runtime (lambda-assets/runtime) to lib/runtime',
    exec: 'tsc -p lambda-assets/tsconfig.runtime.json',
  });
  project.compileTask.spawn(compileRuntime);

  // `exports` gives the runtime its import path for Node, esbuild and TypeScript (node16/bundler);
  // `typesVersions` does the same for TypeScript's older node10 resolution.
  project.package.addField('exports', {
    '.': { types: './lib/index.d.ts', default: './lib/index.js' },
    './runtime': { types: './lib/runtime/lambda-assets/runtime/index.d.ts', default: './lib/runtime/lambda-assets/runtime/index.js' },
    './local-gateway': { types: './lib/local-gateway/types/local-gateway/index.d.ts', default: './lib/local-gateway/index.js' },
    './package.json': './package.json',
    './.jsii': './.jsii',
  });
  project.package.addField('typesVersions', {
    '*': { 'runtime': ['lib/runtime/lambda-assets/runtime/index.d.ts'], 'local-gateway': ['lib/local-gateway/types/local-gateway/index.d.ts'] },
  });
}
