import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fetchStream } from './support/clients';
import { editApp, makeHotApp } from './support/hot-app';
import { main } from '../../local-gateway/cli';
import type { LocalStreamingGateway } from '../../local-gateway/gateway';
import { readRebuildSpecs } from '../../local-gateway/rebuild-spec';

// serve --watch rebuilds the handler code of a StreamingFunction itself (esbuild, no synth) and
// swaps it in; edits it cannot rebuild on its own go through the synth, and the log says which.

let dir: string;
let gateway: LocalStreamingGateway;
const logs: string[] = [];
const log = () => logs.join('');

beforeAll(async () => {
  bundlesBefore = hotBundles();
  dir = makeHotApp();
  const io = { out: (t: string) => logs.push(t), err: (t: string) => logs.push(t) };
  gateway = (await main(['serve', '--app', path.join(dir, 'cdk.out'), '--port', '0', '--watch'], io))!;
}, 120_000);

const hotBundles = () => fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith('local-gateway-hot-'));
let bundlesBefore: string[];

afterAll(async () => {
  await gateway?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});


const text = async (route: string) => (await fetchStream(`${gateway.url}${route}`)).body.toString();

async function eventually(check: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out; the log:\n${log()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The log written from now on (`since()` reads it). */
function mark(): () => string {
  const at = log().length;
  return () => log().slice(at);
}

test('the assembly records what rebuilds a StreamingFunction, and nothing for a plain NodejsFunction', () => {
  const specs = readRebuildSpecs(path.join(dir, 'cdk.out'));
  const hello = [...specs.entries()].filter(([key]) => key.startsWith('HotApp/Hello'));
  expect(hello).toHaveLength(1);
  expect(hello[0][1]).toMatchObject({ entry: path.join(dir, 'lib', 'handlers', 'hello.ts'), format: 'cjs', minify: true, sourceMap: true, externalModules: ['@aws-sdk/*'], cannot: [] });
  expect([...specs.keys()].some((key) => key.startsWith('HotApp/Plain'))).toBe(false);
});

test('a handler edit is served without a synth; a request in flight finishes on the old code', async () => {
  // GIVEN a request in flight on the old code
  expect(await text('/prod/hello')).toBe('version 1 hi');
  const since = mark();
  const response = await fetch(`${gateway.url}/prod/hello?wait=1500`);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let inFlight = decoder.decode((await reader.read()).value, { stream: true });
  // WHEN a file the handler imports changes
  editApp(dir, 'lib/handlers/message.ts', 'version 1', 'version 2');
  // THEN the next requests get the new code, with no synth (how soon: the bench measures it, a
  // median of a few hundred ms; a wall-clock bound here would only measure the machine's load)
  await eventually(async () => (await text('/prod/hello')) === 'version 2 hi', 10_000);
  expect(since()).toMatch(/\[watch\] lib\/handlers\/message\.ts: hot reload of Hello\w+ \(esbuild, no synth\)/);
  expect(since()).not.toMatch(/synthesizing/);
  // and the request in flight ended on the code it started with
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) inFlight += decoder.decode(chunk.value, { stream: true });
  expect(inFlight).toBe('version 1 hi version 1');
}, 30_000);

test('a type error is reported in the background; the new code is served all the same', async () => {
  const since = mark();
  editApp(dir, 'lib/handlers/message.ts', "export const message = 'version 2';", "export const message: number = 'version 3';");
  await eventually(async () => (await text('/prod/hello')) === 'version 3 hi', 10_000);
  await eventually(async () => /\[types\] Hello\w+: type errors/.test(since()), 60_000);
  expect(since()).toMatch(/message\.ts\(1,14\): error TS2322/);
  // WHEN the error is fixed: a check that starts after this hot reload passes
  const sinceFix = mark();
  editApp(dir, 'lib/handlers/message.ts', "export const message: number = 'version 3';", "export const message = 'version 4';");
  await eventually(async () => (await text('/prod/hello')) === 'version 4 hi', 10_000);
  await eventually(async () => /hot reload of Hello[\s\S]*\[types\] Hello\w+: no type errors/.test(sinceFix()), 60_000);
}, 130_000);

test('a handler that does not build keeps its last good code served', async () => {
  const since = mark();
  editApp(dir, 'lib/handlers/message.ts', "export const message = 'version 4';", "export const message = 'version 5"); // unterminated
  await eventually(async () => /Hello\w+: the handler does not build; still serving its last good code/.test(since()), 10_000);
  expect(await text('/prod/hello')).toBe('version 4 hi');
  expect(since()).not.toMatch(/synthesizing/);
  editApp(dir, 'lib/handlers/message.ts', "'version 5", "'version 5';");
  await eventually(async () => (await text('/prod/hello')) === 'version 5 hi', 10_000);
}, 30_000);

test('a plain NodejsFunction\'s handler edit goes through the synth, and the log says why', async () => {
  const since = mark();
  expect(await text('/prod/plain')).toBe('plain 1');
  editApp(dir, 'lib/handlers/plain.ts', 'plain 1', 'plain 2');
  await eventually(async () => (await text('/prod/plain')) === 'plain 2', 60_000);
  expect(since()).toMatch(/\[watch\] lib\/handlers\/plain\.ts: full synth \(lib\/handlers\/plain\.ts is no handler code of a StreamingFunction/);
  // (the hot-reloaded function is served with its latest code after the synth too)
  expect(await text('/prod/hello')).toBe('version 5 hi');
}, 70_000);

test('an edit to a file the CDK app imports runs the synth', async () => {
  const since = mark();
  editApp(dir, 'lib/config.ts', "'hi'", "'hello'");
  await eventually(async () => (await text('/prod/hello')) === 'version 5 hello', 60_000);
  expect(since()).toMatch(/\[watch\] lib\/config\.ts: full synth \(lib\/config\.ts is imported by the CDK app\)/);
}, 70_000);

test('the rebuilt bundles are removed when the gateway stops', async () => {
  // (run last: it stops the gateway)
  expect(hotBundles().length).toBeGreaterThan(bundlesBefore.length);
  await gateway.stop();
  expect(hotBundles()).toEqual(bundlesBefore);
});
