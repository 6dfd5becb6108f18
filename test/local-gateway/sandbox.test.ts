import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { curl, fetchStream } from './support/clients';
import { serve } from './support/serve';
import { threadHint } from '../../local-gateway/integrations/lambda-output';
import { decideIsolation, nodeOptions } from '../../local-gateway/lambda/isolation';

/** A debugger's option; its URL published on /json/list only (not printed on the test's stderr). */
const QUIET_INSPECT = '--inspect=127.0.0.1:0 --inspect-publish-uid=http';

// Each execution environment is a sandbox of its own, as on Lambda: a worker thread (its own
// isolate, globals, built-ins, modules and process.env), one invocation at a time, frozen between
// invocations; what ends one environment (a spin past the timeout, a crash) ends no other.

/** Module state as logging libraries keep it: the current invocation's id, read after an await. */
const CURRENT_INVOCATION = `let current; let invocations = 0;
exports.handler = awslambda.streamifyResponse(async (event, s) => {
  current = event.queryStringParameters.id;
  invocations++;
  await new Promise((r) => setTimeout(r, 200));
  const h = awslambda.HttpResponseStream.from(s, {});
  h.write(JSON.stringify({ current, invocations, thread: require('worker_threads').threadId })); h.end(); });`;

test('concurrent invocations each see their own module state', async () => {
  const { url } = await serve([{ path: '/c', code: CURRENT_INVOCATION }]);
  const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
  const bodies = (await Promise.all(ids.map((id) => fetchStream(`${url}/c?id=${id}`)))).map((r) => JSON.parse(r.body.toString()));
  // each invocation reads back its own id: no other environment overwrote it during the await
  expect(bodies.map((b) => b.current)).toEqual(ids);
  expect(bodies.every((b) => b.invocations === 1)).toBe(true);
  // each in an environment of its own
  expect(new Set(bodies.map((b) => b.thread)).size).toBe(ids.length);
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

test('a handler that spins past its timeout ends its own environment: the invocation beside it runs to its end', async () => {
  const code = `exports.handler = awslambda.streamifyResponse(async (e, s) => {
    const h = awslambda.HttpResponseStream.from(s, {}); h.write('started');
    if (e.queryStringParameters?.spin) { await new Promise((r) => setTimeout(r, 20)); for (;;) {} }
    await new Promise((r) => setTimeout(r, Number(e.queryStringParameters?.wait ?? 0))); h.end('done'); });`;
  const { url, diagnostics } = await serve([{ path: '/s', code, functionTimeoutSeconds: 1 }]);
  // (the neighbour runs from 0.4 s to 1.2 s: the spinning one is ended at 1 s, in the middle)
  const besideLater = new Promise((r) => setTimeout(r, 400)).then(() => curl([`${url}/s?wait=800`]));
  const [spinning, beside] = await Promise.all([curl([`${url}/s?spin=1`]), besideLater]);
  // the spinning one is cut at its timeout; its neighbour, running then, finishes whole
  expect([spinning.body, spinning.exitCode]).toEqual(['started', 18]);
  expect([beside.body, beside.exitCode]).toEqual(['starteddone', 0]);
  expect(diagnostics.join('\n')).toMatch(/GET \/s: the function timed out/);
  expect((await curl([`${url}/s`])).body).toBe('starteddone');
});

test('a handler that blocks its environment for 20 s does not delay a second request to the same function', async () => {
  const code = `exports.handler = awslambda.streamifyResponse(async (e, s) => {
    const h = awslambda.HttpResponseStream.from(s, {}); h.write('started ');
    if (e.queryStringParameters?.block) { const until = Date.now() + 20000; while (Date.now() < until) { /* synchronous work */ } }
    h.end('done'); });`;
  const { url } = await serve([{ path: '/b', code, functionTimeoutSeconds: 30 }]);
  const blocked = curl([`${url}/b?block=1`]);
  await new Promise((r) => setTimeout(r, 300)); // it has started blocking
  const second = await curl([`${url}/b`]);
  expect([second.exitCode, second.body]).toEqual([0, 'started done']);
  expect(second.totalMs).toBeLessThan(5000); // a cold start, not 20 s behind the blocked one
  void blocked; // (cut when the gateway stops)
}, 30_000);

describe('garbage is not memory a function holds', () => {
  test('a handler that makes 40 MB of garbage on each call, far below memorySize once collected, is never out of memory', async () => {
    // About 40 MB of short-lived objects a call, as a handler that builds a report from many
    // rows makes: over a few calls the uncollected garbage passes 128 MB.
    const code = `exports.handler = awslambda.streamifyResponse(async (e, s) => {
      let rows = []; for (let i = 0; i < 300000; i++) rows.push({ i, name: 'row-' + i + '-'.repeat(60) });
      const h = awslambda.HttpResponseStream.from(s, {}); h.write('rows ' + rows.length); rows = null; h.end(); });`;
    const { url, diagnostics } = await serve([{ path: '/parse', code, memorySize: 128 }]);
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++) {
      const seen = await fetchStream(`${url}/parse`);
      statuses.push(seen.status);
    }
    expect(statuses).toEqual(new Array(15).fill(200));
    expect(diagnostics.join('\n')).not.toMatch(/OutOfMemory|memory reached/);
  });
});

test('an uncaught exception in a handler ends its environment with Runtime.ExitError; the gateway stays up', async () => {
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
  // the environment cut short was ended; the one that finished stays warm
  await new Promise((r) => setTimeout(r, 200));
  expect(gateway.workerCount).toBe(1);
  expect((await fetchStream(`${url}/l`)).body.toString()).toBe('0123456789');
});

test('a handler that replaces process.env does not stop its function from starting more environments', async () => {
  // configuration libraries do this: the thread still knows where the function's code is
  const code = `process.env = { TABLE: 'from-config' };
    exports.handler = awslambda.streamifyResponse(async (e, s) => {
      await new Promise((r) => setTimeout(r, 200));
      const h = awslambda.HttpResponseStream.from(s, {}); h.write(process.env.TABLE); h.end(); });`;
  const { url, diagnostics } = await serve([{ path: '/e', code }]);
  expect((await fetchStream(`${url}/e`)).body.toString()).toBe('from-config');
  // two at once: a second and a third environment
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

  test('fails in a thread (the default) with a log line that says to serve it with --isolation process', async () => {
    const { url, diagnostics } = await serve([{ path: '/cd', code }]);
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

describe('each environment its own sandbox', () => {
  test('one environment cannot see another\'s globals, process.env or patched built-ins', async () => {
    // GIVEN a handler that, when asked, leaves its mark everywhere a careless module might
    const code = `exports.handler = awslambda.streamifyResponse(async (e, s) => {
      if (e.queryStringParameters?.mark) {
        globalThis.leftBehind = 'mark'; process.env.LEFT_BEHIND = 'mark';
        Math.max = () => 42;
        Object.prototype.polluted = 'yes';
      }
      await new Promise((r) => setTimeout(r, 300));
      const h = awslambda.HttpResponseStream.from(s, {});
      h.write([typeof globalThis.leftBehind, process.env.LEFT_BEHIND ?? 'unset', Math.max(1, 2), ({}).polluted ?? 'clean'].join(' '));
      h.end(); });`;
    const { url } = await serve([{ path: '/g', code }]);
    // WHEN one environment marks itself while another runs beside it
    const [marked, beside] = await Promise.all([fetchStream(`${url}/g?mark=1`), fetchStream(`${url}/g`)]);
    // THEN only the first sees its marks
    expect(marked.body.toString()).toBe('string mark 42 yes');
    expect(beside.body.toString()).toBe('undefined unset 2 clean');
  });

  test('an idle environment is frozen: a loop its handler left running uses no CPU, and runs on at the next invocation', async () => {
    // GIVEN a handler that leaves a setImmediate loop and a setInterval behind when it returns
    const code = `let spins = 0; let ticks = 0; let started = false;
      exports.handler = awslambda.streamifyResponse(async (e, s) => {
        if (!started) { started = true; (function spin() { spins++; setImmediate(spin); })(); setInterval(() => ticks++, 1); }
        await new Promise((r) => setTimeout(r, 50));
        const h = awslambda.HttpResponseStream.from(s, {}); h.write(JSON.stringify({ spins, ticks })); h.end(); });`;
    const { url } = await serve([{ path: '/f', code }], { maxEnvironments: 1 });
    const first = JSON.parse((await fetchStream(`${url}/f`)).body.toString());
    expect(first.spins).toBeGreaterThan(10); // it ran during the invocation
    // WHEN the environment idles for 1.5 s
    await new Promise((r) => setTimeout(r, 100));
    const cpuBefore = process.cpuUsage();
    await new Promise((r) => setTimeout(r, 1500));
    const cpu = process.cpuUsage(cpuBefore);
    // THEN this process (gateway and environments) used next to no CPU: a spinning loop would use a core
    expect((cpu.user + cpu.system) / 1000).toBeLessThan(300);
    // AND the loop runs on when the next invocation thaws the environment
    const second = JSON.parse((await fetchStream(`${url}/f`)).body.toString());
    expect(second.spins).toBeGreaterThan(first.spins);
  });

  test('a function built as StreamingFunction builds it (source maps on, in NODE_OPTIONS) runs in a thread, and its stacks name its TypeScript source', async () => {
    // GIVEN a TypeScript handler bundled with an inline source map, and NODE_OPTIONS=--enable-source-maps
    // eslint-disable-next-line @typescript-eslint/no-require-imports, import/no-extraneous-dependencies
    const esbuild = require('esbuild') as typeof import('esbuild');
    const source = ['import { isMainThread } from \'worker_threads\';', 'export const handler = awslambda.streamifyResponse(async (e: unknown, s: any) => {',
      '  const where: string = new Error(\'where\').stack ?? \'\';', '  const h = awslambda.HttpResponseStream.from(s, {});',
      '  h.write(JSON.stringify({ isMainThread, where }));', '  h.end();', '});', 'declare const awslambda: any;'].join('\n');
    const bundled = esbuild.transformSync(source, { loader: 'ts', format: 'cjs', sourcemap: 'inline', sourcefile: 'chat-handler.ts' }).code;
    const { url, diagnostics } = await serve([{ path: '/sm', code: bundled, environment: { NODE_OPTIONS: '--enable-source-maps' } }]);
    // WHEN it is invoked
    const seen = JSON.parse((await fetchStream(`${url}/sm`)).body.toString());
    // THEN it ran in a worker thread (no process), and the stack points into chat-handler.ts
    expect(seen.isMainThread).toBe(false);
    expect(seen.where).toMatch(/chat-handler\.ts:3/);
    expect(diagnostics.join('\n')).not.toMatch(/runs in a process/);
  });
});

describe('one decision of isolation', () => {
  test('threads by default and for Node options a thread honours; a process for a debugger or a process-wide flag, saying why', () => {
    expect(decideIsolation({})).toMatchObject({ isolation: 'thread', maxEnvironments: 100, execArgv: [] });
    expect(decideIsolation({ NODE_OPTIONS: '--enable-source-maps' })).toMatchObject({ isolation: 'thread', execArgv: ['--enable-source-maps'] });
    expect(decideIsolation({ NODE_OPTIONS: '--require ./tracer.js --no-deprecation' })).toMatchObject({ isolation: 'thread' });
    expect(decideIsolation({ NODE_OPTIONS: '--inspect=0' })).toMatchObject({ isolation: 'process', maxEnvironments: 10, why: expect.stringMatching(/--inspect=0: a debugger attaches to a process/) });
    expect(decideIsolation({ NODE_OPTIONS: '--enable-source-maps --max-old-space-size=100' })).toMatchObject({ isolation: 'process', why: expect.stringMatching(/--max-old-space-size=100.*Node refuses it for a thread/) });
    // what is asked for wins, and sizes the cap
    expect(decideIsolation({ NODE_OPTIONS: '--inspect' }, 'thread')).toMatchObject({ isolation: 'thread' });
    expect(decideIsolation({}, 'process', 3)).toMatchObject({ isolation: 'process', maxEnvironments: 3 });
  });

  test('NODE_OPTIONS is split as Node splits it', () => {
    expect(nodeOptions('  --a  --b=1 ')).toEqual(['--a', '--b=1']);
    expect(nodeOptions('--require "./my file.js" --title="a \\"b\\""')).toEqual(['--require', './my file.js', '--title=a "b"']);
    expect(nodeOptions('')).toEqual([]);
  });

  test('a function whose NODE_OPTIONS opens a debugger runs in processes, and the log says why', async () => {
    const code = 'exports.handler = awslambda.streamifyResponse(async (e, s) => { const h = awslambda.HttpResponseStream.from(s, {}); h.write(String(require(\'worker_threads\').isMainThread)); h.end(); });';
    const { url, diagnostics } = await serve([{ path: '/p', code, environment: { NODE_OPTIONS: QUIET_INSPECT } }]);
    expect((await fetchStream(`${url}/p`)).body.toString()).toBe('true');
    expect(diagnostics.join('\n')).toMatch(/runs in a process per execution environment: its NODE_OPTIONS has --inspect=127\.0\.0\.1:0/);
  });
});
