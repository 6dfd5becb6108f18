/**
 * Warm function workers, like Lambda's execution environments: each runs one invocation at a
 * time; a function gets as many as it has concurrent requests. A worker that timed out, failed to
 * start or lost its client is killed and replaced.
 */
import { ChildProcess, fork } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Readable } from 'stream';
import type { RouteFunction } from '../assembly';
import { FRAME_END, FrameParser, InvocationEnd } from './frames';

/** Receives one invocation's output. */
export interface InvocationSink {
  onData(chunk: Buffer): void;
  onEnd(end: InvocationEnd): void;
}

export class Worker {
  public busy = false;
  private sink?: InvocationSink;
  private readonly pipe: Readable;
  public readonly ready: Promise<void>;

  constructor(public readonly child: ChildProcess) {
    this.pipe = child.stdio[3] as Readable;
    const parser = new FrameParser((piece) => this.sink?.onData(piece), (type, payload) => {
      if (type === FRAME_END) {
        const sink = this.sink;
        this.sink = undefined;
        sink?.onEnd(JSON.parse(payload.toString('utf8')));
      }
    });
    this.pipe.on('data', (chunk: Buffer) => parser.push(chunk));
    this.ready = new Promise((resolve) => child.once('message', () => resolve()));
    child.once('exit', () => {
      const sink = this.sink;
      this.sink = undefined;
      sink?.onEnd({ outcome: 'error', error: { errorType: 'Runtime.ExitError', errorMessage: 'the function process exited' } });
    });
  }

  public get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null && !this.child.killed;
  }

  /** Starts an invocation; output arrives on `sink`. */
  public invoke(event: unknown, timeoutMs: number, sink: InvocationSink): void {
    this.sink = sink;
    this.child.send({ type: 'invoke', event, timeoutMs });
  }

  /** Stops reading the response (backpressure to the handler) or resumes it. */
  public pause(): void {
    this.pipe.pause();
  }

  public resume(): void {
    this.pipe.resume();
  }

  public kill(): void {
    this.sink = undefined;
    if (this.alive) this.child.kill('SIGKILL');
  }
}

/** The workers of one function. */
export class WorkerPool {
  private readonly idle: Worker[] = [];
  private readonly all = new Set<Worker>();
  private codeDir?: string;
  private retired = false;

  constructor(
    private readonly fn: RouteFunction,
    private readonly workerScript: string,
    private readonly extraEnv: Record<string, string>,
  ) {}

  /** A free worker (a warm one if any), marked busy. */
  public async acquire(): Promise<Worker> {
    let worker = this.idle.pop();
    while (worker && !worker.alive) {
      this.all.delete(worker);
      worker = this.idle.pop();
    }
    if (!worker) worker = this.spawn();
    worker.busy = true;
    await worker.ready;
    return worker;
  }

  /** Returns a worker after its invocation; a dead one (or one of a retired pool) is forgotten. */
  public release(worker: Worker): void {
    worker.busy = false;
    if (this.retired) this.discard(worker);
    else if (worker.alive) this.idle.push(worker);
    else this.all.delete(worker);
  }

  /** Kills a worker (timed out, or its client left) instead of reusing it. */
  public discard(worker: Worker): void {
    worker.kill();
    this.all.delete(worker);
  }

  public get size(): number {
    return [...this.all].filter((w) => w.alive).length;
  }

  /** A new synthesis replaced this function: idle workers end now, busy ones after their invocation. */
  public retire(): void {
    this.retired = true;
    for (const worker of this.idle.splice(0)) this.discard(worker);
  }

  public close(): void {
    for (const worker of this.all) worker.kill();
    this.all.clear();
    this.idle.length = 0;
    if (this.codeDir && this.fn.inlineCode !== undefined) fs.rmSync(this.codeDir, { recursive: true, force: true });
  }

  private spawn(): Worker {
    const child = fork(this.workerScript, [], {
      stdio: ['ignore', 'inherit', 'inherit', 'pipe', 'ipc'],
      env: {
        ...process.env,
        AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
        AWS_DEFAULT_REGION: process.env.AWS_REGION ?? 'us-east-1',
        AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'local',
        AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
        AWS_LAMBDA_FUNCTION_NAME: this.fn.logicalId,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(this.fn.memorySize),
        ...this.fn.environment,
        ...this.extraEnv,
        LOCAL_GATEWAY_CODE_DIR: this.resolveCodeDir(),
        LOCAL_GATEWAY_HANDLER: this.fn.handler,
        LOCAL_GATEWAY_SEARCH_DIRS: (this.fn.searchDirs ?? []).join(path.delimiter),
      },
    });
    const worker = new Worker(child);
    this.all.add(worker);
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
  const out = path.join(os.tmpdir(), `local-gateway-worker-${process.pid}.js`);
  if (!fs.existsSync(out)) {
    // Only when running from the TypeScript sources (this repository's tests and demo).
    // eslint-disable-next-line @typescript-eslint/no-require-imports, import/no-extraneous-dependencies
    const esbuild = require('esbuild') as typeof import('esbuild');
    esbuild.buildSync({ entryPoints: [path.join(__dirname, 'worker.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: out, logLevel: 'warning' });
  }
  return out;
}
