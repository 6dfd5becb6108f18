import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { curl, fetchStream } from './support/clients';
import { serve } from './support/serve';
import { threadHint } from '../../local-gateway/lambda/integration';
import { defaultEnvironmentsPerThread, sharedThreadHeapMb } from '../../local-gateway/lambda/workers';

// `shared` isolation (the default): many execution environments of a function on one worker
// thread. Each keeps its own modules, one invocation at a time; what ends a thread (a spin past
// the timeout, a crash) fails the invocations beside it, and the log says why.

/** Module state as logging libraries keep it: the current invocation's id, read after an await. */
const CURRENT_INVOCATION = `let current; let invocations = 0;
exports.handler = awslambda.streamifyResponse(async (event, s) => {
  current = event.queryStringParameters.id;
  invocations++;
  await new Promise((r) => setTimeout(r, 200));
  const h = awslambda.HttpResponseStream.from(s, {});
  h.write(JSON.stringify({ current, invocations, thread: require('worker_threads').threadId })); h.end(); });`;

test('concurrent invocations on one thread each see their own module state', async () => {
  // (the default per thread depends on the machine's cores: 8 keeps the six on one thread anywhere)
  const { url } = await serve([{ path: '/c', code: CURRENT_INVOCATION }], { environmentsPerThread: 8 });
  const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
  const bodies = (await Promise.all(ids.map((id) => fetchStream(`${url}/c?id=${id}`)))).map((r) => JSON.parse(r.body.toString()));
  // each invocation reads back its own id: no other environment overwrote it during the await
  expect(bodies.map((b) => b.current)).toEqual(ids);
  expect(bodies.every((b) => b.invocations === 1)).toBe(true);
  // and they did share a thread
  expect(new Set(bodies.map((b) => b.thread)).size).toBe(1);
  // a warm environment keeps its state between invocations
  const again = JSON.parse((await fetchStream(`${url}/c?id=z`)).body.toString());
  expect(again).toMatchObject({ current: 'z', invocations: 2 });
});

test('ES modules and the modules they import are loaded once per environment', async () => {
  const esm = 'import { bump } from \'./counter.mjs\'; export const handler = awslambda.streamifyResponse(async (e, s) => { const n = bump(); await new Promise((r) => setTimeout(r, 200)); const h = awslambda.HttpResponseStream.from(s, {}); h.write(String(n)); h.end(); });';
  const { url, dir } = await serve([{ path: '/m', code: esm }]);
  // the route's code folder becomes an ES module package with a second module
  fs.writeFileSync(path.join(dir, 'asset.0', 'package.json'), '{ "type": "module" }');
  fs.writeFileSync(path.join(dir, 'asset.0', 'counter.mjs'), 'let n = 0; export const bump = () => ++n;');
  const together = await Promise.all([1, 2, 3].map(() => fetchStream(`${url}/m`)));
  expect(together.map((r) => [r.status, r.body.toString()])).toEqual([[200, '1'], [200, '1'], [200, '1']]);
  expect((await fetchStream(`${url}/m`)).body.toString()).toBe('2');
});

test('a handler that spins past its timeout ends its thread: the invocation beside it fails, later ones run', async () => {
  const code = `exports.handler = awslambda.streamifyResponse(async (e, s) => {
    const h = awslambda.HttpResponseStream.from(s, {}); h.write('started');
    if (e.queryStringParameters?.spin) { await new Promise((r) => setTimeout(r, 20)); for (;;) {} }
    await new Promise((r) => setTimeout(r, Number(e.queryStringParameters?.wait ?? 0))); h.end('done'); });`;
  const { url, gateway, diagnostics } = await serve([{ path: '/s', code, functionTimeoutSeconds: 1 }]);
  const [spinning, beside] = await Promise.all([curl([`${url}/s?spin=1`]), curl([`${url}/s?wait=500`])]);
  // both started, both cut: the spinning one at its timeout, its neighbour with the thread
  expect([spinning.body, beside.body]).toEqual(['started', 'started']);
  expect([spinning.exitCode, beside.exitCode]).toEqual([18, 18]);
  // the thread had a short while to answer before it was ended
  await new Promise((r) => setTimeout(r, 500));
  expect(diagnostics.join('\n')).toMatch(/Fn0: a handler never yielded: its thread did not answer after environment \d timed out, and was ended/);
  expect(gateway.workerCount).toBe(0);
  const later = await fetchStream(`${url}/s`);
  expect(later.body.toString()).toBe('starteddone');
});

