import { awscdk, javascript } from 'projen';
import { configureHandlerBundles } from './projenrc/handler-bundles';
import { configureLambdaAssets } from './projenrc/lambda-assets';
import { configureLocalGateway } from './projenrc/local-gateway';
import { configureTesting } from './projenrc/testing';

/** The aws-cdk-lib version we develop and test against (the peer floor is `cdkVersion`). */
const CDK_DEV_VERSION = '2.276.0';

/**
 * The lowest Node.js this project supports, for the published library and CLI (`engines`) and for
 * its development toolchain (`devEngines`): the dev dependencies need 22.12 (eventsource,
 * eventsource-parser, openai, ai) or 22.17 (@sparticuz/chromium). `.ci/run` runs on exactly this
 * version. Lambda functions run on Lambda's nodejs22.x or nodejs24.x (StreamingFunction's default).
 */
const NODE_MIN_VERSION = '22.17.0';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-streaming-rest-api',
  description:
    'AWS CDK constructs for Amazon API Gateway REST API response streaming: safe defaults, synth-time validation, ' +
    'a streaming Lambda handler runtime and a local streaming gateway.',
  author: 'cdk-streaming-rest-api maintainers',
  authorAddress: 'maintainers@cdk-streaming-rest-api.dev',
  repositoryUrl: 'https://github.com/cdk-streaming-rest-api/cdk-streaming-rest-api.git',
  homepage: 'https://github.com/cdk-streaming-rest-api/cdk-streaming-rest-api',
  keywords: [
    'awscdk',
    'cdk',
    'aws-cdk',
    'apigateway',
    'api-gateway',
    'rest-api',
    'response-streaming',
    'streaming',
    'server-sent-events',
    'sse',
    'lambda',
    'bedrock',
  ],
  license: 'Apache-2.0',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  jsiiVersion: '~6.0.0',
  // Node.js versions: the library, its CLI and the toolchain (see NODE_TOOLCHAIN below).
  minNodeVersion: NODE_MIN_VERSION,

  // aws-cdk-lib 2.230.0 is the first release with apigateway.ResponseTransferMode.
  cdkVersion: '2.230.0',
  constructsVersion: '10.5.1',
  peerDependencyOptions: { pinnedDevDependency: false },
  devDeps: [
    `aws-cdk-lib@${CDK_DEV_VERSION}`,
    'constructs@^10.5.1',
    'aws-cdk@^2.1148.1',
    'esbuild@^0.28.2',
    'fast-check@^4.10.2',
    '@types/aws-lambda@^8.10.150',
    'playwright-core@^1.64.1',
    // A headless Chromium shipped inside the npm tarball (x86_64 Linux), for the browser tests on
    // machines without a system Chromium: test/support/chromium.ts.
    '@sparticuz/chromium@153.0.0',
    // Jest's printer: the testing helpers' serializer is tested through it.
    'pretty-format@^30',
    // What `cdk init app --language=typescript` gives a new app for its tests (test/consumer).
    '@swc/core@^1.15.0',
    '@swc/jest@^0.2.39',
    'cdk-nag@^3.0.2',
    '@aws-cdk/integ-tests-alpha@2.245.0-alpha.0',
    '@aws-cdk/integ-runner@^2.197.10',
    '@aws-cdk/aws-service-spec@^0.1.216',
    '@aws-cdk/service-spec-types@^0.0.282',
    '@aws-sdk/client-bedrock-runtime@^3',
    '@smithy/eventstream-codec@^4.5.2',
    'eventsource-parser@^4.1.3',
    'eventsource@^5.1.5',
    // The Velocity engine of the local gateway's mapping templates (MOCK integrations, CORS), bundled into it.
    'velocityjs@^2.1.7',
    // JSON Schema draft 4 (API Gateway's request models) for the local gateway's request validation, bundled into it.
    '@cfworker/json-schema@^4.1.6',
    // The AWS SDK's SigV4 signer: the local gateway verifies IAM methods' signatures with it, bundled into it.
    '@smithy/signature-v4@^5.7.5',
    // Clients that sign IAM requests in the tests: the AWS SDK's way, and an independent signer.
    '@smithy/hash-node@^4.5.2',
    'aws4@^1.13.2',
    '@types/aws4@^1.11.6',
    'openai@^7.57.0',
    'ai@^7.0.173',
    // The AI SDK's MCP client (createMCPClient): the agent tests against the example MCP server.
    '@ai-sdk/mcp@^2.0.99',
    'tsx@^4.23.15',
    // MCP: the official SDKs (v2 server/client, v1) and Hono, for the fetchHandler/mcpHandler tests;
    // users' handlers bring their own (never a dependency of this package). jose verifies bearer JWTs
    // (v5: it still ships CommonJS, which jest and CommonJS handlers require).
    '@modelcontextprotocol/sdk@1.32.2',
    '@modelcontextprotocol/server@2.4.0',
    '@modelcontextprotocol/client@2.4.0',
    'hono@^4',
    'jose@^5',
    'zod@^4',
  ],

  jestOptions: {
    // CI runs jest with --ci: snapshots are compared, never written.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      snapshotSerializers: ['<rootDir>/test/support/asset-hash-serializer.ts'],
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testTimeout: 60_000,
      // Jest's default is one worker less than the cores: on the 2-core machine, one worker, which
      // Jest then runs in band, every suite after the other. Most of the slow suites wait (on
      // timers, child processes, sockets, a synth), not compute: as many workers as cores.
      maxWorkers: '100%',
      collectCoverage: false,
      // Passing suites print nothing: aws-cdk-lib's unconditional `Bundling asset …` line is dropped.
      setupFiles: ['<rootDir>/test/support/quiet-cdk-bundling.ts'],
      // …and a test that writes to console.error or console.warn fails (expected ones are asserted).
      setupFilesAfterEnv: ['<rootDir>/test/support/unexpected-console.ts'],
    },
  },
  eslintOptions: {
    dirs: ['src', 'local-gateway', 'wire'],
    // lambda-assets are bundled by esbuild: their imports are build-time (dev) dependencies.
    devdirs: ['lambda-assets', 'test', 'bench', 'examples', 'scripts', 'projenrc', '.projenrc.ts'],
  },
  gitignore: ['cdk.out', '*.out.json', '/lambda-assets/**/*.js', '/local-gateway/**/*.js', '/wire/**/*.js', '.bench/'],

  // jsii targets: Construct Hub shows the library in every language.
  publishToPypi: { distName: 'cdk-streaming-rest-api', module: 'cdk_streaming_rest_api' },
  publishToMaven: {
    javaPackage: 'io.github.cdkstreamingrestapi',
    mavenGroupId: 'io.github.cdk-streaming-rest-api',
    mavenArtifactId: 'cdk-streaming-rest-api',
  },
  publishToNuget: { dotNetNamespace: 'CdkStreamingRestApi', packageId: 'CdkStreamingRestApi' },
  publishToGo: { moduleName: 'github.com/cdk-streaming-rest-api/cdk-streaming-rest-api-go' },

  githubOptions: { mergify: false },
  depsUpgrade: false,
  pullRequestTemplate: false,
});

