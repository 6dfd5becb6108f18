import { awscdk } from 'projen';

/**
 * Build wiring for `local-gateway/`: esbuild bundles the CLI, the function worker and the API
 * into `lib/local-gateway/` (self-contained; esbuild itself stays external, loaded only to bundle
 * a handler file), tsc writes the API's declarations, and the package gets its `bin`.
 */
export function configureLocalGateway(project: awscdk.AwsCdkConstructLibrary): void {
  const common = '--bundle --platform=node --format=cjs --target=node20 --external:esbuild --log-level=warning';
  const compile = project.addTask('compile:local-gateway', {
    description: 'Bundle the local streaming gateway and its CLI into lib/local-gateway',
  });
  compile.exec(`esbuild local-gateway/cli.ts ${common} --banner:js="#!/usr/bin/env node" --outfile=lib/local-gateway/cli.js`);
  compile.exec(`esbuild local-gateway/lambda/sandbox/main.ts ${common} --outfile=lib/local-gateway/sandbox.js`);
  compile.exec(`esbuild local-gateway/index.ts ${common} --outfile=lib/local-gateway/index.js`);
  compile.exec('tsc -p local-gateway/tsconfig.build.json');
  project.compileTask.spawn(compile);
  project.addBins({ 'cdk-streaming-rest-api': 'lib/local-gateway/cli.js' });
  // The gateway's layers import downward only (no cycle, even through `import type`), and its
  // files keep to one job each.
  project.eslint?.addOverride({
    files: ['local-gateway/**/*.ts'],
    rules: {
      'import/no-cycle': ['error', { allowUnsafeDynamicCyclicDependency: false }],
      'max-lines': ['error', { max: 250 }],
    },
  });
}
