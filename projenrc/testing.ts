import { awscdk } from 'projen';

/**
 * Build wiring for `testing/`: helpers for users' own stack tests (a Jest snapshot serializer and
 * streaming-route assertions), compiled by tsc to `lib/testing/` (not jsii: Node.js only) and
 * published as the `cdk-streaming-rest-api/testing` import path, with the serializer also at
 * `cdk-streaming-rest-api/testing/snapshot-serializer` for Jest's `snapshotSerializers`.
 */
export function configureTesting(project: awscdk.AwsCdkConstructLibrary): void {
  const compile = project.addTask('compile:testing', {
    description: 'Compile the testing helpers (testing/) to lib/testing',
    exec: 'tsc -p testing/tsconfig.json',
  });
  project.compileTask.spawn(compile);
  project.addPackageIgnore('/testing/');
  project.eslint?.addLintPattern('testing');

  // Added to the `exports` and `typesVersions` that projenrc/lambda-assets.ts writes.
  project.package.file.addOverride('exports.\\./testing', { types: './lib/testing/index.d.ts', default: './lib/testing/index.js' });
  project.package.file.addOverride('exports.\\./testing/snapshot-serializer', {
    types: './lib/testing/snapshot-serializer.d.ts',
    default: './lib/testing/snapshot-serializer.js',
  });
  project.package.file.addOverride('typesVersions.*.testing', ['lib/testing/index.d.ts']);
  project.package.file.addOverride('typesVersions.*.testing/snapshot-serializer', ['lib/testing/snapshot-serializer.d.ts']);
}
