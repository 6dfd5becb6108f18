/**
 * Web applications behind the Lambda Web Adapter (`StreamingWebAppFunction`, or any function
 * with `AWS_LAMBDA_EXEC_WRAPPER=/opt/bootstrap`), run locally as the adapter runs them: the
 * function's `Handler` is the start script, run from the code folder with `PORT`/`AWS_LWA_PORT`;
 * the app is ready when its readiness check answers (`AWS_LWA_READINESS_CHECK_PATH`, default
 * `/`, any status below 500; or a TCP connect with `AWS_LWA_READINESS_CHECK_PROTOCOL=tcp`).
 * Requests are then forwarded to it over HTTP and its response streamed back, as the adapter
 * does with `AWS_LWA_INVOKE_MODE=response_stream`.
 *
 * Locally each app gets a free port (passed as `PORT` and `AWS_LWA_PORT`), so several apps, or
 * an app and its deployed twin's settings, never collide.
 */
import { ChildProcess, spawn } from 'child_process';
import * as http from 'http';
import * as net from 'net';
import * as path from 'path';
import { atExit } from '../at-exit';
import { functionEnvironment } from '../lambda/variables';
import type { WebAppSpec } from '../route';
import { missingLanguage, pythonShim, startCommand } from './language';


export interface WebAppOptions {
  /** Variables added to the app's environment (the gateway's `--env`). */
  readonly environment?: Record<string, string>;
  /** Pass the shell's AWS credentials (the gateway's `awsCredentials`). Default true. */
  readonly awsCredentials?: boolean;
  /** How long the app may take to become ready, in ms. Default 10 000 (Lambda's init phase). */
  readonly readyTimeoutMs?: number;
  /** Receives the app's output lines and diagnostics. */
  readonly log?: (message: string) => void;
}

/** One running web app. */
export class WebAppProcess {
  private child?: ChildProcess;
  private starting?: Promise<string>;
  private output = '';
  /** Requests it is answering; a retired app stops when they are done. */
  private active = 0;
  private retired = false;

  constructor(private readonly spec: WebAppSpec, private readonly options: WebAppOptions = {}) {}

  /**
   * The app's base URL (`http://127.0.0.1:port`), starting the app (a cold start) if needed: one
   * start at a time, however many requests ask meanwhile; a new one once the app has exited.
   */
  public url(): Promise<string> {
    if (this.starting) return this.starting;
    const starting = this.start();
    this.starting = starting;
    starting.catch(() => {
      if (this.starting === starting) this.starting = undefined;
    });
    return starting;
  }

