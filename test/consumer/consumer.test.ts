import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { installAwsLambda, uninstallAwsLambda } from '../../local-gateway/lambda/sandbox/awslambda';
import { invoke, parseStreamedResponse } from '../../local-gateway/lambda/sandbox/invoke';
import { restProxyEvent } from '../support/events';

// The library as a user gets it, following only the README: `cdk init app --language=typescript`
// (today's template: tsx runs the app, @swc/jest runs the tests), `npm install
// cdk-streaming-rest-api` (here: the `npm pack` tarball) and `npm install --save-dev esbuild`,
// then the README's stack, handler and test files. The app's devDependencies are linked from this
// project's node_modules, so nothing is downloaded.

const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'node_modules', '.bin');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const ENV = { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: 'true', CI: 'true' };

function run(cmd: string, args: string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: ENV, maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

/** The README's fenced code block whose first line is `// <file>`. */
function readmeFile(file: string): string {
  const block = [...README.matchAll(/```[a-z]*[^\n]*\n([\s\S]*?)```/g)].map((m) => m[1]).find((b) => b.startsWith(`// ${file}\n`));
  if (!block) throw new Error(`README.md has no code block starting with '// ${file}'`);
  return block;
}

/** Links a package (and its bins) from this project's node_modules into the app's. */
function link(app: string, dep: string, bins: string[] = []): void {
  const target = path.join(app, 'node_modules', dep);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.symlinkSync(path.join(ROOT, 'node_modules', dep), target, 'dir');
  for (const bin of bins) fs.symlinkSync(path.join(BIN, bin), path.join(app, 'node_modules', '.bin', bin));
}

let tmp: string;
let app: string;
let tarball: string;

beforeAll(() => {
  // The package needs the compiled library, runtime, testing helpers and handler bundles (CI builds them first).
  const built = ['lib/index.js', 'lib/runtime/lambda-assets/runtime/index.js', 'lib/runtime/esm/lambda-assets/runtime/index.js', 'lib/local-gateway/cli.js', 'lib/testing/index.js', 'assets/handlers/bedrock-chat/index.js'];
  if (!built.every((f) => fs.existsSync(path.join(ROOT, f)))) {
    run(path.join(BIN, 'projen'), ['pre-compile'], ROOT);
    run(path.join(BIN, 'projen'), ['compile'], ROOT);
  }
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'consumer-'));
  tarball = path.join(tmp, run('npm', ['pack', '--silent', '--pack-destination', tmp], ROOT).trim().split('\n').pop()!);

  // npx cdk init app --language=typescript
  app = path.join(tmp, 'my-app');
  fs.mkdirSync(app);
  run(path.join(BIN, 'cdk'), ['init', 'app', '--language=typescript', '--generate-only'], app);

  // npm install (the template's devDependencies and dependencies), then the README's two installs.
  const modules = path.join(app, 'node_modules');
  fs.mkdirSync(path.join(modules, '.bin'), { recursive: true });
  link(app, 'aws-cdk-lib');
  link(app, 'constructs');
  link(app, 'aws-cdk', ['cdk']);
  link(app, 'typescript', ['tsc']);
  link(app, 'tsx', ['tsx']);
  link(app, 'jest', ['jest']);
  link(app, '@swc/core');
  link(app, '@swc/jest');
  link(app, '@types/jest');
  link(app, '@types/node');
  link(app, 'esbuild', ['esbuild']);
  run('tar', ['-xzf', tarball, '-C', modules], app);
  fs.renameSync(path.join(modules, 'package'), path.join(modules, 'cdk-streaming-rest-api'));
  // What npm install does for the package's bin.
  fs.chmodSync(path.join(modules, 'cdk-streaming-rest-api', 'lib', 'local-gateway', 'cli.js'), 0o755);
  fs.symlinkSync('../cdk-streaming-rest-api/lib/local-gateway/cli.js', path.join(modules, '.bin', 'cdk-streaming-rest-api'));
  const pkg = JSON.parse(fs.readFileSync(path.join(app, 'package.json'), 'utf8'));
  pkg.dependencies['cdk-streaming-rest-api'] = `file:${tarball}`;
  pkg.devDependencies.esbuild = '*';
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify(pkg, null, 2));
  // StreamingFunction (NodejsFunction) finds the project root by its lock file.
  fs.writeFileSync(path.join(app, 'package-lock.json'), JSON.stringify({ name: 'my-app', lockfileVersion: 3, requires: true, packages: {} }));

  // The README's files.
  for (const file of ['lib/my-app-stack.ts', 'lambda/chat.ts', 'test/my-app.test.ts']) {
    fs.mkdirSync(path.dirname(path.join(app, file)), { recursive: true });
    fs.writeFileSync(path.join(app, file), readmeFile(file));
  }
}, 300_000);

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

