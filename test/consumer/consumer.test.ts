import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { restProxyEvent } from '../support/events';
import { installAwsLambda, invoke, parseStreamedResponse, uninstallAwsLambda } from '../../local-gateway/lambda/emulator';

// The library as a user gets it: `npm pack`, installed into a fresh project, used through its
// documented import paths. The project's dev dependencies (aws-cdk-lib, constructs, TypeScript,
// esbuild, the aws-cdk CLI) are linked in, so nothing is downloaded.

const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'node_modules', '.bin');
function run(cmd: string, args: string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: 'true' } });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

let project: string;

beforeAll(() => {
  // The package needs the compiled library, runtime and handler bundles (CI builds them first).
  if (!['index.js', 'runtime/lambda-assets/runtime/index.js', 'local-gateway/cli.js'].every((f) => fs.existsSync(path.join(ROOT, 'lib', f)))) {
    run(path.join(BIN, 'projen'), ['compile'], ROOT);
  }
  project = fs.mkdtempSync(path.join(os.tmpdir(), 'consumer-'));
  const packOut = run('npm', ['pack', '--silent', '--pack-destination', project], ROOT).trim().split('\n').pop()!;
  const modules = path.join(project, 'node_modules');
  fs.mkdirSync(modules);
  run('tar', ['-xzf', path.join(project, packOut), '-C', modules], project);
  fs.renameSync(path.join(modules, 'package'), path.join(modules, 'cdk-streaming-rest-api'));
  for (const dep of ['aws-cdk-lib', 'constructs', 'typescript', 'esbuild', '@types/node', 'aws-cdk']) {
    fs.mkdirSync(path.dirname(path.join(modules, dep)), { recursive: true });
    fs.symlinkSync(path.join(ROOT, 'node_modules', dep), path.join(modules, dep), 'dir');
  }
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, version: '1.0.0' }));
  fs.writeFileSync(path.join(project, 'package-lock.json'), JSON.stringify({ name: 'consumer', lockfileVersion: 3, requires: true, packages: {} }));
  fs.writeFileSync(path.join(project, 'handler.ts'), [
    "import { sse, streamingHandler } from 'cdk-streaming-rest-api/runtime';",
    'export const handler = streamingHandler(async (_event, response) => {',
    '  const events = sse(response, { heartbeatMs: 0 });',
    "  await events.data({ text: 'hello from the package' });",
    '});',
  ].join('\n'));
  fs.writeFileSync(path.join(project, 'app.ts'), [
    "import * as path from 'path';",
    "import { App, Stack } from 'aws-cdk-lib';",
    "import { BedrockChatModel, StreamingBedrockChat, StreamingFunction, StreamingRestApi } from 'cdk-streaming-rest-api';",
    'const app = new App();',
    "const stack = new Stack(app, 'Consumer');",
    "const api = new StreamingRestApi(stack, 'Api');",
    "api.addStreamingLambda('/hello', new StreamingFunction(stack, 'Hello', { entry: path.join(__dirname, 'handler.ts') }), { httpMethod: 'GET' });",
    "new StreamingBedrockChat(stack, 'Chat', { api, model: BedrockChatModel.foundationModel('amazon.nova-lite-v1:0') });",
    'app.synth();',
  ].join('\n'));
  const tsconfig = (module: string, moduleResolution: string) => JSON.stringify({
    compilerOptions: { module, moduleResolution, target: 'ES2022', strict: true, noEmit: true, skipLibCheck: false, types: ['node'], lib: ['es2022', 'dom'] },
    files: ['handler.ts', 'app.ts'],
  });
  fs.writeFileSync(path.join(project, 'tsconfig.node16.json'), tsconfig('node16', 'node16'));
  fs.writeFileSync(path.join(project, 'tsconfig.bundler.json'), tsconfig('esnext', 'bundler'));
}, 180_000);

afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

test.each([['node16'], ['bundler']])('the runtime and constructs type-check with moduleResolution %s', (mode) => {
  expect(() => run(path.join(BIN, 'tsc'), ['-p', `tsconfig.${mode}.json`], project)).not.toThrow();
});

test('esbuild inlines the runtime into a small handler bundle that streams', async () => {
  // WHEN
  run(path.join(BIN, 'esbuild'), ['handler.ts', '--bundle', '--platform=node', '--format=cjs', '--minify', '--outfile=out/handler.js'], project);
  // THEN
  const bundle = fs.readFileSync(path.join(project, 'out', 'handler.js'), 'utf8');
  expect(bundle).not.toContain('cdk-streaming-rest-api/runtime');
  expect(bundle.length).toBeLessThan(16 * 1024);
  installAwsLambda();
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { handler } = require(path.join(project, 'out', 'handler.js'));
    const { metadata, body } = parseStreamedResponse((await invoke(handler, restProxyEvent())).body);
    expect(metadata.headers!['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(body.toString()).toBe('data: {"text":"hello from the package"}\n\n');
  } finally {
    uninstallAwsLambda();
  }
});

test('a CDK app using the installed package synthesizes with the aws-cdk CLI', () => {
  // GIVEN
  run(path.join(BIN, 'tsc'), ['--module', 'node16', '--target', 'ES2022', '--skipLibCheck', '--types', 'node', '--outDir', 'dist', 'app.ts'], project);
  fs.copyFileSync(path.join(project, 'handler.ts'), path.join(project, 'dist', 'handler.ts'));
  // WHEN
  run(path.join(BIN, 'cdk'), ['synth', '--quiet', '--no-notices', '--app', 'node dist/app.js', '--output', 'cdk.out'], project);
  // THEN
  const template = JSON.parse(fs.readFileSync(path.join(project, 'cdk.out', 'Consumer.template.json'), 'utf8'));
  const methods = Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::ApiGateway::Method');
  expect(methods).toHaveLength(3); // GET /hello, POST and GET /chat
  for (const method of methods) {
    expect(method.Properties.Integration.ResponseTransferMode).toBe('STREAM');
    expect(JSON.stringify(method.Properties.Integration.Uri)).toContain('/response-streaming-invocations');
  }
  // The Bedrock chat handler bundle shipped in the package became an asset.
  const assets = fs.readdirSync(path.join(project, 'cdk.out')).filter((f) => f.startsWith('asset.'));
  const chatAsset = assets.find((a) => fs.existsSync(path.join(project, 'cdk.out', a, 'index.js'))
    && fs.readFileSync(path.join(project, 'cdk.out', a, 'index.js'), 'utf8').includes('converse-stream'));
  expect(chatAsset).toBeDefined();

  // The packaged CLI reads the assembly.
  const table = run('node', [path.join('node_modules', 'cdk-streaming-rest-api', 'lib', 'local-gateway', 'cli.js'), 'routes', '--app', 'cdk.out'], project);
  expect(table).toMatch(/\/hello\s+GET\s+AWS_PROXY\s+STREAM/);
  expect(table).toMatch(/\/chat\s+POST\s+AWS_PROXY\s+STREAM\s+300 s\s+Lambda ChatHandler/);
});
