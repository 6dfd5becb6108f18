/**
 * The pool of a function's warm execution environments, like Lambda's: each runs one invocation
 * at a time and keeps its module state between invocations; a function has at most
 * `maxEnvironments` of them (more requests wait in line); an idle one is retired after `idleMs`.
 * The function timeout and `memorySize` are enforced from outside the handler (execution.ts): a
 * handler that never yields, or outgrows its memory, has its environment ended and replaced.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { RouteFunction } from '../assembly';
import { atExit } from '../at-exit';
import { functionEnvironment } from './environment';
import { beforeTimeout, ExecutionEnvironment, initTimedOut } from './execution';
import { ProcessEnvironment } from './process-environment';
import { HostFunction, HostThread } from './shared-environment';
import type { ThreadStandby } from './standby';
import { ThreadEnvironment } from './thread-environment';

export type { InvocationSink } from './execution';
/** An execution environment (on a shared thread, a thread of its own or a child process). */
export type Worker = ExecutionEnvironment;

/**
 * How execution environments are isolated: many to a worker thread (cheapest), a worker thread
 * each, or a child process each (full).
 */
export type Isolation = 'shared' | 'thread' | 'process';

export interface WorkerPoolOptions {
  readonly workerScript: string;
  /** Variables added to every function (`--env`). */
  readonly extraEnv?: Record<string, string>;
  /** Pass the shell's AWS credentials to functions. Default true. */
  readonly awsCredentials?: boolean;
  /** Most environments of one function at once. */
  readonly maxEnvironments: number;
  /** An environment idle for this long is retired. */
  readonly idleMs: number;
  /** Shared threads (default), a thread each or a process each. */
  readonly isolation?: Isolation;
  /** With `shared` isolation: most environments on one thread (default: `maxEnvironments` over the cores). */
  readonly environmentsPerThread?: number;
  /** With `shared` isolation: where a new thread comes from when one was started ahead. */
  readonly standby?: ThreadStandby;
  readonly log: (message: string) => void;
  /** Lambda's init limit, 10 s (for tests). */
  readonly initLimitMs?: number;
}

/** Lambda ends an init phase that takes longer than this, and retries it in the invocation. */
export const INIT_LIMIT_MS = 10_000;

/**
 * With `shared` isolation, how many environments a thread holds by default: the function's cap
 * spread over the machine's cores (100 each for the default 200 on 2 cores). One thread per core
 * lets handlers use every core; more threads only add wake-ups and context switches (measured on
 * 2 cores at 200 streams: 7 threads cost a third more CPU in the first 80 ms of a burst than 2).
 */
export function defaultEnvironmentsPerThread(maxEnvironments: number, cores = os.availableParallelism()): number {
  return Math.max(1, Math.ceil(maxEnvironments / Math.max(1, cores)));
}

/**
 * A shared thread's heap is bounded at `memorySize` for each environment it may hold, and at most
 * half the machine's memory: the bound is what a handler that allocates without yielding can
 * reach before its thread is ended (the per-environment check runs between turns, every 100 ms).
 */
export function sharedThreadHeapMb(memoryMb: number, capacity: number, totalMb = os.totalmem() / 1024 / 1024): number {
  return Math.max(memoryMb, Math.min(memoryMb * capacity, Math.floor(totalMb / 2)));
}

/** With `shared` isolation, how many environments of a pool share a thread. */
export function threadCapacity(options: Pick<WorkerPoolOptions, 'environmentsPerThread' | 'maxEnvironments'>): number {
  return Math.max(1, options.environmentsPerThread ?? defaultEnvironmentsPerThread(options.maxEnvironments));
}

/**
 * Whether a thread started ahead can take these variables: Node reads a few `NODE_*` variables
 * (`NODE_DEBUG`, say) once, when a thread starts, so such a function gets a thread of its own.
 */
export function bindable(env: Record<string, string>): boolean {
  return !Object.keys(env).some((key) => key.startsWith('NODE_'));
}

/** The workers of one function. */
export class WorkerPool {
  private readonly idle: Worker[] = [];
  private readonly all = new Set<Worker>();
  private readonly waiting: Array<(worker: Worker) => void> = [];
  private hosts: HostThread[] = [];
  private codeDir?: string;
  private retired = false;

