/**
 * An execution environment in a worker thread: its own V8 isolate, module registry and
 * `process.env` (only the function's variables), in the gateway's process — a few MB and a few
 * ms to start instead of a Node process. `memorySize` bounds the heap (`resourceLimits`) and the
 * thread checks its buffers itself; `terminate()` ends even a handler that never yields. Output
 * arrives as messages, each a batch of what the handler wrote in one turn of its event loop.
 */
import type { MessagePort, Worker } from 'worker_threads';
import { BatchCredit, BatchMessage, isBatch, isTyped, startFunctionThread } from './channel';
import type { RequestRecord } from './event';
import { ExecutionEnvironment, exited, outOfMemory, signalled, watchThreadMemory } from './execution';
import { InvocationEnd, isInvocationEnd } from './frames';

/** Messages from the thread (see channel.ts); response bytes come as a `BatchMessage` (one batch of records). */
export type ThreadMessage =
  | { readonly type: 'ready' | 'collected' }
  | { readonly type: 'end'; readonly end: InvocationEnd }
  | { readonly type: 'oom' }
  | { readonly type: 'signal'; readonly signal: string };

export class ThreadEnvironment extends ExecutionEnvironment {
  public readonly ready: Promise<void>;
  private readonly thread: Worker;
  /** The gateway's end of the thread's private port (channel.ts `gatewayLink`). */
  private readonly port: MessagePort;
  private gone = false;
  private paused = false;
  private overMemory = false;
  private readonly credit = new BatchCredit(() => this.gone || this.port.postMessage({ type: 'credit' }));

  constructor(script: string, env: Record<string, string>, memoryMb: number) {
    super(memoryMb);
    let resolveReady!: () => void;
    let exitReason: string | undefined;
    let memory: { collected(): void } | undefined;
    this.ready = new Promise((resolve) => (resolveReady = resolve));
    const receive = (message: ThreadMessage | BatchMessage | undefined): void => {
      if (isBatch(message)) {
        this.credit.receive(message, (_env, bytes, lease) => this.data(bytes, lease));
      } else if (!isTyped(message)) {
        return;
      } else if (message.type === 'ready') {
        resolveReady();
      } else if (message.type === 'end' && isInvocationEnd(message.end)) {
        this.finish(message.end);
      } else if (message.type === 'oom') {
        this.overMemory = true;
      } else if (message.type === 'signal') {
        exitReason = signalled(message.signal);
      } else if (message.type === 'collected') {
        memory?.collected();
      }
    };
    ({ thread: this.thread, port: this.port } = startFunctionThread(script, env, memoryMb, { memoryMb, link: this.credit.link }, receive));
    // What handlers' code posts on the thread's parentPort is not the gateway's: not listened to.
    this.thread.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') this.overMemory = true;
    });
    // Buffers are outside the heap that `resourceLimits` bounds: a handler that allocates them
    // without yielding is ended from here.
    memory = watchThreadMemory(this.thread, () => this.invoking, () => memoryMb, () => this.port.postMessage({ type: 'collect' }), () => {
      this.overMemory = true;
      void this.thread.terminate();
    });
    this.thread.once('exit', (code) => {
      resolveReady();
      this.gone = true;
      this.finish(this.overMemory ? outOfMemory(memoryMb) : exited(exitReason ?? `the function exited (code ${code})`));
    });
  }

  public get alive(): boolean {
    return !this.gone;
  }

  public pause(): void {
    if (this.paused || this.gone) return;
    this.paused = true;
    this.port.postMessage({ type: 'pause' });
  }

  public resume(): void {
    if (!this.paused || this.gone) return;
    this.paused = false;
    this.port.postMessage({ type: 'resume' });
  }

  protected start(request: RequestRecord, timeoutMs: number): void {
    this.port.postMessage({ type: 'invoke', request, timeoutMs });
  }

  protected terminate(): void {
    if (!this.gone) void this.thread.terminate();
    this.gone = true;
  }
}