  /** A request to it starts (`url()` resolved for it); `done()` when its exchange is over. */
  public begin(): () => void {
    this.active++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      if (--this.active === 0 && this.retired) this.stop();
    };
  }

  /** A new synthesis replaced it: it stops once the requests it is answering are done. */
  public retire(): void {
    this.retired = true;
    if (this.active === 0) this.stop();
  }

  public stop(): void {
    const child = this.child;
    this.child = undefined;
    this.starting = undefined;
    child?.stdout?.destroy();
    child?.stderr?.destroy();
    child?.unref();
    if (child) endGroup(child);
  }

  private async start(): Promise<string> {
    const missing = missingLanguage(this.spec.runtime);
    if (missing) throw new Error(missing);
    const port = await freePort();
    const env = this.environment(port);
    const [command, ...args] = startCommand(path.join(this.spec.codeDir, this.spec.startScript));
    const started = Date.now();
    this.output = '';
    const child = spawn(command, args, { cwd: this.spec.codeDir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.child = child;
    // Its process group is its own (`detached`, so that it can be ended whole): nothing else would
    // end it with a gateway process that exits without `stop()`.
    child.once('exit', atExit(() => endGroup(child)));
    // An app whose start script exits (a crash, or a server put in the background) is ended
    // with its process group, and started again on the next request: nothing is left running.
    child.once('exit', (code, signal) => {
      endGroup(child);
      if (this.child !== child) return;
      this.child = undefined;
      this.starting = undefined;
      log(`[${this.spec.logicalId}] the start script exited (${signal ?? `code ${code}`}): the web app's processes were ended; the next request starts it again (keep the server in the foreground, e.g. with exec)`);
    });
    const log = this.options.log ?? ((m: string) => process.stderr.write(`${m}\n`));
    const collect = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-4000);
      for (const line of chunk.toString().split('\n').filter(Boolean)) log(`[${this.spec.logicalId}] ${line}`);
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    const exited = new Promise<never>((_, reject) => {
      child.once('error', (error) => reject(new Error(`the start script ${this.spec.startScript} could not run: ${error.message}`)));
      child.once('exit', (code, signal) => reject(new Error(`the web app exited (${signal ?? `code ${code}`}) before it was ready; its output:\n${this.output.trim()}`)));
    });
    exited.catch(() => undefined);
    const readiness = this.spec.environment.AWS_LWA_READINESS_CHECK_PROTOCOL?.toLowerCase() === 'tcp' ? tcpReady : httpReady;
    const checkPath = this.spec.environment.AWS_LWA_READINESS_CHECK_PATH ?? '/';
    const deadline = started + (this.options.readyTimeoutMs ?? 10_000);
    const ready = (async () => {
      for (;;) {
        if (await readiness(port, checkPath)) return;
        if (Date.now() > deadline) throw new Error(`the web app did not answer its readiness check (${checkPath} on port ${port}) within ${(this.options.readyTimeoutMs ?? 10_000) / 1000} s; its output:\n${this.output.trim()}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    try {
      await Promise.race([ready, exited]);
    } catch (error) {
      this.stop();
      endGroup(child); // (when it has exited, it is no longer `this.child`)
      throw error;
    }
    log(`[${this.spec.logicalId}] web app ready on port ${port} (cold start ${Date.now() - started} ms)`);
    return `http://127.0.0.1:${port}`;
  }

  /** What any function gets (lambda/environment.ts: nothing else of the shell), and the app's port. */
  private environment(port: number): NodeJS.ProcessEnv {
    const { logicalId, runtime, startScript, environment, memorySize = 128 } = this.spec;
    const fn = { logicalId, runtime, handler: startScript, environment, memorySize };
    const { environment: extra, awsCredentials } = this.options;
    const env: NodeJS.ProcessEnv = functionEnvironment(fn, { taskRoot: this.spec.codeDir, extra, awsCredentials });
    // Lambda's Python runtime has `python` as well as `python3`; many start scripts use it.
    const shims = pythonShim(runtime);
    env.PATH = [shims, path.dirname(process.execPath), env.PATH].filter(Boolean).join(path.delimiter);
    env.LANG ??= 'C.UTF-8';
    delete env.AWS_LAMBDA_EXEC_WRAPPER; // the adapter is what it wraps: here, the gateway
    return { ...env, PORT: String(port), AWS_LWA_PORT: String(port) };
  }
}

/** Ends an app's process group: a start script that has exited may have left its server running. */
function endGroup(child: ChildProcess): void {
  if (!child.pid) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    if (child.exitCode === null) child.kill('SIGTERM');
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function httpReady(port: number, checkPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: checkPath, timeout: 1000 }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 500) < 500);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(false));
  });
}

function tcpReady(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The web apps of a gateway, one process per function, started on first use. */
export class WebApps {
  private readonly apps = new Map<string, WebAppProcess>();

  constructor(private readonly options: WebAppOptions = {}) {}

  /**
   * The base URL of the app for `spec`, starting it if needed, for one request: `done()` when the
   * request's exchange is over (an app that a reload replaced stops after its last one).
   */
  public async begin(spec: WebAppSpec): Promise<{ url: string; done: () => void }> {
    const key = `${spec.logicalId}\0${spec.codeDir}`;
    let app = this.apps.get(key);
    if (!app) {
      app = new WebAppProcess(spec, this.options);
      this.apps.set(key, app);
    }
    const done = app.begin();
    try {
      return { url: await app.url(), done };
    } catch (error) {
      done();
      throw error;
    }
  }

  /** A new synthesis replaces every app: each stops once the requests it is answering are done. */
  public retireAll(): void {
    for (const app of this.apps.values()) app.retire();
    this.apps.clear();
  }

  /** Stops every app at once (the gateway stops). */
  public stopAll(): void {
    for (const app of this.apps.values()) app.stop();
    this.apps.clear();
  }
}
