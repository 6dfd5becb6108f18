/**
 * An execution environment in a worker thread: its own V8 isolate, module registry and
 * `process.env` (only the function's variables), in the gateway's process — a few MB and a few
 * ms to start instead of a Node process. `memorySize` bounds the heap (`resourceLimits`) and the
 * thread checks its buffers itself; `terminate()` ends even a handler that never yields. Output
 * arrives as messages, each a batch of what the handler wrote in one turn of its event loop.
 */
import { Worker } from 'worker_threads';
import { BatchCredit, BatchMessage, isBatch, isTyped } from './channel';
import type { RequestRecord } from './event';
import { ExecutionEnvironment, exited, outOfMemory } from './execution';
import { InvocationEnd, isInvocationEnd } from './frames';

/** Messages from the thread (see channel.ts); response bytes come as a `BatchMessage` (one batch of records). */
export type ThreadMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'end'; readonly end: InvocationEnd }
  | { readonly type: 'oom' };

export class ThreadEnvironment extends ExecutionEnvironment {
  public readonly ready: Promise<void>;
  private readonly thread: Worker;
  private gone = false;
  private paused = false;
  private overMemory = false;
  private readonly credit = new BatchCredit(() => this.gone || this.thread.postMessage({ type: 'credit' }));

  constructor(script: string, env: Record<string, string>, memoryMb: number) {
    super(memoryMb);
    this.thread = new Worker(script, {
      env,
      // Not the gateway's own flags (a TypeScript loader's hooks would load into every thread).
      execArgv: [],
      workerData: { memoryMb, link: this.credit.link },
      resourceLimits: { maxOldGenerationSizeMb: memoryMb },
    });
    this.ready = new Promise((resolve) => {
      // Anything else on the port (code in a handler can post on it) is ignored.
      this.thread.on('message', (message: ThreadMessage | BatchMessage | undefined) => {
        if (isBatch(message)) {
          this.credit.receive(message, (_env, bytes, lease) => this.data(bytes, lease));
        } else if (!isTyped(message)) {
          return;
        } else if (message.type === 'ready') {
          resolve();
        } else if (message.type === 'end' && isInvocationEnd(message.end)) {
          this.finish(message.end);
        } else if (message.type === 'oom') {
          this.overMemory = true;
        }
      });
      this.thread.once('exit', () => resolve());
    });
    this.thread.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') this.overMemory = true;
    });
    this.thread.once('exit', (code) => {
      this.gone = true;
      this.finish(this.overMemory ? outOfMemory(memoryMb) : exited(`the function exited (code ${code})`));
    });
  }

  public get alive(): boolean {
    return !this.gone;
  }

  public pause(): void {
    if (this.paused || this.gone) return;
    this.paused = true;
    this.thread.postMessage({ type: 'pause' });
  }

  public resume(): void {
    if (!this.paused || this.gone) return;
    this.paused = false;
    this.thread.postMessage({ type: 'resume' });
  }

  protected start(request: RequestRecord, timeoutMs: number): void {
    this.thread.postMessage({ type: 'invoke', request, timeoutMs });
  }

  protected terminate(): void {
    if (!this.gone) void this.thread.terminate();
    this.gone = true;
  }
}
