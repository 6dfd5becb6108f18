import { chunkedHandler } from './support/assembly';
import { curl, fetchStream } from './support/clients';
import { serve, until } from './support/serve';

/** A debugger's option; its URL published on /json/list only (not printed on the test's stderr). */
const QUIET_INSPECT = '--inspect=127.0.0.1:0 --inspect-publish-uid=http';

// Execution environments as on Lambda: least exposure of the developer's shell, the function
// timeout and memorySize enforced from outside, one invocation at a time with module state kept,
// a cap per function with requests queued, idle environments retired, cold starts logged.

const ECHO_ENV = `exports.handler = awslambda.streamifyResponse(async (e, s) => {
  const h = awslambda.HttpResponseStream.from(s, { headers: { 'content-type': 'application/json' } });
  h.write(JSON.stringify(process.env)); h.end(); });`;

describe.each(['thread', 'process'] as const)('what a function sees of the environment (%s isolation)', (isolation) => {
  const saved = { ...process.env };
  beforeEach(() => Object.assign(process.env, { GITHUB_TOKEN: 'ghp_from_the_shell', NPM_TOKEN: 'npm_from_the_shell', AWS_ACCESS_KEY_ID: 'AKIAFROMSHELL', AWS_SECRET_ACCESS_KEY: 'shell-secret' }));
  afterEach(() => {
    for (const name of ['GITHUB_TOKEN', 'NPM_TOKEN', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  test('its template, Lambda\'s reserved variables, the AWS credentials and --env: nothing else of the shell', async () => {
    const { url } = await serve([{ path: '/env', code: ECHO_ENV, memorySize: 256, environment: { TABLE_NAME: 'orders' } }], { environment: { EXTRA: 'from --env' }, isolation });
    const env = JSON.parse((await fetchStream(`${url}/env`)).body.toString());
    expect(env.GITHUB_TOKEN).toBeUndefined();
    expect(env.NPM_TOKEN).toBeUndefined();
    expect(env).toMatchObject({
      TABLE_NAME: 'orders',
      EXTRA: 'from --env',
      AWS_LAMBDA_FUNCTION_NAME: 'Fn0',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      _HANDLER: 'index.handler',
      AWS_ACCESS_KEY_ID: 'AKIAFROMSHELL',
      AWS_SECRET_ACCESS_KEY: 'shell-secret',
    });
    expect(typeof env.AWS_REGION).toBe('string');
    expect(typeof env.LAMBDA_TASK_ROOT).toBe('string');
    const shellOnly = Object.keys(saved).filter((name) => !['PATH', 'LANG', 'HOME', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'TZ'].includes(name) && !name.startsWith('AWS_'));
    for (const name of shellOnly) expect([name, env[name]]).toEqual([name, undefined]);
  });

  test('awsCredentials: false withholds the shell\'s AWS credentials', async () => {
    const { url } = await serve([{ path: '/env', code: ECHO_ENV }], { awsCredentials: false, isolation });
    const env = JSON.parse((await fetchStream(`${url}/env`)).body.toString());
    expect(env.AWS_ACCESS_KEY_ID).not.toBe('AKIAFROMSHELL');
    expect(env.AWS_SECRET_ACCESS_KEY).not.toBe('shell-secret');
  });
});

describe.each(['thread', 'process'] as const)('the function timeout and memorySize (%s isolation)', (isolation) => {
  test('a handler that never yields is ended at its function timeout; its environment is replaced', async () => {
    const spin = 'let n = 0; exports.handler = awslambda.streamifyResponse(async (e, s) => { n++; if (e.queryStringParameters?.spin) for (;;) {} const h = awslambda.HttpResponseStream.from(s, {}); h.write(String(n)); h.end(); });';
    const { url, gateway, diagnostics } = await serve([{ path: '/f', code: spin, functionTimeoutSeconds: 1 }], { isolation });
    const seen = await fetchStream(`${url}/f?spin=1`);
    expect(seen.status).toBe(504);
    expect(diagnostics.join('\n')).toMatch(/the function timed out/); // (its timeout, not the integration's)
    expect(gateway.workerCount).toBe(0);
    // a fresh environment: module state starts again
    const next = await fetchStream(`${url}/f`);
    expect(next.status).toBe(200);
  });

  test('a handler that spins after its first byte has its connection cut at the function timeout', async () => {
    const code = 'exports.handler = awslambda.streamifyResponse(async (e, s) => { const h = awslambda.HttpResponseStream.from(s, {}); h.write(\'started\'); await new Promise((r) => setTimeout(r, 50)); for (;;) {} });';
    const { url, diagnostics } = await serve([{ path: '/f', code, functionTimeoutSeconds: 1 }], { isolation });
    const seen = await curl([`${url}/f`]);
    expect(seen.body).toBe('started');
    expect(seen.exitCode).toBe(18);
    expect(diagnostics.join('\n')).toMatch(/GET \/f: the function timed out/);
  });

  test.each([
    ['its heap', 'const keep = []; for (;;) keep.push(new Array(100000).fill({ x: Math.random() }));'],
    ['buffers outside the heap', 'const keep = []; for (let i = 0; i < 400; i++) { keep.push(Buffer.alloc(4 * 1024 * 1024, 1)); await new Promise((r) => setImmediate(r)); }'],
    ['buffers, without ever yielding', 'const keep = []; for (;;) keep.push(Buffer.alloc(10 * 1024 * 1024, 1));'],
  ])('a function that outgrows memorySize through %s fails like Runtime.OutOfMemory; the gateway stays up', async (_how, grow) => {
    const code = `exports.handler = awslambda.streamifyResponse(async (e, s) => { if (e.queryStringParameters?.grow) { ${grow} } const h = awslambda.HttpResponseStream.from(s, {}); h.write('fine'); h.end(); });`;
    const { url, diagnostics } = await serve([{ path: '/m', code, memorySize: 128, functionTimeoutSeconds: 30 }], { isolation });
    const seen = await fetchStream(`${url}/m?grow=1`);
    expect(seen.status).toBe(500);
    expect(diagnostics.join('\n')).toMatch(/Runtime.OutOfMemory/);
    expect((await fetchStream(`${url}/m`)).body.toString()).toBe('fine');
  });
});

describe.each(['thread', 'process'] as const)('a function\'s init is bounded as on Lambda (%s isolation)', (isolation) => {
  const OK = 'exports.handler = awslambda.streamifyResponse(async (e, s) => { awslambda.HttpResponseStream.from(s, {}).write(\'ok\'); s.end(); });';
  // (Lambda's init limit is 10 s: lowered with initLimitMs, as for the other limits in these tests)

  test('an init that never finishes is ended at the limit, retried within the function timeout, then the invocation times out', async () => {
    const code = `for (;;) {}\n${OK}`;
    const { url, diagnostics } = await serve([{ path: '/spin', code, functionTimeoutSeconds: 1 }, { path: '/ok', code: OK }], { isolation, initLimitMs: 300 });
    const seen = await fetchStream(`${url}/spin`);
    expect(seen.status).toBe(504);
    expect(diagnostics.join('\n')).toMatch(/init did not finish in 0.3 s \(Lambda's limit for the init phase\)/);
    expect(diagnostics.join('\n')).toMatch(/init did not finish within the function timeout either/);
    // nothing of it keeps spinning: the gateway's process is idle again, and serves
    await new Promise((r) => setTimeout(r, 400));
    const cpu = process.cpuUsage();
    await new Promise((r) => setTimeout(r, 500));
    const used = process.cpuUsage(cpu);
    expect((used.user + used.system) / 1000).toBeLessThan(250);
    expect((await fetchStream(`${url}/ok`)).body.toString()).toBe('ok');
  });

  test('an init slower than the limit gets its retry within the function timeout, and the request its answer', async () => {
    const code = `const until = Date.now() + 500; while (Date.now() < until) { /* a heavy init */ }\n${OK}`;
    const { url, diagnostics } = await serve([{ path: '/slow', code, functionTimeoutSeconds: 3 }], { isolation, initLimitMs: 300 });
    const seen = await fetchStream(`${url}/slow`);
    expect([seen.status, seen.body.toString()]).toEqual([200, 'ok']);
    expect(diagnostics.join('\n')).toMatch(/init did not finish in 0.3 s/);
  });

  test('the integration timeout covers the wait for an init: a 504 when it passes first', async () => {
    const code = `for (;;) {}\n${OK}`;
    const { url, diagnostics } = await serve([{ path: '/spin', code, functionTimeoutSeconds: 30, timeoutMs: 800 }], { isolation });
    const seen = await fetchStream(`${url}/spin`);
    expect(seen.status).toBe(504);
    expect(JSON.parse(seen.body.toString())).toEqual({ message: 'Endpoint request timed out' });
    expect(diagnostics.join('\n')).toMatch(/no execution environment was ready within the integration timeout/);
  });
});

describe.each(['thread', 'process'] as const)('environments per function (%s isolation)', (isolation) => {
  const PID = `let invocations = 0;
exports.handler = awslambda.streamifyResponse(async (e, s) => {
  invocations++;
  const h = awslambda.HttpResponseStream.from(s, {});
  await new Promise((r) => setTimeout(r, 300));
  h.write(JSON.stringify({ pid: process.pid, invocations })); h.end(); });`;

  test('an environment runs one invocation at a time and keeps its module state; past the cap, requests wait', async () => {
    const { url, gateway, diagnostics } = await serve([{ path: '/p', code: PID }], { maxEnvironments: 2, isolation });
    let most = 0;
    const watch = setInterval(() => (most = Math.max(most, gateway.workerCount)), 20);
    const answers = await Promise.all(Array.from({ length: 6 }, () => fetchStream(`${url}/p`)));
    clearInterval(watch);
    const bodies = answers.map((a) => JSON.parse(a.body.toString()));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(new Set(bodies.map((b) => b.pid)).size).toBeLessThanOrEqual(2);
    expect(most).toBeLessThanOrEqual(2);
    // six invocations over at most two environments: module state counted up in each
    expect(Math.max(...bodies.map((b) => b.invocations))).toBeGreaterThanOrEqual(3);
    expect(diagnostics.filter((d) => /cold start/.test(d)).length).toBeLessThanOrEqual(2);
    expect(diagnostics.join('\n')).toMatch(/Fn0: cold start, environment 1 of at most 2 ready in \d+ ms/);
  });

  test('an idle environment is retired after the idle time', async () => {
    const { url, gateway } = await serve([{ path: '/a', code: chunkedHandler({}, ['a']) }], { idleEnvironmentMs: 300, isolation });
    expect((await fetchStream(`${url}/a`)).body.toString()).toBe('a');
    expect(gateway.workerCount).toBe(1);
    await until(() => gateway.workerCount === 0, 'the idle environment is retired'); // (not a sleep: when, the timer decides)
    expect((await fetchStream(`${url}/a`)).body.toString()).toBe('a');
  });
});

test('NODE_OPTIONS a thread honours goes to the function\'s threads; a debugger gets it a process of its own', async () => {
  const code = `exports.handler = awslambda.streamifyResponse(async (e, s) => {
    const h = awslambda.HttpResponseStream.from(s, {}); h.write(String(require('worker_threads').isMainThread) + ' ' + process.execArgv.join(' ')); h.end(); });`;
  const threaded = await serve([{ path: '/t', code }]);
  expect((await fetchStream(`${threaded.url}/t`)).body.toString()).toBe('false ');
  const withOptions = await serve([{ path: '/t', code, environment: { NODE_OPTIONS: '--no-warnings' } }]);
  expect((await fetchStream(`${withOptions.url}/t`)).body.toString()).toBe('false --no-warnings');
  const debugged = await serve([{ path: '/t', code, environment: { NODE_OPTIONS: QUIET_INSPECT } }]);
  expect((await fetchStream(`${debugged.url}/t`)).body.toString()).toMatch(/^true --max-old-space-size=128/);
});