let synthOutput: string | undefined;
/**
 * `cdk synth` of the README's app into its cdk.out, as a user runs it: once per run (the tests that
 * read its assembly share it, whichever runs first synthesizes); returns the synth's output.
 */
function synthesized(): string {
  synthOutput ??= run(path.join(BIN, 'cdk'), ['synth', '--no-notices', '--output', 'cdk.out'], app);
  return synthOutput;
}

describe('a new CDK app that follows the README', () => {
  test('synthesizes with its cdk.json (tsc, then tsx) and bundles the handler with the local esbuild, not Docker', () => {
    // WHEN
    const out = synthesized();
    // THEN
    const cdkJson = JSON.parse(fs.readFileSync(path.join(app, 'cdk.json'), 'utf8'));
    expect(cdkJson.app).toMatch(/tsx bin\/my-app\.ts/);
    expect(out).not.toMatch(/docker/i);
    const template = JSON.parse(fs.readFileSync(path.join(app, 'cdk.out', 'MyAppStack.template.json'), 'utf8'));
    const method = Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::ApiGateway::Method');
    expect(method.Properties.Integration.ResponseTransferMode).toBe('STREAM');
    expect(JSON.stringify(method.Properties.Integration.Uri)).toContain('/response-streaming-invocations');
  }, 240_000);

  test("the README's test passes with the testing helpers, and its snapshot does not churn when the handler changes", () => {
    // WHEN: the first run writes the snapshot (as a user's first `npm test` does)
    run(path.join(BIN, 'jest'), ['--ci=false'], app);
    const snapshot = path.join(app, 'test', '__snapshots__', 'my-app.test.ts.snap');
    const written = fs.readFileSync(snapshot, 'utf8');
    expect(written).toContain('[ASSET HASH]');
    expect(written).toContain('"ResponseTransferMode": "STREAM"');
    expect(written).not.toMatch(/[a-f0-9]{64}/);
    // THEN: a changed handler bundles to a new asset hash, and the snapshot still matches (--ci: never written)
    fs.appendFileSync(path.join(app, 'lambda', 'chat.ts'), '\nexport const changed = 1;\n');
    run(path.join(BIN, 'jest'), ['--ci'], app);
    expect(fs.readFileSync(snapshot, 'utf8')).toBe(written);
  }, 240_000);

  test('the synthesized app streams through the packaged local gateway (npx cdk-streaming-rest-api serve)', async () => {
    synthesized();
    const gateway: ChildProcess = spawn(path.join(app, 'node_modules', '.bin', 'cdk-streaming-rest-api'), ['serve', '--app', 'cdk.out', '--port', '0'], {
      cwd: app, env: ENV, stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        gateway.stdout!.on('data', (chunk) => {
          out += chunk;
          const match = /Local streaming gateway on (http:\/\/\S+)/.exec(out);
          if (match) resolve(match[1]);
        });
        gateway.once('exit', (code) => reject(new Error(`the gateway exited with ${code}: ${out}`)));
      });
      // WHEN
      const body = execFileSync('curl', ['--silent', '--no-buffer', `${url}/chat?topic=streams`], { encoding: 'utf8', timeout: 30_000 });
      // THEN
      expect(body).toMatch(/^event: token\ndata: \{"text":"Hello"\}\n\n[\s\S]*event: token\ndata: \{"text":"streams"\}\n\n/);
    } finally {
      gateway.kill('SIGTERM');
    }
  }, 240_000);
});

