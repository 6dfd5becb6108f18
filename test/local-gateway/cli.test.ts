import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildAssembly, chunkedHandler } from './support/assembly';
import { curl } from './support/clients';
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
    { path: '/mock', integrationType: 'MOCK', code: '' },
  ]);
  cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const { out, io: streams } = io();
  // WHEN
  await main(['routes', '--app', dir], streams);
  // THEN
  const table = out.join('');
  expect(table).toMatch(/\/chat\s+POST\s+AWS_PROXY\s+STREAM\s+900 s\s+Lambda Fn0 \(streaming URI\)/);
  expect(table).toMatch(/\/mock\s+GET\s+MOCK\s+STREAM\s+900 s\s+no: MOCK integrations are not emulated/);
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
  const { out, io: streams } = io();
  // WHEN
  const gateway = (await main(['serve', file, '--route', 'GET:/events', '--port', '0', '--timeout', '10'], streams)) as LocalStreamingGateway;
  cleanup.push(() => gateway.stop(), () => fs.rmSync(dir, { recursive: true, force: true }));
  // THEN
  expect(out.join('')).toMatch(/Local streaming gateway on http:\/\/127.0.0.1:\d+/);
  const seen = await curl([`${gateway.url}/events?q=hi`]);
  expect(seen.body).toBe('data: {"n":1,"q":"hi"}\n\ndata: {"n":2,"q":"hi"}\n\ndata: {"n":3,"q":"hi"}\n\n');
  expect(seen.arrivals.length).toBeGreaterThanOrEqual(2);
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