test('handlers that time out without spinning (they never end their stream) are not reported as never yielding', async () => {
  const code = `exports.handler = awslambda.streamifyResponse(async (e, s) => {
    awslambda.HttpResponseStream.from(s, {}).write('partial'); });`;
  const { url, diagnostics } = await serve([{ path: '/n', code, functionTimeoutSeconds: 1 }], { environmentsPerThread: 8 });
  const seen = await Promise.all(Array.from({ length: 6 }, () => curl([`${url}/n`])));
  expect(seen.map((r) => [r.body, r.exitCode])).toEqual(Array.from({ length: 6 }, () => ['partial', 18]));
  await new Promise((r) => setTimeout(r, 400)); // past the 250 ms a thread has to answer
  expect(diagnostics.join('\n')).not.toMatch(/never yielded/);
});

test('a handler that allocates without yielding fails like Runtime.OutOfMemory at its memorySize, not at the thread\'s bound', async () => {
  // A thread that may hold 64 environments bounds its heap at 64 x 128 MB (or half the memory);
  // one environment allocating in a loop that never yields must still end near its own 128 MB.
  const code = `exports.handler = awslambda.streamifyResponse(async (e, s) => {
    if (e.queryStringParameters?.grow) { const keep = []; for (;;) keep.push(new Array(100000).fill({ x: Math.random() })); }
    const h = awslambda.HttpResponseStream.from(s, {}); h.write('fine'); h.end(); });`;
  const { url, diagnostics } = await serve([{ path: '/m', code, memorySize: 128, functionTimeoutSeconds: 30 }], { environmentsPerThread: 64 });
  const started = performance.now();
  const seen = await fetchStream(`${url}/m?grow=1`);
  expect(seen.status).toBe(500);
  expect(performance.now() - started).toBeLessThan(10_000); // not the 30 s function timeout
  expect(diagnostics.join('\n')).toMatch(/a handler's memory reached \d+ MB, past 128 MB \(memorySize 128 MB for each of the thread's 1 environment\(s\)\), without yielding/);
  expect(diagnostics.join('\n')).toMatch(/Runtime.OutOfMemory/);
  expect((await fetchStream(`${url}/m`)).body.toString()).toBe('fine');
});

describe.each(['shared', 'thread'] as const)('garbage is not memory a function holds (%s isolation)', (isolation) => {
  test('a handler that makes 40 MB of garbage on each call, far below memorySize once collected, is never out of memory', async () => {
    // About 40 MB of short-lived objects a call, as a handler that builds a report from many
    // rows makes: over a few calls the uncollected garbage passes 128 MB.
    const code = `exports.handler = awslambda.streamifyResponse(async (e, s) => {
      let rows = []; for (let i = 0; i < 300000; i++) rows.push({ i, name: 'row-' + i + '-'.repeat(60) });
      const h = awslambda.HttpResponseStream.from(s, {}); h.write('rows ' + rows.length); rows = null; h.end(); });`;
    const { url, diagnostics } = await serve([{ path: '/parse', code, memorySize: 128 }], { isolation });
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++) {
      const seen = await fetchStream(`${url}/parse`);
      statuses.push(seen.status);
    }
    expect(statuses).toEqual(new Array(15).fill(200));
    expect(diagnostics.join('\n')).not.toMatch(/OutOfMemory|memory reached/);
  });

  test('a stream goes on while the environments beside it on its thread retire, their module state now garbage', async () => {
    // Each environment holds about 10 MB of module state; a thread's bound is memorySize for each
    // environment it holds, so it falls when they retire, while their state is not yet collected.
    const code = `const CONFIG = Array.from({ length: 60000 }, (_, i) => ({ i, s: 'setting-' + i + '-'.repeat(120) }));
    exports.handler = awslambda.streamifyResponse(async (e, s) => {
      const h = awslambda.HttpResponseStream.from(s, {});
      const lines = Number(e.queryStringParameters?.lines ?? 1);
      for (let i = 0; i < lines; i++) { h.write('line ' + CONFIG.length + '\\n'); await new Promise((r) => setTimeout(r, 250)); }
      h.end(); });`;
    const { url, diagnostics } = await serve([{ path: '/c', code, memorySize: 128, functionTimeoutSeconds: 30 }], { isolation, idleEnvironmentMs: 300 });
    const keeper = fetchStream(`${url}/c?lines=12`); // 3 s
    await new Promise((r) => setTimeout(r, 300));
    await Promise.all(Array.from({ length: 8 }, () => fetchStream(`${url}/c`))); // 8 more environments, retired 300 ms later
    const seen = await keeper;
    expect(seen.status).toBe(200);
    expect(seen.body.toString()).toBe('line 60000\n'.repeat(12));
    expect(diagnostics.join('\n')).not.toMatch(/OutOfMemory|memory reached/);
  });
});