  /** Lambda's limit for a function's init phase (on-demand functions); lower in tests. */
  private readonly initLimitMs: number;

  constructor(private readonly fn: RouteFunction, private readonly options: WorkerPoolOptions) {
    this.initLimitMs = options.initLimitMs ?? INIT_LIMIT_MS;
  }

  /**
   * A free worker (a warm one if any, a new one while under the cap), marked busy; else waits.
   * One that ended while it started (its shared thread drained because another environment's
   * invocation was cut short, or its init crashed) is replaced once, as Lambda retries an init
   * that failed; a second such end is the invocation's error. Init is bounded as on Lambda: 10 s,
   * then once more within the function timeout; past that the invocation times out (504).
   */
  public async acquire(): Promise<Worker> {
    for (let attempt = 1; ; attempt++) {
      const warm = this.takeWarm();
      if (warm) return warm;
      const worker = this.all.size < this.options.maxEnvironments ? this.spawn() : await new Promise<Worker>((resolve) => this.waiting.push(resolve));
      clearTimeout(worker.idleTimer);
      worker.busy = true;
      const limitMs = attempt === 1 ? this.initLimitMs : this.fn.timeoutSeconds * 1000;
      if (!(await beforeTimeout(worker.ready.then(() => true), limitMs))) {
        this.options.log(attempt === 1
          ? `${this.fn.logicalId}: init did not finish in ${limitMs / 1000} s (Lambda's limit for the init phase): the environment was ended; another starts, whose init may take the function timeout, as Lambda retries it`
          : `${this.fn.logicalId}: init did not finish within the function timeout either: the invocation timed out`);
        worker.endedWith = initTimedOut(limitMs);
        worker.kill();
        if (attempt === 2) return worker;
        this.discard(worker);
        continue;
      }
      if (worker.alive || attempt === 2) return worker;
      const why = worker.endedWith?.error?.errorMessage;
      this.options.log(`${this.fn.logicalId}: an environment ended while it started${why ? ` (${why})` : ''}; starting another`);
      this.discard(worker);
    }
  }

  /**
   * A warm environment, marked busy, when one is idle: it has served an invocation, so its init is
   * done and there is nothing to wait for (no timer, no promise: the common case under load).
   */
  public takeWarm(): Worker | undefined {
    let worker = this.idle.pop();
    while (worker && !worker.alive) {
      this.all.delete(worker);
      worker = this.idle.pop();
    }
    if (!worker) return undefined;
    clearTimeout(worker.idleTimer);
    worker.busy = true;
    return worker;
  }

  /** Returns a worker after its invocation: to the next waiting request, or to the idle ones. */
  public release(worker: Worker): void {
    worker.busy = false;
    if (this.retired || !worker.alive) {
      this.discard(worker);
      return;
    }
    const next = this.waiting.shift();
    if (next) {
      next(worker);
      return;
    }
    this.idle.push(worker);
    worker.idleTimer = setTimeout(() => {
      const at = this.idle.indexOf(worker);
      if (at >= 0) this.idle.splice(at, 1);
      this.discard(worker);
    }, this.options.idleMs);
    worker.idleTimer.unref();
  }

  /** Kills a worker (timed out, or its client left) instead of reusing it; a waiting request gets a new one. */
  public discard(worker: Worker): void {
    clearTimeout(worker.idleTimer);
    worker.kill();
    this.all.delete(worker);
    if (this.waiting.length > 0 && this.all.size < this.options.maxEnvironments) this.waiting.shift()!(this.spawn());
    else if (this.retired && this.all.size === 0) this.removeInlineCode();
  }

  public get size(): number {
    return [...this.all].filter((w) => w.alive).length;
  }

  /** A new synthesis replaced this function: idle workers end now, busy ones after their invocation. */
  public retire(): void {
    this.retired = true;
    for (const worker of this.idle.splice(0)) this.discard(worker);
    if (this.all.size === 0) this.removeInlineCode();
  }

