import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { readAssembly } from '../../../local-gateway/assembly';
import type { LocalStreamingGateway } from '../../../local-gateway/gateway';
import { ThreadStandby } from '../../../local-gateway/lambda/standby';
import { resolveWorkerScript } from '../../../local-gateway/lambda/workers';
import { buildAssembly } from '../support/assembly';
import { fetchStream } from '../support/clients';
import { serve } from '../support/serve';

// With `shared` isolation the gateway starts a thread ahead of need (lambda/standby.ts): a
// function's first environment binds it instead of waiting for a new thread (~27 ms), and gets
// its own function's variables. A thread's `performance.nodeTiming.environment` is when it started
// (after the process's `timeOrigin`), so a handler can tell whether its thread was there before
// its request.

/** Answers with its thread's start time, its thread id and the variables it sees. */
const WHO_AM_I = `exports.handler = awslambda.streamifyResponse(async (event, s) => {
  const h = awslambda.HttpResponseStream.from(s, {});
  h.write(JSON.stringify({ started: performance.timeOrigin + performance.nodeTiming.environment, thread: require('worker_threads').threadId, env: process.env }));
  h.end();
});`;

const settle = () => new Promise((r) => setTimeout(r, 400));

/** The gateway's spare, if it keeps one (internal). */
const standbyOf = (gateway: LocalStreamingGateway) => (gateway as unknown as { standby?: ThreadStandby }).standby;

async function ask(url: string): Promise<{ started: number; thread: number; env: Record<string, string>; askedAt: number }> {
  const askedAt = performance.timeOrigin + performance.now();
  const res = await fetchStream(url);
  expect(res.status).toBe(200);
  return { ...JSON.parse(res.body.toString()), askedAt };
}

test('a function\'s first environment runs on the thread started ahead, with only its own variables', async () => {
  process.env.SENTINEL_FROM_THE_SHELL = 'must not reach a handler';
  const { url, diagnostics } = await serve([
    { path: '/a', code: WHO_AM_I, environment: { TABLE_NAME: 'orders' } },
    { path: '/b', code: WHO_AM_I, environment: { QUEUE_URL: 'https://queue' } },
  ], { environment: { EXTRA: 'from --env' } });
  await settle();
  const a = await ask(`${url}/a`);
  // the thread was running before the request was sent
  expect(a.started).toBeLessThan(a.askedAt);
  expect(a.env).toMatchObject({ TABLE_NAME: 'orders', EXTRA: 'from --env', AWS_LAMBDA_FUNCTION_NAME: expect.any(String) });
  expect(a.env.QUEUE_URL).toBeUndefined();
  // the next spare started when the first was taken: the second function binds that one
  await settle();
  const b = await ask(`${url}/b`);
  expect(b.started).toBeLessThan(b.askedAt);
  expect(b.thread).not.toBe(a.thread);
  expect(b.env).toMatchObject({ QUEUE_URL: 'https://queue', EXTRA: 'from --env' });
  expect(b.env.TABLE_NAME).toBeUndefined();
  // each function saw exactly the variables a thread of its own is given (the same set of names
  // but for the function's own), nothing of the developer's shell
  expect(Object.keys(a.env).filter((k) => k !== 'TABLE_NAME').sort()).toEqual(Object.keys(b.env).filter((k) => k !== 'QUEUE_URL').sort());
  for (const secret of ['SENTINEL_FROM_THE_SHELL', 'GITHUB_TOKEN', 'NPM_TOKEN', 'USER', 'PWD']) expect([secret, a.env[secret], b.env[secret]]).toEqual([secret, undefined, undefined]);
  expect(diagnostics.join('\n')).toMatch(/Fn0: cold start, environment 1 of at most 200 ready in \d+ ms/);
  // the same names as a thread started for the function itself
  const own = await serve([{ path: '/a', code: WHO_AM_I, environment: { TABLE_NAME: 'orders' } }], { environment: { EXTRA: 'from --env' }, isolation: 'thread' });
  const fresh = await ask(`${own.url}/a`);
  expect(fresh.started).toBeGreaterThan(fresh.askedAt);
  const names = (env: Record<string, string>) => Object.keys(env).filter((k) => !['LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR', 'LOCAL_GATEWAY_CODE_DIR'].includes(k)).sort();
  expect(names(a.env)).toEqual(names(fresh.env));
});

afterEach(() => delete process.env.SENTINEL_FROM_THE_SHELL);

