import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { buildAssembly, chunkedHandler } from './support/assembly';
import { curl } from './support/clients';
import { startCommandLine, stopCommandLines } from './support/command-line';
import { until } from './support/serve';
import { main } from '../../local-gateway/cli';
import type { LocalStreamingGateway } from '../../local-gateway/gateway';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) } };
}

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0)) await fn();
});

test('routes lists an assembly\'s methods and how they are served', async () => {
  // GIVEN
  const dir = buildAssembly([
    { path: '/chat', method: 'POST', code: chunkedHandler({}, ['x']) },
    { path: '/mock', integrationType: 'AWS', code: '' },
  ]);
  cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const { out, io: streams } = io();
  // WHEN
  await main(['routes', '--app', dir], streams);
  // THEN
  const table = out.join('');
  expect(table).toMatch(/\/chat\s+POST\s+-\s+AWS_PROXY\s+STREAM\s+900 s\s+Lambda Fn0 \(streaming URI\)/);
  expect(table).toMatch(/\/mock\s+GET\s+-\s+AWS\s+STREAM\s+900 s\s+no: AWS integrations are not emulated/);
});

test('serve <handler.ts> --route bundles the file and streams it', async () => {
  // GIVEN: a TypeScript handler written with the runtime
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-handler-'));
  const file = path.join(dir, 'handler.ts');
  fs.writeFileSync(file, [
    `import { sse, streamingHandler } from ${JSON.stringify(path.join(__dirname, '..', '..', 'lambda-assets', 'runtime'))};`,
    'export const handler = streamingHandler(async (event, response) => {',
    '  const events = sse(response, { heartbeatMs: 0 });',
    '  for (const n of [1, 2, 3]) { await events.data({ n, q: event.queryStringParameters?.q }); await new Promise((r) => setTimeout(r, 150)); }',
    '});',
  ].join('\n'));
  const { out, err, io: streams } = io();
  // WHEN
  const gateway = (await main(['serve', file, '--route', 'GET:/events', '--port', '0', '--timeout', '10'], streams)) as LocalStreamingGateway;
  cleanup.push(() => gateway.stop(), () => fs.rmSync(dir, { recursive: true, force: true }));
  // THEN
  expect(out.join('')).toMatch(/Local streaming gateway on http:\/\/127.0.0.1:\d+/);
  const seen = await curl([`${gateway.url}/events?q=hi`]);
  // (the handler returns without end(): the end marker goes out, so an EventSource does not reconnect)
  expect(seen.body).toBe('data: {"n":1,"q":"hi"}\n\ndata: {"n":2,"q":"hi"}\n\ndata: {"n":3,"q":"hi"}\n\nid: ~end\n\n');
  expect(seen.arrivals.length).toBeGreaterThanOrEqual(2);
  // the gateway's diagnostics and access log go to the command line's stderr
  await until(() => err.some((line) => line.startsWith('{')), 'the access-log entry');
  expect(err.join('')).toMatch(/^\[local-gateway\] handler\.ts: cold start/m);
  expect(JSON.parse(err.find((line) => line.startsWith('{'))!)).toMatchObject({ httpMethod: 'GET', resourcePath: '/events', status: '200', responseTransferMode: 'STREAMED' });
});

const TLA_HANDLER = [
  "import { EOL } from './helper.cjs';",
  "const greeting = await Promise.resolve('hello from a top-level await');",
  'export const handler = awslambda.streamifyResponse(async (event, stream) => {',
  '  stream = awslambda.HttpResponseStream.from(stream, {});',
  '  stream.write(`${greeting} ${EOL.length}`);',
  '  stream.end();',
  '});',
].join('\n');

