/**
 * The pool of a function's warm execution environments, like Lambda's: each runs one invocation
 * at a time and keeps its module state between invocations; a function has at most
 * `maxEnvironments` of them (more requests wait in line); an idle one is retired after `idleMs`.
 * The function timeout and `memorySize` are enforced from outside the handler (environment.ts):
 * a handler that never yields, or outgrows its memory, has its environment ended and replaced.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { ExecutionEnvironment, FunctionOutput } from './environment';
import { decideIsolation, Isolation, IsolationDecision } from './isolation';
import { beforeTimeout, INIT_LIMIT_MS } from './limits';
import { initTimedOut } from './outcome';
import { ProcessEnvironment } from './process';
import { ThreadEnvironment } from './thread';
import { functionEnvironment } from './variables';
import { atExit } from '../at-exit';
import type { RouteFunction } from '../route';

export interface PoolOptions {
  /** The sandbox's script (`resolveSandboxScript()`). */
  readonly script: string;
  /** Variables added to every function (`--env`). */
  readonly extraEnv?: Record<string, string>;
  /** Pass the shell's AWS credentials to functions. Default true. */
  readonly awsCredentials?: boolean;
  /** Most environments of one function at once. Default: by isolation (isolation.ts). */
  readonly maxEnvironments?: number;
  /** An environment idle for this long is retired. */
  readonly idleMs: number;
  /** Threads (default) or processes for every function; else decided per function (isolation.ts). */
  readonly isolation?: Isolation;
  readonly log: (message: string) => void;
  /** What the functions print goes here (else: the gateway's stdout and stderr). */
  readonly output?: FunctionOutput;
  /** Lambda's init limit, 10 s (for tests). */
  readonly initLimitMs?: number;
}

/** The execution environments of one function. */
export class EnvironmentPool {
  /** How the function's environments are isolated, and how many it may have. */
  public readonly decision: IsolationDecision;
  private readonly idle: ExecutionEnvironment[] = [];
  private readonly all = new Set<ExecutionEnvironment>();
  private readonly waiting: Array<(environment: ExecutionEnvironment) => void> = [];
  private readonly env: Record<string, string>;
  private codeDir?: string;
  private retired = false;
  /** Lambda's limit for a function's init phase (on-demand functions); lower in tests. */
  private readonly initLimitMs: number;

  constructor(private readonly fn: RouteFunction, private readonly options: PoolOptions) {
    this.initLimitMs = options.initLimitMs ?? INIT_LIMIT_MS;
    const taskRoot = this.resolveCodeDir();
    this.env = {
      ...functionEnvironment(fn, { taskRoot, extra: options.extraEnv, awsCredentials: options.awsCredentials }),
      LOCAL_GATEWAY_CODE_DIR: taskRoot,
      LOCAL_GATEWAY_HANDLER: fn.handler,
      LOCAL_GATEWAY_SEARCH_DIRS: (fn.searchDirs ?? []).join(path.delimiter),
    };
    this.decision = decideIsolation(this.env, options.isolation, options.maxEnvironments);
    if (this.decision.why) options.log(`${fn.logicalId}: runs in a process per execution environment: ${this.decision.why}`);
  }

  /**
   * A free environment (a warm one if any, a new one while under the cap), marked busy; else waits.
   * One that ended while it started (its init exited or crashed) is replaced once, as Lambda retries
   * a failed init; a second such end is the invocation's error. Init is bounded as on Lambda: 10 s,
   * then once more within the function timeout; past that the invocation times out (504).
   */
  public async acquire(): Promise<ExecutionEnvironment> {
    for (let attempt = 1; ; attempt++) {
      const warm = this.takeWarm();
      if (warm) return warm;
      const environment = this.all.size < this.decision.maxEnvironments
        ? this.spawn()
        : await new Promise<ExecutionEnvironment>((resolve) => this.waiting.push(resolve));
      clearTimeout(environment.idleTimer);
      environment.busy = true;
      const limitMs = attempt === 1 ? this.initLimitMs : this.fn.timeoutSeconds * 1000;
      if (!(await beforeTimeout(environment.ready.then(() => true), limitMs))) {
        this.options.log(attempt === 1
          ? `${this.fn.logicalId}: init did not finish in ${limitMs / 1000} s (Lambda's limit for the init phase): the environment was ended; another starts, whose init may take the function timeout, as Lambda retries it`
          : `${this.fn.logicalId}: init did not finish within the function timeout either: the invocation timed out`);
        environment.endedWith = initTimedOut(limitMs);
        environment.kill();
        if (attempt === 2) return environment;
        this.discard(environment);
        continue;
      }
      if (environment.alive || attempt === 2) return environment;
      const why = environment.endedWith?.error?.errorMessage;
      this.options.log(`${this.fn.logicalId}: an environment ended while it started${why ? ` (${why})` : ''}; starting another`);
      this.discard(environment);
    }
  }

  /**
   * A warm environment, marked busy, when one is idle: it has served an invocation, so its init is
   * done and there is nothing to wait for (no timer, no promise: the common case under load).
   */
  public takeWarm(): ExecutionEnvironment | undefined {
    let environment = this.idle.pop();
    while (environment && !environment.alive) {
      this.all.delete(environment);
      environment = this.idle.pop();
    }
    if (!environment) return undefined;
    clearTimeout(environment.idleTimer);
    environment.busy = true;
    return environment;
  }