test('a function that sets NODE_* variables (read when a thread starts) gets a thread of its own', async () => {
  const { url } = await serve([
    { path: '/debug', code: WHO_AM_I, environment: { NODE_DEBUG: 'none-such' } },
    { path: '/plain', code: WHO_AM_I },
  ]);
  await settle();
  const debug = await ask(`${url}/debug`);
  // started for this request, with the variable set from its start
  expect(debug.started).toBeGreaterThan(debug.askedAt);
  expect(debug.env.NODE_DEBUG).toBe('none-such');
  // the spare is still there for the next function
  const plain = await ask(`${url}/plain`);
  expect(plain.started).toBeLessThan(debug.askedAt);
});

test('a spare whose heap bound does not fit the function is left for another', async () => {
  // two environments per thread: a 128 MB function's thread has a 256 MB heap, a 1024 MB one's 2 GB;
  // the spare is started for the first route's function
  const { url } = await serve([
    { path: '/first', code: WHO_AM_I, memorySize: 128 },
    { path: '/second', code: WHO_AM_I, memorySize: 1024 },
  ], { environmentsPerThread: 2 });
  await settle();
  const large = await ask(`${url}/second`);
  expect(large.started).toBeGreaterThan(large.askedAt);
  const small = await ask(`${url}/first`);
  expect(small.started).toBeLessThan(large.askedAt);
});

test('no spare with other isolations, and a spare counts as no environment', async () => {
  const shared = await serve([{ path: '/a', code: WHO_AM_I }]);
  await settle();
  expect(standbyOf(shared.gateway)?.next?.alive).toBe(true);
  expect(shared.gateway.workerCount).toBe(0);
  for (const isolation of ['thread', 'process'] as const) {
    const other = await serve([{ path: '/a', code: WHO_AM_I }], { isolation });
    expect(standbyOf(other.gateway)).toBeUndefined();
  }
  const thread = await serve([{ path: '/a', code: WHO_AM_I }], { isolation: 'thread' });
  const seen = await ask(`${thread.url}/a`);
  expect(seen.started).toBeGreaterThan(seen.askedAt);
});

test('a new synthesis with other memory sizes gets a spare that fits; a stopped gateway keeps none', async () => {
  // two environments per thread: heap bounds of 256 MB (128 MB functions), then 2 GB (1024 MB)
  const { url, gateway } = await serve([{ path: '/r', code: WHO_AM_I, memorySize: 128 }], { environmentsPerThread: 2 });
  const dir = buildAssembly([{ path: '/r', code: WHO_AM_I, memorySize: 1024 }]);
  try {
    gateway.reload(readAssembly(dir));
    await settle();
    const seen = await ask(`${url}/r`);
    expect(seen.started).toBeLessThan(seen.askedAt);
    await gateway.stop();
    gateway.reload(readAssembly(dir));
    expect(standbyOf(gateway)).toBeUndefined();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a thread can serve one function only', () => {
  const standby = new ThreadStandby(resolveWorkerScript());
  try {
    standby.prepare(256);
    const spare = standby.take(256)!;
    expect(spare).toBeDefined();
    // a different heap bound: not this spare
    expect(standby.take(512)).toBeUndefined();
    const fn = { env: {}, memoryMb: 128, capacity: 2, log: () => undefined };
    spare.bind(fn);
    expect(() => spare.bind(fn)).toThrow(/already serves a function/);
    spare.end();
  } finally {
    standby.close();
  }
  expect(standby.next).toBeUndefined();
});

test('the next spare starts a moment after one is taken, not during the burst that took it', async () => {
  const standby = new ThreadStandby(resolveWorkerScript());
  try {
    standby.prepare(256);
    const first = standby.take(256)!;
    expect(standby.next).toBeUndefined();
    await new Promise((r) => setTimeout(r, 400));
    const next = standby.next!;
    expect(next).toBeDefined();
    expect(next).not.toBe(first);
    first.end();
  } finally {
    standby.close();
  }
});

test('a spare keeps no process alive', () => {
  // a process that starts a spare and forgets it still exits by itself
  const script = `
    const { ThreadStandby } = require(${JSON.stringify(path.join(__dirname, '../../../local-gateway/lambda/standby'))});
    const { resolveWorkerScript } = require(${JSON.stringify(path.join(__dirname, '../../../local-gateway/lambda/workers'))});
    const standby = new ThreadStandby(resolveWorkerScript());
    standby.prepare(128);
    const waiting = setTimeout(() => undefined, 30000);
    standby.next.started.then(() => { console.log('spare started, alive: ' + standby.next.alive); clearTimeout(waiting); });`;
  const run = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], { encoding: 'utf8', timeout: 20_000 });
  expect(run.stdout).toContain('spare started, alive: true');
  expect(run.status).toBe(0);
});