test.each([
  ['a .mjs file', 'handler.mjs', undefined],
  ['a .ts file with a top-level await', 'handler.ts', undefined],
  ['a .js file of a "type": "module" package', 'handler.js', { type: 'module' }],
])('serve <handler file> bundles an ES module as one: %s', async (_name, name, packageJson) => {
  // GIVEN an ES module with a top-level await, importing CommonJS that requires a Node module
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-esm-'));
  cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  if (packageJson) fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(packageJson));
  fs.writeFileSync(path.join(dir, 'helper.cjs'), "exports.EOL = require('os').EOL;");
  fs.writeFileSync(path.join(dir, name), name.endsWith('.ts') ? `declare const awslambda: any;\n${TLA_HANDLER}` : TLA_HANDLER);
  // WHEN
  const gateway = (await main(['serve', path.join(dir, name), '--route', 'GET:/hi', '--port', '0'], io().io)) as LocalStreamingGateway;
  cleanup.push(() => gateway.stop());
  // THEN
  expect((await curl([`${gateway.url}/hi`])).body).toBe('hello from a top-level await 1');
});

test('serve <handler file> keeps bundling CommonJS as CommonJS', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-cjs-'));
  cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'handler.js'), 'exports.handler = awslambda.streamifyResponse(async (e, s) => { s = awslambda.HttpResponseStream.from(s, {}); s.write(typeof module); s.end(); });');
  const gateway = (await main(['serve', path.join(dir, 'handler.js'), '--route', 'GET:/m', '--port', '0', '--no-reload'], io().io)) as LocalStreamingGateway;
  cleanup.push(() => gateway.stop());
  expect((await curl([`${gateway.url}/m`])).body).toBe('object');
});

test.each([
  [['launch'], /unknown command 'launch'/],
  [['serve', '/nonexistent/handler.ts', '--route', 'GET:/x'], /no such handler file/],
  [['serve', __filename], /needs at least one --route/],
  [['serve', __filename, '--route', 'chat'], /--route takes METHOD:\/path/],
  [['serve', '--app', '/nonexistent'], /is not a cloud assembly \(no manifest.json\)/],
  [['routes', '--app'], /--app needs a value/],
  [['serve', __filename, '--route', 'GET:/x', '--timeout', 'soon'], /--timeout takes a positive number of seconds/],
])('a usage error says what is wrong: %j', async (argv, message) => {
  const { io: streams } = io();
  await expect(main(argv, streams)).rejects.toThrow(message);
});

test('--help prints the usage', async () => {
  const { out, io: streams } = io();
  await main(['serve', '--help'], streams);
  expect(out.join('')).toContain('cdk-streaming-rest-api serve [--app cdk.out]');
});

test.each([
  [['serve', '--prot', '3001'], /unknown option '--prot'/],
  [['routes', '-x'], /unknown option '-x'/],
  [['serve', '--port'], /--port needs a value/],
  [['serve', '--app', 'a', 'b', 'c'], /unexpected argument 'c'/],
])('an unknown or incomplete flag is an error that names it: %j', async (argv, message) => {
  const { io: streams } = io();
  await expect(main(argv, streams)).rejects.toThrow(message);
});

test('-h prints the usage; --version prints the package version', async () => {
  const help = io();
  await main(['-h'], help.io);
  expect(help.out.join('')).toContain('cdk-streaming-rest-api serve [--app cdk.out]');
  const version = io();
  await main(['--version'], version.io);
  expect(version.out.join('').trim()).toBe(JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')).version);
});

test('a port in use is an error that suggests --port', async () => {
  // GIVEN: a port taken by another server
  const taken = http.createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
  const dir = buildAssembly([{ path: '/a', code: chunkedHandler({}, ['a']) }]);
  cleanup.push(() => new Promise<void>((r) => taken.close(() => r())), () => fs.rmSync(dir, { recursive: true, force: true }));
  const { io: streams } = io();
  // WHEN / THEN
  await expect(main(['serve', '--app', dir, '--port', String((taken.address() as AddressInfo).port)], streams)).rejects.toThrow(/is in use: pass another with --port/);
});

test('the command line exits 0 for --help and 2 for an unknown flag, naming it', () => {
  const cli = path.join(__dirname, '..', '..', 'local-gateway', 'cli.ts');
  const run = (args: string[]) => spawnSync(process.execPath, [require.resolve('tsx/cli'), cli, ...args], { encoding: 'utf8' });
  const help = run(['--help']);
  expect(help.status).toBe(0);
  expect(help.stdout).toContain('Usage:');
  const bad = run(['serve', '--bogus']);
  expect(bad.status).toBe(2);
  expect(bad.stderr).toContain("unknown option '--bogus'");
});

test('--max-environments, --idle-environment and --no-aws-credentials reach the gateway', async () => {
  // GIVEN
  const code = `exports.handler = awslambda.streamifyResponse(async (e, s) => {
    const h = awslambda.HttpResponseStream.from(s, {}); h.write(String(process.env.AWS_SECRET_ACCESS_KEY)); h.end(); });`;
  const dir = buildAssembly([{ path: '/k', code }]);
  const saved = process.env.AWS_SECRET_ACCESS_KEY;
  process.env.AWS_SECRET_ACCESS_KEY = 'from-the-shell';
  const restore = () => (saved === undefined ? delete process.env.AWS_SECRET_ACCESS_KEY : (process.env.AWS_SECRET_ACCESS_KEY = saved));
  cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }), restore);
  const { io: streams } = io();
  // WHEN
  const gateway = (await main(['serve', '--app', dir, '--port', '0', '--no-aws-credentials', '--max-environments', '1', '--idle-environment', '0.3'], streams)) as LocalStreamingGateway;
  cleanup.push(() => gateway.stop());
  // THEN
  const seen = await curl([`${gateway.url}/k`]);
  expect(seen.body).not.toBe('from-the-shell');
  expect(gateway.workerCount).toBe(1);
  await new Promise((r) => setTimeout(r, 800));
  expect(gateway.workerCount).toBe(0);
  await expect(main(['serve', '--app', dir, '--max-environments', '0'], io().io)).rejects.toThrow(/--max-environments takes a whole number of at least 1/);
});

