import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { buildAssembly } from './support/assembly';
import { curl, fetchStream } from './support/clients';
import { startCommandLine, stopCommandLines } from './support/command-line';
import { readAssembly } from '../../local-gateway/assembly';
import { LocalStreamingGateway } from '../../local-gateway/gateway';
import { WebAppProcess } from '../../local-gateway/web-app/adapter';
import { isWebAppFunction, missingLanguage, startCommand } from '../../local-gateway/web-app/language';
import { tempDir } from '../support/temp-dirs';

// A plain-Python streaming web app (standard library only) run the way the Lambda Web Adapter
// runs it: its start script, a port of its own, the readiness check, then HTTP.

const APP_DIR = path.join(__dirname, 'apps', 'python-web-app', 'app');
const tmp = () => tempDir('web-app');

/** The process `pid` is running. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('a web app behind the Lambda Web Adapter', () => {
  let app: WebAppProcess;
  const lines: string[] = [];

  beforeAll(() => {
    app = new WebAppProcess(
      { logicalId: 'PythonApp', codeDir: APP_DIR, startScript: 'run.sh', runtime: 'python3.13', environment: { CHUNK_DELAY_S: '0.3', AWS_LWA_PORT: '8080' } },
      { log: (line) => lines.push(line) },
    );
  });
  afterAll(() => app.stop());

  test('starts from its start script on a free port and answers once ready', async () => {
    const url = await app.url();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(url).not.toBe('http://127.0.0.1:8080');
    const ready = await fetch(`${url}/`);
    expect(await ready.json()).toEqual({ ok: true });
    expect(lines.some((l) => /web app ready on port \d+ \(cold start \d+ ms\)/.test(l))).toBe(true);
    // A second call reuses the running app.
    expect(await app.url()).toBe(url);
  }, 20_000);

  test('its chunked response arrives chunk by chunk', async () => {
    const url = await app.url();
    const seen = await curl([`${url}/stream`]);
    expect(seen.exitCode).toBe(0);
    expect(seen.body.match(/^data: /gm)).toHaveLength(3);
    expect(seen.arrivals.length).toBeGreaterThanOrEqual(3);
    expect(seen.arrivals[0]).toBeLessThan(seen.totalMs - 400);
  }, 20_000);

  test('an app that exits before it is ready is reported with its output', async () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'run.sh'), '#!/bin/sh\necho "boom: no module named uvicorn" >&2\nexit 3\n');
    const broken = new WebAppProcess({ logicalId: 'Broken', codeDir: dir, startScript: 'run.sh', runtime: 'python3.13', environment: {} }, { log: () => undefined });
    await expect(broken.url()).rejects.toThrow(/exited \(code 3\) before it was ready[\s\S]*no module named uvicorn/);
  });
});

test('a missing language names what to install; an installed one passes', () => {
  expect(missingLanguage('python3.13', '/nonexistent')).toMatch(/python3\.13, which is not installed here: install Python 3/);
  expect(missingLanguage('java21', '/nonexistent')).toMatch(/install a Java runtime/);
  expect(missingLanguage('python3.13')).toBeUndefined();
  expect(missingLanguage('provided.al2023', '/nonexistent')).toBeUndefined();
});

test('the start command follows the script\'s shebang', () => {
  const dir = tmp();
  fs.writeFileSync(path.join(dir, 'a.sh'), '#!/usr/bin/env python3 -u\nprint(1)\n');
  fs.writeFileSync(path.join(dir, 'b.sh'), 'exec node server.js\n');
  expect(startCommand(path.join(dir, 'a.sh'))).toEqual(['/usr/bin/env', 'python3', '-u', path.join(dir, 'a.sh')]);
  expect(startCommand(path.join(dir, 'b.sh'))).toEqual(['/bin/sh', path.join(dir, 'b.sh')]);
});

test('web app functions are recognised by the adapter\'s wrapper or layer', () => {
  expect(isWebAppFunction({ AWS_LAMBDA_EXEC_WRAPPER: '/opt/bootstrap', AWS_LWA_INVOKE_MODE: 'response_stream' })).toBe(true);
  expect(isWebAppFunction({ AWS_LWA_PORT: '8000' }, ['arn:aws:lambda:us-east-1:753240598075:layer:LambdaAdapterLayerX86:25'])).toBe(true);
  expect(isWebAppFunction({ MODEL_ID: 'x' }, ['arn:aws:lambda:us-east-1:1:layer:Other:1'])).toBe(false);
});

describe('web apps written the hard way', () => {
  /** A start script running a Node server (Lambda's Node runtime has node on PATH). */
  function nodeApp(server: string, script = '#!/bin/sh\nexec node server.js\n'): string {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'run.sh'), script, { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'server.js'), server);
    return dir;
  }
  const SERVER = 'require(\'http\').createServer((req, res) => res.end(String(process.pid))).listen(Number(process.env.PORT), \'127.0.0.1\');';

  test('requests that arrive together during a cold start share one app', async () => {
    const app = new WebAppProcess({ logicalId: 'Once', codeDir: nodeApp(SERVER), startScript: 'run.sh', runtime: 'nodejs22.x', environment: {} }, { log: () => undefined });
    try {
      const urls = await Promise.all([app.url(), app.url(), app.url()]);
      expect(new Set(urls).size).toBe(1);
      expect(await app.url()).toBe(urls[0]);
    } finally {
      app.stop();
    }
  });

  test('an app that exits is started again on the next request', async () => {
    const app = new WebAppProcess({ logicalId: 'Again', codeDir: nodeApp(SERVER), startScript: 'run.sh', runtime: 'nodejs22.x', environment: {} }, { log: () => undefined });
    try {
      const first = await app.url();
      const pid = Number(await (await fetch(first)).text());
      process.kill(pid, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 200));
      const second = await app.url();
      expect(Number(await (await fetch(second)).text())).not.toBe(pid);
    } finally {
      app.stop();
    }
  });

  test('a start script that puts its server in the background and exits leaves no server behind', async () => {
    const dir = nodeApp(`require('fs').writeFileSync('pid', String(process.pid)); ${SERVER}`, '#!/bin/sh\nnohup node server.js >/dev/null 2>&1 &\nwhile [ ! -f pid ]; do sleep 0.05; done\nsleep 0.3\nexit 0\n');
    const lines: string[] = [];
    const app = new WebAppProcess({ logicalId: 'Background', codeDir: dir, startScript: 'run.sh', runtime: 'nodejs22.x', environment: {} }, { log: (line) => lines.push(line) });
    try {
      await app.url(); // the server answers its readiness check before the script exits
      const pid = Number(fs.readFileSync(path.join(dir, 'pid'), 'utf8'));
      const deadline = Date.now() + 3000;
      while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(alive(pid)).toBe(false);
      expect(lines.join('\n')).toMatch(/the start script exited \(code 0\): the web app's processes were ended/);
    } finally {
      app.stop();
    }
  });
});