for (const pattern of ['/examples/', '/bench/', '/scripts/', '/.ci/', 'cdk.out', '/lambda-assets/', '/local-gateway/', '/wire/', '/rosetta/', 'tsconfig.*.json']) {
  project.addPackageIgnore(pattern);
}

// The demo: README command 1 (`npm ci && npm run demo`).
const demo = project.addTask('demo', {
  description: 'Synthesize the example app, stream it through the local gateway, compare STREAM with BUFFERED',
});

// ts-jest runs with isolatedModules (no type errors): type-check every TypeScript file first.
const typecheck = project.addTask('typecheck', {
  description: 'Type-check src, tests, lambda assets, local gateway, benchmarks, examples and scripts',
  exec: 'tsc -p tsconfig.typecheck.json',
});
project.testTask.prependSpawn(typecheck);

// README examples must compile (jsii-rosetta, with the fixture in rosetta/): Construct Hub
// translates them to every jsii language.
const rosetta = project.addTask('rosetta:extract', {
  description: 'Compile the README and doc-comment examples with jsii-rosetta',
  exec: 'jsii-rosetta extract --fail',
});
project.postCompileTask.spawn(rosetta);
project.gitignore.exclude('.jsii.tabl.json', '/.jsii.tabl.json');

configureLambdaAssets(project);
configureLocalGateway(project);
configureHandlerBundles(project);
configureTesting(project);
// On a fresh clone (`npm ci && npm run demo`) nothing is built yet: the example app deploys the
// Bedrock chat's bundled handler.
demo.spawn(project.tasks.tryFind('bundle:handlers')!);
demo.exec('ts-node --transpile-only --project scripts/tsconfig.json scripts/demo.ts');

// `build` packages the npm tarball only; `package-all` (Python, Java, .NET, Go) needs those
// toolchains and their registries, which a release pipeline has and this project's CI does not.
project.packageTask.reset();
project.packageTask.spawn(project.tasks.tryFind('package:js')!);
// On a fresh clone nothing is built: packing fails with a message that says how to build, instead
// of producing a tarball without lib/ (npm pack) or jsii-pacmak's "Expected to find .jsii file".
project.package.setScript('prepack', 'node scripts/check-package.js');
project.tasks.tryFind('package:js')!.prependExec('node scripts/check-package.js');
// `npm test` on a fresh clone (README command 2): the tests that read the package (.jsii, the
// packed tarball) find it built.
project.testTask.prependExec('node scripts/check-package.js --build');
// What this machine can build of the other languages: all bindings, the Python wheel.
project.addTask('package:languages', {
  description: 'Generate the Python, Java, .NET and Go bindings and build the Python wheel with local tools',
  exec: 'bash scripts/package-languages.sh',
});

// The toolchain's Node.js: npm checks it on `npm ci`/`npm run` and warns once on an older Node
// (it does not refuse: the machine's Node may be older, `.ci/run` brings its own).
// npm 11 runs no dependency install scripts unless allowed, and lists the skipped ones after every
// install. None is needed: esbuild's binary comes from its platform package
// (@esbuild/linux-x64), @parcel/watcher's and @swc/core's from their prebuilt ones (their scripts are
// fallbacks that build or download one).
project.package.file.addOverride('allowScripts', { 'esbuild': false, '@parcel/watcher': false, '@swc/core': false });
project.package.file.addOverride('devEngines.runtime', { name: 'node', version: `>=${NODE_MIN_VERSION}`, onFail: 'warn' });

project.synth();