test('an uncaught exception in a handler ends its thread with Runtime.ExitError; the gateway stays up', async () => {
  const code = `exports.handler = awslambda.streamifyResponse(async (e, s) => {
    if (e.queryStringParameters?.crash) setTimeout(() => { throw new Error('boom from a timer'); }, 10);
    await new Promise((r) => setTimeout(r, 100));
    const h = awslambda.HttpResponseStream.from(s, {}); h.write('fine'); h.end(); });`;
  const { url, diagnostics } = await serve([{ path: '/x', code }]);
  const crashed = await fetchStream(`${url}/x?crash=1`);
  expect(crashed.status).toBe(500);
  expect(diagnostics.join('\n')).toMatch(/Runtime.ExitError.*boom from a timer/);
  expect((await fetchStream(`${url}/x`)).body.toString()).toBe('fine');
});

test('a client that leaves mid-stream: its environment is dropped, the stream beside it finishes whole', async () => {
  const code = `exports.handler = awslambda.streamifyResponse(async (e, s) => {
    const h = awslambda.HttpResponseStream.from(s, {});
    for (let i = 0; i < 10; i++) { h.write(String(i)); await new Promise((r) => setTimeout(r, 50)); }
    h.end(); });`;
  const { url, gateway } = await serve([{ path: '/l', code }]);
  const leaving = (async () => {
    const controller = new AbortController();
    const response = await fetch(`${url}/l`, { signal: controller.signal });
    await response.body!.getReader().read();
    controller.abort();
  })().catch(() => undefined);
  const staying = fetchStream(`${url}/l`);
  await leaving;
  expect((await staying).body.toString()).toBe('0123456789');
  // the thread took no new environment and ended once its last invocation had
  await new Promise((r) => setTimeout(r, 200));
  expect(gateway.workerCount).toBe(0);
  expect((await fetchStream(`${url}/l`)).body.toString()).toBe('0123456789');
});

test('a client that leaves while another environment of its thread is still starting does not fail that one\'s request', async () => {
  // A function whose init takes a while (a big SDK bundle, config read at load): the second
  // request gets a new environment on the same thread, and the first client leaves during its init.
  const code = `const started = Date.now(); while (Date.now() - started < 300) { /* init work */ }
  exports.handler = awslambda.streamifyResponse(async (e, s) => {
    const h = awslambda.HttpResponseStream.from(s, {});
    for (let i = 0; i < 5; i++) { h.write(String(i)); await new Promise((r) => setTimeout(r, 50)); }
    h.end(); });`;
  const { url, diagnostics } = await serve([{ path: '/i', code }], { environmentsPerThread: 8 });
  // the first client, on a socket of its own, reads its first bytes
  const target = new URL(`${url}/i`);
  const first = net.connect(Number(target.port), target.hostname);
  first.on('error', () => undefined);
  first.write(`GET ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\n\r\n`);
  await new Promise((r) => first.once('data', r));
  const second = new Promise<{ status?: number; body: string }>((resolve, reject) => {
    http.get(`${url}/i`, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    }).on('error', reject);
  });
  await new Promise((r) => setTimeout(r, 100));
  first.resetAndDestroy();
  const seen = await second;
  expect(seen).toEqual({ status: 200, body: '01234' });
  expect(diagnostics.join('\n')).toMatch(/an environment ended while it started \(Runtime exited: its shared thread ended after another invocation on it was cut short \(a timeout, or a client that left\)\); starting another/);
  expect(diagnostics.filter((d) => /cold start/.test(d))).toHaveLength(2);
});