  /** Returns an environment after its invocation: to the next waiting request, or to the idle ones. */
  public release(environment: ExecutionEnvironment): void {
    environment.busy = false;
    if (this.retired || !environment.alive) {
      this.discard(environment);
      return;
    }
    const next = this.waiting.shift();
    if (next) {
      next(environment);
      return;
    }
    this.idle.push(environment);
    environment.idleTimer = setTimeout(() => {
      const at = this.idle.indexOf(environment);
      if (at >= 0) this.idle.splice(at, 1);
      this.discard(environment);
    }, this.options.idleMs);
    environment.idleTimer.unref();
  }

  /** Kills an environment (timed out, or its client left) instead of reusing it; a waiting request gets a new one. */
  public discard(environment: ExecutionEnvironment): void {
    clearTimeout(environment.idleTimer);
    environment.kill();
    this.all.delete(environment);
    if (this.waiting.length > 0 && this.all.size < this.decision.maxEnvironments) this.waiting.shift()!(this.spawn());
    else if (this.retired && this.all.size === 0) this.removeInlineCode();
  }

  public get size(): number {
    return [...this.all].filter((w) => w.alive).length;
  }

  /** A new synthesis replaced this function: idle environments end now, busy ones after their invocation. */
  public retire(): void {
    this.retired = true;
    for (const environment of this.idle.splice(0)) this.discard(environment);
    if (this.all.size === 0) this.removeInlineCode();
  }

  public close(): void {
    [this.retired, this.waiting.length] = [true, 0]; // gateway stopped: none starts for a request in line, none handed back is kept
    for (const environment of this.all) {
      clearTimeout(environment.idleTimer);
      environment.kill();
    }
    this.all.clear();
    this.idle.length = 0;
    this.removeInlineCode();
  }

  /** Inline code (`Code.ZipFile`) was written to a folder of its own: removed with its last environment. */
  private removeInlineCode(): void {
    if (!this.codeDir || this.fn.inlineCode === undefined) return;
    fs.rmSync(this.codeDir, { recursive: true, force: true });
    this.codeDir = undefined;
  }

  private spawn(): ExecutionEnvironment {
    const started = Date.now();
    const { isolation, execArgv } = this.decision;
    const { script, output } = this.options;
    const environment = isolation === 'process'
      ? new ProcessEnvironment(script, this.env, this.fn.memorySize, output)
      : new ThreadEnvironment(script, this.env, this.fn.memorySize, execArgv, output);
    this.all.add(environment);
    const count = this.all.size;
    void environment.ready.then(() => environment.alive && this.options.log(
      `${this.fn.logicalId}: cold start, environment ${count} of at most ${this.decision.maxEnvironments} ready in ${Date.now() - started} ms`));
    return environment;
  }

  private resolveCodeDir(): string {
    if (this.codeDir) return this.codeDir;
    if (this.fn.assetDir) {
      this.codeDir = this.fn.assetDir;
    } else {
      this.codeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-gateway-inline-'));
      const file = this.fn.handler.slice(0, this.fn.handler.lastIndexOf('.'));
      fs.writeFileSync(path.join(this.codeDir, `${file}.js`), this.fn.inlineCode ?? '');
    }
    return this.codeDir;
  }
}

/**
 * The sandbox's script: the compiled `sandbox.js` beside the bundled gateway, or (when running
 * from the TypeScript sources) a bundle of `sandbox/main.ts` made once with esbuild.
 */
export function resolveSandboxScript(): string {
  const compiled = path.join(__dirname, 'sandbox.js');
  if (fs.existsSync(compiled)) return compiled;
  if (!bundledSandbox) {
    // Only when running from the TypeScript sources (this repository's tests and demo): made once
    // per process from the sources as they are now (a file an earlier process left, with the same
    // process id, may be of other sources), removed at exit.
    const out = path.join(os.tmpdir(), `local-gateway-sandbox-${pidNamespace()}-${process.pid}-${randomBytes(6).toString('hex')}.js`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports, import/no-extraneous-dependencies
    const esbuild = require('esbuild') as typeof import('esbuild');
    esbuild.buildSync({ entryPoints: [path.join(__dirname, 'sandbox', 'main.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: out, logLevel: 'warning' });
    atExit(() => fs.rmSync(out, { force: true }));
    removeOrphanBundles();
    bundledSandbox = out;
  }
  return bundledSandbox;
}

/**
 * Removes the bundles of processes that ended without their exit handlers (killed test workers).
 * Only bundles of this PID namespace: a gateway in another one (`unshare --pid`) cannot see this
 * one's processes and would take live bundles for orphans.
 */
function removeOrphanBundles(): void {
  const namespace = pidNamespace();
  for (const name of fs.readdirSync(os.tmpdir())) {
    const match = /^local-gateway-sandbox-(\d+)-(\d+)-[0-9a-f]{12}\.js$/.exec(name);
    if (!match || match[1] !== namespace || Number(match[2]) === process.pid) continue;
    try {
      process.kill(Number(match[2]), 0); // still running: its bundle stays
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') fs.rmSync(path.join(os.tmpdir(), name), { force: true });
    }
  }
}

/** This process's PID namespace (its inode; 0 where /proc does not tell). */
function pidNamespace(): string {
  const link = fs.existsSync('/proc/self/ns/pid') ? fs.readlinkSync('/proc/self/ns/pid') : '';
  return /\[(\d+)\]/.exec(link)?.[1] ?? '0';
}

let bundledSandbox: string | undefined;
