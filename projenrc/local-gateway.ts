import { awscdk } from 'projen';

/**
 * Build wiring for `local-gateway/`: esbuild bundles the CLI, the function worker and the API
 * into `lib/local-gateway/` (self-contained; esbuild itself stays external, loaded only to bundle
 * a handler file), tsc writes the API's declarations, and the package gets its `bin`.
 *
 * `@parcel/watcher` (what `serve --watch` watches sources with) is a native addon: it cannot be
 * inlined, so it stays external and is an optional dependency (jsii takes no plain runtime
 * dependency that is not bundled, and a bundled native addon would carry one platform's binary).
 */
export function configureLocalGateway(project: awscdk.AwsCdkConstructLibrary): void {
  const common = '--bundle --platform=node --format=cjs --target=node20 --external:esbuild --external:@parcel/watcher --log-level=warning';
  // (projen's OPTIONAL dependency type writes nothing to package.json)
  project.package.addField('optionalDependencies', { '@parcel/watcher': '^2.6.0' });
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
