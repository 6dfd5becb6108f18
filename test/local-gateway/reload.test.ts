import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildAssembly } from './support/assembly';
import { fetchStream } from './support/clients';
import { readAssembly } from '../../local-gateway/assembly';
import { main } from '../../local-gateway/cli';
import { synthOnce } from '../../local-gateway/follow';
import { LocalStreamingGateway } from '../../local-gateway/gateway';

// A running gateway follows the developer's edits: a new synthesis (from `cdk synth`, or from the
// gateway's own --watch) replaces routes and functions without a restart; a changed handler is
// never served stale.

const ROOT = path.join(__dirname, '..', '..');
const APP = path.join(__dirname, 'apps', 'watch-app');

function copyApp(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'watch-app-'));
  fs.cpSync(APP, dir, { recursive: true });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

const text = async (url: string) => {
  const seen = await fetchStream(url);
  return `${seen.status} ${seen.body.toString()}`;
};

async function eventually(check: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the reload');
    await new Promise((r) => setTimeout(r, 200));
  }
}

function editApp(dir: string, version: number, routes: string): void {
  const handler = path.join(dir, 'handler', 'index.mjs');
  fs.writeFileSync(handler, fs.readFileSync(handler, 'utf8').replace(/version \d+/, `version ${version}`));
  fs.writeFileSync(path.join(dir, 'routes.txt'), routes);
}

describe.each([
  ['a cdk synth run outside the gateway (serve --app)', false],
  ['a source edit with serve --watch', true],
])('after %s', (_name, watch) => {
  let dir: string;
  let gateway: LocalStreamingGateway;
  const logs: string[] = [];

  beforeAll(async () => {
    dir = copyApp();
    const out = path.join(dir, 'cdk.out');
    // Without --watch the assembly must exist already (cdk synth); --watch synthesizes first.
    if (!watch) await synthOnce(out, { appDir: dir, log: (l) => logs.push(l) });
    const io = { out: (t: string) => logs.push(t), err: (t: string) => logs.push(t) };
    gateway = (await main(['serve', '--app', out, '--port', '0', ...(watch ? ['--watch'] : [])], io))!;
  }, 60_000);

  afterAll(async () => {
    await gateway?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the new route answers and the changed handler is served, without a restart', async () => {
    // GIVEN
    expect(await text(`${gateway.url}/prod/hello`)).toBe('200 version 1 at /hello');
    expect(await text(`${gateway.url}/prod/added`)).toMatch(/^403 /);
    // WHEN
    editApp(dir, 2, 'hello,added');
    // (the synth runs as its own process, as `cdk synth` in another terminal would)
    if (!watch) await synthOnce(path.join(dir, 'cdk.out'), { appDir: dir, log: (l) => logs.push(l) });
    // THEN
    await eventually(async () => (await text(`${gateway.url}/prod/added`)) === '200 version 2 at /added', 45_000);
    expect(await text(`${gateway.url}/prod/hello`)).toBe('200 version 2 at /hello');
    expect(logs.join('\n')).toMatch(/\[reload\] new synthesis: 2 routes/);
  }, 60_000);
});

test('serve <handler file>: an edit to the file or what it imports is served at the next request', async () => {
  // GIVEN a handler file importing a helper, served
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handler-file-'));
  fs.writeFileSync(path.join(dir, 'message.ts'), "export const message = 'first';\n");
  fs.writeFileSync(path.join(dir, 'handler.ts'), [
    "import { message } from './message';",
    'declare const awslambda: any;',
    'export const handler = awslambda.streamifyResponse(async (_event: unknown, stream: any) => {',
    '  const s = awslambda.HttpResponseStream.from(stream, { statusCode: 200 });',
    '  s.write(message);',
    '  s.end();',
    '});',
  ].join('\n'));
  const logs: string[] = [];
  const io = { out: (t: string) => logs.push(t), err: (t: string) => logs.push(t) };
  const gateway = (await main(['serve', path.join(dir, 'handler.ts'), '--route', 'GET:/m', '--port', '0'], io))!;
  try {
    expect(await text(`${gateway.url}/m`)).toBe('200 first');
    // WHEN the imported helper changes
    fs.writeFileSync(path.join(dir, 'message.ts'), "export const message = 'second';\n");
    // THEN the next requests run the new code
    await eventually(async () => (await text(`${gateway.url}/m`)) === '200 second', 20_000);
    expect(logs.join('')).toMatch(/\[reload\] .*handler\.ts rebuilt: functions restarted/);
  } finally {
    await gateway.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 40_000);

test('inline code (Code.ZipFile) is written to a folder that goes with the functions a reload replaces', async () => {
  const code = 'exports.handler = awslambda.streamifyResponse(async (e, s) => { s = awslambda.HttpResponseStream.from(s, {}); s.write("inline"); s.end(); });';
  const dir = buildAssembly([{ path: '/inline', code }]);
  const templateFile = path.join(dir, 'Test.template.json');
  const template = JSON.parse(fs.readFileSync(templateFile, 'utf8'));
  delete template.Resources.Fn0.Metadata;
  template.Resources.Fn0.Properties.Code = { ZipFile: code };
  fs.writeFileSync(templateFile, JSON.stringify(template));
  fs.rmSync(path.join(dir, 'asset.0'), { recursive: true });
  const gateway = LocalStreamingGateway.fromAssembly(dir, { port: 0, log: () => undefined, accessLog: () => undefined });
  // (no other suite writes inline code; folders an earlier, killed run left are counted out)
  const inlineDirs = () => fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith('local-gateway-inline-')).length;
  const before = inlineDirs();
  try {
    const url = await gateway.start();
    expect(await text(`${url}/inline`)).toBe('200 inline');
    for (let i = 0; i < 5; i++) {
      gateway.reload(readAssembly(dir));
      expect(await text(`${url}/inline`)).toBe('200 inline');
    }
    expect(inlineDirs()).toBe(before + 1); // the served function's only
    await gateway.stop();
    expect(inlineDirs()).toBe(before);
  } finally {
    await gateway.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