describe('the installed package', () => {
  beforeAll(() => {
    fs.writeFileSync(path.join(app, 'handler.ts'), [
      "import { sse, streamingHandler } from 'cdk-streaming-rest-api/runtime';",
      'export const handler = streamingHandler(async (_event, response) => {',
      '  const events = sse(response, { heartbeatMs: 0 });',
      "  await events.data({ text: 'hello from the package' });",
      '});',
    ].join('\n'));
    fs.writeFileSync(path.join(app, 'empty.ts'), 'export const handler = async () => ({ statusCode: 200 });\n');
    const tsconfig = (module: string, moduleResolution: string) => JSON.stringify({
      compilerOptions: { module, moduleResolution, target: 'ES2022', strict: true, noEmit: true, skipLibCheck: false, types: ['node', 'jest'], lib: ['es2022', 'dom'] },
      files: ['handler.ts', 'lib/my-app-stack.ts', 'lambda/chat.ts', 'test/my-app.test.ts'],
    });
    fs.writeFileSync(path.join(app, 'tsconfig.node16.json'), tsconfig('node16', 'node16'));
    fs.writeFileSync(path.join(app, 'tsconfig.bundler.json'), tsconfig('esnext', 'bundler'));
  });

  test.each([['node16'], ['bundler']])('the constructs, runtime and testing helpers type-check with moduleResolution %s', (mode) => {
    expect(() => run(path.join(BIN, 'tsc'), ['-p', `tsconfig.${mode}.json`], app)).not.toThrow();
  }, 240_000);

  test('esbuild inlines the runtime into a handler bundle that streams; the runtime adds what the README says', async () => {
    // WHEN: bundled as StreamingFunction bundles (minified)
    const bundle = (entry: string) => {
      run(path.join(BIN, 'esbuild'), [entry, '--bundle', '--platform=node', '--format=cjs', '--minify', `--outfile=out/${entry.replace('.ts', '.js')}`], app);
      return fs.readFileSync(path.join(app, 'out', entry.replace('.ts', '.js')));
    };
    const withRuntime = bundle('handler.ts');
    const without = bundle('empty.ts');
    // THEN: the runtime's share of a consumer's bundle is the README's figure (within 20%)
    const overheadKb = (withRuntime.length - without.length) / 1024;
    const gzipKb = (zlib.gzipSync(withRuntime).length - zlib.gzipSync(without).length) / 1024;
    const stated = /adds about ([\d.]+) KB minified\s+\(([\d.]+) KB gzipped\)/.exec(README);
    expect(stated).not.toBeNull();
    expect(overheadKb).toBeGreaterThan(Number(stated![1]) * 0.8);
    expect(overheadKb).toBeLessThan(Number(stated![1]) * 1.2);
    expect(gzipKb).toBeGreaterThan(Number(stated![2]) * 0.8);
    expect(gzipKb).toBeLessThan(Number(stated![2]) * 1.2);
    expect(withRuntime.toString()).not.toContain('cdk-streaming-rest-api/runtime');
    installAwsLambda();
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { handler } = require(path.join(app, 'out', 'handler.js'));
      const { metadata, body } = parseStreamedResponse((await invoke(handler, restProxyEvent())).body);
      expect(metadata.headers!['content-type']).toBe('text/event-stream; charset=utf-8');
      expect(body.toString()).toBe('data: {"text":"hello from the package"}\n\nid: ~end\n\n');
    } finally {
      uninstallAwsLambda();
    }
  }, 240_000);

  test('a CDK app with every construct synthesizes, and the packaged CLI reads its assembly', () => {
    // GIVEN
    fs.writeFileSync(path.join(app, 'all.ts'), [
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
    // WHEN
    run(path.join(BIN, 'cdk'), ['synth', '--quiet', '--no-notices', '--app', 'npx tsx all.ts', '--output', 'cdk.all.out'], app);
    // THEN
    const template = JSON.parse(fs.readFileSync(path.join(app, 'cdk.all.out', 'Consumer.template.json'), 'utf8'));
    const methods = Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::ApiGateway::Method');
    expect(methods).toHaveLength(3); // GET /hello, POST and GET /chat
    for (const method of methods) {
      expect(method.Properties.Integration.ResponseTransferMode).toBe('STREAM');
      expect(JSON.stringify(method.Properties.Integration.Uri)).toContain('/response-streaming-invocations');
    }
    // The Bedrock chat handler bundle shipped in the package became an asset.
    const out = path.join(app, 'cdk.all.out');
    const chatAsset = fs.readdirSync(out).filter((f) => f.startsWith('asset.'))
      .find((a) => fs.existsSync(path.join(out, a, 'index.js')) && fs.readFileSync(path.join(out, a, 'index.js'), 'utf8').includes('converse-stream'));
    expect(chatAsset).toBeDefined();
    // The packaged CLI reads the assembly.
    const table = run(path.join(app, 'node_modules', '.bin', 'cdk-streaming-rest-api'), ['routes', '--app', 'cdk.all.out'], app);
    expect(table).toMatch(/\/hello\s+GET\s+-\s+AWS_PROXY\s+STREAM/);
    expect(table).toMatch(/\/chat\s+POST\s+-\s+AWS_PROXY\s+STREAM\s+300 s\s+Lambda ChatHandler/);
  }, 240_000);
});