test('--isolation reaches the gateway; bad values are usage errors', async () => {
  // GIVEN
  const code = `exports.handler = awslambda.streamifyResponse(async (e, s) => {
    await new Promise((r) => setTimeout(r, 200));
    const h = awslambda.HttpResponseStream.from(s, {}); h.write(String(process.pid)); h.end(); });`;
  const dir = buildAssembly([{ path: '/t', code }]);
  cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  // WHEN: a thread each (the default, said explicitly)
  const own = (await main(['serve', '--app', dir, '--port', '0', '--isolation', 'thread'], io().io)) as LocalStreamingGateway;
  cleanup.push(() => own.stop());
  const threads = await Promise.all(Array.from({ length: 3 }, () => curl([`${own.url}/t`])));
  // THEN every environment is in this process
  expect(threads.map((t) => t.body)).toEqual(new Array(3).fill(String(process.pid)));
  // and a process each
  const processes = (await main(['serve', '--app', dir, '--port', '0', '--isolation', 'process'], io().io)) as LocalStreamingGateway;
  cleanup.push(() => processes.stop());
  const each = await Promise.all(Array.from({ length: 3 }, () => curl([`${processes.url}/t`])));
  expect(new Set(each.map((t) => t.body)).size).toBe(3);
  expect(each.map((t) => t.body)).not.toContain(String(process.pid));
  await expect(main(['serve', '--app', dir, '--isolation', 'shared'], io().io)).rejects.toThrow(/--isolation takes 'thread' or 'process', got 'shared'/);
  await expect(main(['serve', '--app', dir, '--environments-per-thread', '2'], io().io)).rejects.toThrow(/unknown option '--environments-per-thread'/);
});

test('the bundle of a served handler file is removed when the command line ends', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-bundle-'));
  cleanup.push(stopCommandLines, () => fs.rmSync(tmp, { recursive: true, force: true }));
  const file = path.join(tmp, 'handler.js');
  fs.writeFileSync(file, 'exports.handler = awslambda.streamifyResponse(async (e, s) => { s = awslambda.HttpResponseStream.from(s, {}); s.write("hi"); s.end(); });');
  const bundles = () => fs.readdirSync(tmp).filter((name) => name.startsWith('local-gateway-handler-'));
  // (TMPDIR: where the command line bundles the file)
  const { url, child } = await startCommandLine(['serve', file, '--route', 'GET:/hi', '--port', '0', '--no-reload'], { ...process.env, TMPDIR: tmp });
  expect((await curl([`${url}/hi`])).body).toBe('hi');
  expect(bundles()).toHaveLength(1);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(-child.pid!, 'SIGTERM');
  await exited;
  expect(bundles()).toEqual([]);
});