test('environmentsPerThread spreads environments over threads', async () => {
  const code = 'exports.handler = awslambda.streamifyResponse(async (e, s) => { await new Promise((r) => setTimeout(r, 200)); const h = awslambda.HttpResponseStream.from(s, {}); h.write(String(require(\'worker_threads\').threadId)); h.end(); });';
  const { url } = await serve([{ path: '/t', code }], { environmentsPerThread: 2 });
  const threads = (await Promise.all(Array.from({ length: 6 }, () => fetchStream(`${url}/t`)))).map((r) => r.body.toString());
  expect(new Set(threads).size).toBe(3);
});

test('by default a function\'s cap is spread over the cores, and a thread\'s heap bound stays under half the memory', () => {
  expect(defaultEnvironmentsPerThread(200, 2)).toBe(100);
  expect(defaultEnvironmentsPerThread(200, 8)).toBe(25);
  expect(defaultEnvironmentsPerThread(200, 3)).toBe(67); // rounded up: never a third thread's worth left over
  expect(defaultEnvironmentsPerThread(10, 64)).toBe(1);
  expect(defaultEnvironmentsPerThread(5, 0)).toBe(5);
  // memorySize for each environment the thread may hold ...
  expect(sharedThreadHeapMb(128, 10, 24 * 1024)).toBe(1280);
  // ... but no more than half the machine's memory ...
  expect(sharedThreadHeapMb(128, 100, 24 * 1024)).toBe(12 * 1024);
  // ... and never less than one environment's memorySize
  expect(sharedThreadHeapMb(10240, 4, 8 * 1024)).toBe(10240);
});

test('a handler that replaces process.env does not stop its thread from starting more environments', async () => {
  // configuration libraries do this: the thread still knows where the function's code is
  const code = `process.env = { TABLE: 'from-config' };
    exports.handler = awslambda.streamifyResponse(async (e, s) => {
      await new Promise((r) => setTimeout(r, 200));
      const h = awslambda.HttpResponseStream.from(s, {}); h.write(process.env.TABLE); h.end(); });`;
  const { url, diagnostics } = await serve([{ path: '/e', code }], { environmentsPerThread: 8 });
  expect((await fetchStream(`${url}/e`)).body.toString()).toBe('from-config');
  // two at once: a second and a third environment load on the same thread
  const both = await Promise.all([fetchStream(`${url}/e`), fetchStream(`${url}/e`)]);
  expect(both.map((r) => [r.status, r.body.toString()])).toEqual([[200, 'from-config'], [200, 'from-config']]);
  expect(diagnostics.join('\n')).not.toMatch(/ExitError|TypeError/);
});

describe('a handler that changes its working directory, as tools that write beside their files do', () => {
  // Lambda allows process.chdir(); Node does not in a worker thread
  const code = `const os = require('os');
    exports.handler = awslambda.streamifyResponse(async (e, s) => {
      process.chdir(os.tmpdir());
      const h = awslambda.HttpResponseStream.from(s, {}); h.write(process.cwd()); h.end(); });`;

  test.each(['shared', 'thread'] as const)('fails under %s isolation with a log line that says to serve it with --isolation process', async (isolation) => {
    const { url, diagnostics } = await serve([{ path: '/cd', code }], { isolation });
    const seen = await fetchStream(`${url}/cd`);
    expect(seen.status).toBe(500);
    expect(seen.body.toString()).not.toMatch(/isolation|chdir/); // the client gets API Gateway's answer only
    expect(diagnostics.join('\n')).toMatch(/process\.chdir\(\) is not supported in workers \(.*serve with --isolation process\)/);
  });

  test('runs under process isolation', async () => {
    const { url } = await serve([{ path: '/cd', code }], { isolation: 'process' });
    const seen = await fetchStream(`${url}/cd`);
    expect([seen.status, seen.body.toString()]).toEqual([200, fs.realpathSync(os.tmpdir())]);
  });
});

test('threadHint names the way out only for what Node refuses in worker threads', () => {
  expect(threadHint('process.umask() is not supported in workers')).toMatch(/--isolation process/);
  expect(threadHint('boom')).toBe('');
  expect(threadHint(undefined)).toBe('');
});