  public close(): void {
    for (const worker of this.all) {
      clearTimeout(worker.idleTimer);
      worker.kill();
    }
    this.all.clear();
    this.idle.length = 0;
    for (const host of this.hosts) host.end('the gateway closed');
    this.hosts = [];
    this.removeInlineCode();
  }

  /** Inline code (`Code.ZipFile`) was written to a folder of its own: removed with its last environment. */
  private removeInlineCode(): void {
    if (!this.codeDir || this.fn.inlineCode === undefined) return;
    fs.rmSync(this.codeDir, { recursive: true, force: true });
    this.codeDir = undefined;
  }

  private spawn(): Worker {
    const started = Date.now();
    const taskRoot = this.resolveCodeDir();
    const env: Record<string, string> = {
      ...functionEnvironment(this.fn, { taskRoot, extra: this.options.extraEnv, awsCredentials: this.options.awsCredentials }),
      LOCAL_GATEWAY_CODE_DIR: taskRoot,
      LOCAL_GATEWAY_HANDLER: this.fn.handler,
      LOCAL_GATEWAY_SEARCH_DIRS: (this.fn.searchDirs ?? []).join(path.delimiter),
    };
    // NODE_OPTIONS (e.g. --inspect) applies to a process only: such a function gets one.
    const isolation = this.options.isolation ?? (env.NODE_OPTIONS ? 'process' : 'shared');
    let worker: Worker;
    if (isolation === 'shared') {
      this.hosts = this.hosts.filter((h) => h.alive);
      let host = this.hosts.find((h) => h.hasRoom);
      if (!host) {
        const capacity = threadCapacity(this.options);
        const heapMb = sharedThreadHeapMb(this.fn.memorySize, capacity);
        const fn: HostFunction = { env, memoryMb: this.fn.memorySize, capacity, log: (message) => this.options.log(`${this.fn.logicalId}: ${message}`) };
        const ahead = bindable(env) ? this.options.standby?.take(heapMb) : undefined;
        ahead?.bind(fn);
        host = ahead ?? new HostThread(this.options.workerScript, heapMb, fn);
        this.hosts.push(host);
      }
      worker = host.add();
    } else {
      const Environment = isolation === 'process' ? ProcessEnvironment : ThreadEnvironment;
      worker = new Environment(this.options.workerScript, env, this.fn.memorySize);
    }
    this.all.add(worker);
    const count = this.all.size;
    void worker.ready.then(() => worker.alive && this.options.log(
      `${this.fn.logicalId}: cold start, environment ${count} of at most ${this.options.maxEnvironments} ready in ${Date.now() - started} ms`));
    return worker;
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
 * The worker script: the compiled `worker.js` beside the bundled gateway, or (when running from
 * the TypeScript sources) a bundle of `worker.ts` made once with esbuild.
 */
export function resolveWorkerScript(): string {
  const compiled = path.join(__dirname, 'worker.js');
  if (fs.existsSync(compiled)) return compiled;
  if (!bundledWorker) {
    // Only when running from the TypeScript sources (this repository's tests and demo): made once
    // per process from the sources as they are now (a file an earlier process left, with the same
    // process id, may be of other sources: its threads spoke an older protocol), removed at exit.
    const out = path.join(os.tmpdir(), `local-gateway-worker-${process.pid}-${randomBytes(6).toString('hex')}.js`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports, import/no-extraneous-dependencies
    const esbuild = require('esbuild') as typeof import('esbuild');
    esbuild.buildSync({ entryPoints: [path.join(__dirname, 'worker.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: out, logLevel: 'warning' });
    atExit(() => fs.rmSync(out, { force: true }));
    removeOrphanBundles();
    bundledWorker = out;
  }
  return bundledWorker;
}

/** Removes the bundles of processes that ended without their exit handlers (killed test workers). */
function removeOrphanBundles(): void {
  for (const name of fs.readdirSync(os.tmpdir())) {
    const pid = /^local-gateway-worker-(\d+)-[0-9a-f]{12}\.js$/.exec(name)?.[1];
    if (!pid || Number(pid) === process.pid) continue;
    try {
      process.kill(Number(pid), 0); // still running: its bundle stays
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') fs.rmSync(path.join(os.tmpdir(), name), { force: true });
    }
  }
}

let bundledWorker: string | undefined;