test('through the gateway, the function timeout bounds a web app\'s answer (504), as Lambda bounds the adapter\'s invocation', async () => {
  // An app that answers /quick at once and never answers /hang; a function timeout of 1 s.
  const server = 'require(\'http\').createServer((req, res) => { if (req.url !== \'/hang\') res.end(\'quick\'); }).listen(Number(process.env.PORT), \'127.0.0.1\');';
  const wrapper = { AWS_LAMBDA_EXEC_WRAPPER: '/opt/bootstrap', AWS_LWA_INVOKE_MODE: 'response_stream' };
  const dir = buildAssembly([
    { path: '/quick', code: server, environment: wrapper, functionTimeoutSeconds: 1, runtime: 'nodejs22.x' },
    { path: '/hang', code: server, environment: wrapper, functionTimeoutSeconds: 1, runtime: 'nodejs22.x' },
  ]);
  for (const asset of ['asset.0', 'asset.1']) fs.writeFileSync(path.join(dir, asset, 'index.handler'), '#!/bin/sh\nexec node index.js\n', { mode: 0o755 });
  const gateway = LocalStreamingGateway.fromAssembly(dir, { port: 0, log: () => undefined, accessLog: () => undefined });
  const url = await gateway.start();
  try {
    expect(await (await fetch(`${url}/quick`)).text()).toBe('quick');
    const started = performance.now();
    const hung = await fetch(`${url}/hang`);
    expect(hung.status).toBe(504);
    expect(performance.now() - started).toBeLessThan(3000);
  } finally {
    await gateway.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('an app that closes each connection after answering, without saying so, gets every request through the gateway', async () => {
  // A hand-written HTTP/1.1 server (as small embedded servers are) that answers and then closes
  // the connection without a `Connection: close` header: a client that keeps the readiness check's
  // connection, or a request's, for the next request finds it closed.
  const server = [
    'const net = require(\'net\');',
    'let n = 0;',
    'net.createServer((socket) => socket.once(\'data\', () => {',
    '  const body = String(++n);',
    '  socket.write(`HTTP/1.1 200 OK\\r\\ncontent-type: text/plain\\r\\ncontent-length: ${body.length}\\r\\n\\r\\n${body}`);',
    '  setTimeout(() => socket.destroy(), 5);',
    '})).listen(Number(process.env.PORT), \'127.0.0.1\');',
  ].join('\n');
  const wrapper = { AWS_LAMBDA_EXEC_WRAPPER: '/opt/bootstrap', AWS_LWA_INVOKE_MODE: 'response_stream' };
  const dir = buildAssembly([{ path: '/closing', code: server, environment: wrapper, functionTimeoutSeconds: 5, runtime: 'nodejs22.x' }]);
  fs.writeFileSync(path.join(dir, 'asset.0', 'index.handler'), '#!/bin/sh\nexec node index.js\n', { mode: 0o755 });
  const logs: string[] = [];
  const gateway = LocalStreamingGateway.fromAssembly(dir, { port: 0, log: (line) => logs.push(line), accessLog: () => undefined });
  const url = await gateway.start();
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const response = await fetch(`${url}/closing`);
      statuses.push(response.status);
      await response.text();
    }
    expect(statuses).toEqual(new Array(20).fill(200));
  } finally {
    await gateway.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 20_000);

test.each([true, false])('a web app gets the environment any function gets, and nothing else of the shell (awsCredentials %s)', async (awsCredentials) => {
  // The app answers with the variables it was started with.
  const server = 'require(\'http\').createServer((req, res) => res.end(JSON.stringify(process.env))).listen(Number(process.env.PORT), \'127.0.0.1\');';
  const dir = buildAssembly([{ path: '/env', code: server, environment: { AWS_LAMBDA_EXEC_WRAPPER: '/opt/bootstrap', APP_SETTING: 'mine' }, runtime: 'nodejs22.x', memorySize: 512 }]);
  fs.writeFileSync(path.join(dir, 'asset.0', 'index.handler'), '#!/bin/sh\nexec node index.js\n', { mode: 0o755 });
  const shell = { GITHUB_TOKEN: 'ghp_from_the_shell', AWS_ACCESS_KEY_ID: 'AKIA_SHELL', AWS_SECRET_ACCESS_KEY: 'shell-secret', AWS_REGION: 'eu-west-3' };
  const saved = Object.fromEntries(Object.keys(shell).map((k) => [k, process.env[k]]));
  Object.assign(process.env, shell);
  const gateway = LocalStreamingGateway.fromAssembly(dir, { port: 0, awsCredentials, environment: { EXTRA: 'from --env' }, log: () => undefined, accessLog: () => undefined });
  try {
    const url = await gateway.start();
    const env = await (await fetch(`${url}/env`)).json() as Record<string, string>;
    expect(env).toMatchObject({
      APP_SETTING: 'mine',
      EXTRA: 'from --env',
      AWS_REGION: 'eu-west-3',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
      AWS_LAMBDA_FUNCTION_NAME: expect.any(String),
      TZ: ':UTC',
      AWS_ACCESS_KEY_ID: awsCredentials ? 'AKIA_SHELL' : 'local',
      AWS_SECRET_ACCESS_KEY: awsCredentials ? 'shell-secret' : 'local',
    });
    expect(env.PORT).toMatch(/^\d+$/);
    expect(env.AWS_LWA_PORT).toBe(env.PORT);
    expect(env.GITHUB_TOKEN).toBeUndefined();
    expect(env.AWS_LAMBDA_EXEC_WRAPPER).toBeUndefined();
  } finally {
    await gateway.stop();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a reload lets a web app finish the streams it is answering, then ends it; new requests go to the new app', async () => {
  // An app that streams 10 lines, 100 ms apart, each with its process id.
  const server = 'require(\'http\').createServer(async (req, res) => { for (let i = 0; i < 10; i++) { res.write(process.pid + \' \' + i + \'\\n\'); await new Promise((r) => setTimeout(r, 100)); } res.end(); }).listen(Number(process.env.PORT), \'127.0.0.1\');';
  const dir = buildAssembly([{ path: '/lines', code: server, environment: { AWS_LAMBDA_EXEC_WRAPPER: '/opt/bootstrap', AWS_LWA_INVOKE_MODE: 'response_stream' }, runtime: 'nodejs22.x' }]);
  fs.writeFileSync(path.join(dir, 'asset.0', 'index.handler'), '#!/bin/sh\nexec node index.js\n', { mode: 0o755 });
  const gateway = LocalStreamingGateway.fromAssembly(dir, { port: 0, log: () => undefined, accessLog: () => undefined });
  try {
    const url = await gateway.start();
    const streaming = fetchStream(`${url}/lines`);
    await new Promise((r) => setTimeout(r, 300));
    gateway.reload(readAssembly(dir)); // a new synthesis, mid-stream
    const after = (await fetchStream(`${url}/lines`)).body.toString();
    const before = (await streaming).body.toString();
    const oldPid = Number(before.split(' ')[0]);
    expect(before).toBe(Array.from({ length: 10 }, (_, i) => `${oldPid} ${i}\n`).join(''));
    const newPid = Number(after.split(' ')[0]);
    expect(newPid).not.toBe(oldPid);
    expect(after).toBe(Array.from({ length: 10 }, (_, i) => `${newPid} ${i}\n`).join(''));
    const deadline = Date.now() + 3000;
    while (alive(oldPid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(alive(oldPid)).toBe(false);
    expect(alive(newPid)).toBe(true);
  } finally {
    await gateway.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

describe('web apps do not outlive the gateway', () => {
  // A web app runs in a process group of its own (so that it can be ended whole): nothing else
  // would end it when the gateway's process goes.
  const server = 'require(\'http\').createServer((req, res) => res.end(String(process.pid))).listen(Number(process.env.PORT), \'127.0.0.1\');';
  async function gone(pid: number): Promise<boolean> {
    const deadline = Date.now() + 5000;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return !alive(pid);
  }
  afterEach(stopCommandLines);

  test('closing the terminal that runs serve (SIGHUP) ends the web app', async () => {
    const dir = buildAssembly([{ path: '/web', code: server, environment: { AWS_LAMBDA_EXEC_WRAPPER: '/opt/bootstrap' }, runtime: 'nodejs22.x' }]);
    fs.writeFileSync(path.join(dir, 'asset.0', 'index.handler'), '#!/bin/sh\nexec node index.js\n', { mode: 0o755 });
    try {
      const { url, child } = await startCommandLine(['serve', '--app', dir, '--port', '0', '--no-reload']);
      const pid = Number(await (await fetch(`${url}/web`)).text());
      expect(alive(pid)).toBe(true);
      process.kill(-child.pid!, 'SIGHUP'); // as a terminal does, to its process group
      expect(await gone(pid)).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  /**
   * Starts the web app in `dir` (run.sh) from a process of its own, which prints the app's answer
   * and exits (code 3) without stopping it; returns the process id the app answers with.
   */
  async function inProcessThatExits(dir: string, runtime: string, env: NodeJS.ProcessEnv = process.env): Promise<number> {
    const script = path.join(dir, 'host.ts');
    fs.writeFileSync(script, [
      `import { WebAppProcess } from ${JSON.stringify(path.join(__dirname, '..', '..', 'local-gateway', 'web-app', 'adapter'))};`,
      `const app = new WebAppProcess({ logicalId: 'App', codeDir: ${JSON.stringify(dir)}, startScript: 'run.sh', runtime: '${runtime}', environment: {} }, { log: (line) => console.error(line) });`,
      'app.url().then(async (url) => { console.log(await (await fetch(url)).text()); process.exit(3); });',
    ].join('\n'));
    const host = spawn(process.execPath, [require.resolve('tsx/cli'), script], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let out = '';
    let log = '';
    host.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    host.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    expect(await new Promise((resolve) => host.once('exit', resolve))).toBe(3);
    expect(log).toMatch(/^\[App\] web app ready on port \d+/m);
    const pid = Number(out.trim());
    expect(pid).toBeGreaterThan(0);
    return pid;
  }

  test('a process that started web apps and exits without stopping them (process.exit) ends them', async () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'run.sh'), '#!/bin/sh\nexec node server.js\n', { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'server.js'), server);
    expect(await gone(await inProcessThatExits(dir, 'nodejs22.x'))).toBe(true);
  }, 30_000);

  test('a Python app on a machine with python3 but no python gets a python for its start script, removed when the process exits', async () => {
    const dir = tmp();
    const temp = tmp(); // the process's TMPDIR: where the shim goes
    fs.writeFileSync(path.join(dir, 'run.sh'), '#!/bin/sh\nexec python server.py\n', { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'server.py'), [
      'import http.server, os',
      'class H(http.server.BaseHTTPRequestHandler):',
      '    def do_GET(self):',
      '        body = str(os.getpid()).encode()',
      '        self.send_response(200); self.send_header("content-length", str(len(body))); self.end_headers(); self.wfile.write(body)',
      'http.server.HTTPServer(("127.0.0.1", int(os.environ["PORT"])), H).serve_forever()',
    ].join('\n'));
    const python3 = path.join(tmp(), 'python3');
    fs.symlinkSync(execFileSync('python3', ['-c', 'import sys; print(sys.executable)']).toString().trim(), python3);
    // python3 and sh, no python: Debian and Ubuntu without python-is-python3
    const env = { ...process.env, TMPDIR: temp, PATH: [path.dirname(python3), path.dirname(process.execPath), '/bin'].join(path.delimiter) };
    expect(await gone(await inProcessThatExits(dir, 'python3.12', env))).toBe(true);
    expect(fs.readdirSync(temp).filter((name) => name.startsWith('local-gateway-python-'))).toEqual([]);
  }, 30_000);
});
