/**
 * An execution environment as the pool and the Lambda integration see it, whatever isolates it
 * (a worker thread or a child process): one invocation at a time, its output to a sink, the
 * function timeout and memory limit enforced from outside the handler's event loop.
 */
import type { Worker } from 'worker_threads';
import type { Lease } from './channel';
import type { RequestRecord } from './event';
import type { InvocationEnd } from './frames';

/** Receives one invocation's output. */
export interface InvocationSink {
  /** With a `lease`, `chunk` is valid until the sink releases it (channel.ts). */
  onData(chunk: Buffer, lease?: Lease): void;
  onEnd(end: InvocationEnd): void;
}

/** How an environment ended early: the error Lambda reports for it. */
export function outOfMemory(memoryMb: number): InvocationEnd {
  return { outcome: 'error', error: { errorType: 'Runtime.OutOfMemory', errorMessage: `Runtime exited with error: the function used more than its ${memoryMb} MB` } };
}

export function exited(detail: string): InvocationEnd {
  return { outcome: 'error', error: { errorType: 'Runtime.ExitError', errorMessage: `Runtime exited: ${detail}` } };
}

/** Why a thread ended whose handler sent a signal to its own process (signals.ts). */
export function signalled(signal: unknown): string {
  return `a handler sent ${String(signal)} to its own process, which is the gateway's: on Lambda that ends the function's sandbox, here its thread`;
}

/** How often the gateway reads the memory of a thread that runs invocations. */
const THREAD_MEMORY_CHECK_MS = 100;

/** How long a thread over its bound has to collect its garbage before it counts as not yielding. */
const COLLECT_WAIT_MS = 300;

/**
 * A function thread checks its own memory between turns (channel.ts `watchMemory`); a handler
 * that allocates without yielding never lets it, and a thread's `resourceLimits` bound its heap
 * only, not its buffers. So while `busy()`, the gateway also reads the thread's heap and external
 * memory (Buffers) every 100 ms (V8 answers even a thread that never yields). Garbage counts in
 * that reading: past `boundMb()`, the thread is asked to `collect()` (a full collection, then its
 * answer, `collected()`, or its out-of-memory end); one that does not answer within 300 ms and is
 * still over is not yielding, and `over(usedMb)` is called. Stops when the thread exits.
 */
export function watchThreadMemory(
  thread: Worker, busy: () => boolean, boundMb: () => number, collect: () => void, over: (usedMb: number) => void,
): { collected(): void } {
  let reading = false;
  let gone = false;
  let askedAt: number | undefined;
  thread.once('exit', () => (gone = true));
  const timer = setInterval(() => {
    if (gone) return clearInterval(timer);
    if (reading || !busy() || !boundMb()) return;
    reading = true;
    thread.getHeapStatistics().then((heap) => {
      reading = false;
      const usedMb = (heap.used_heap_size + heap.external_memory) / 1024 / 1024;
      if (gone || usedMb <= boundMb()) return;
      if (askedAt === undefined) {
        askedAt = Date.now();
        collect();
      } else if (Date.now() - askedAt >= COLLECT_WAIT_MS) {
        over(Math.round(usedMb));
      }
    }, () => (reading = false));
  }, THREAD_MEMORY_CHECK_MS);
  timer.unref();
  return { collected: () => (askedAt = undefined) };
}

/** What `promise` resolves to, or undefined when `ms` pass first. */
export function beforeTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  if (!Number.isFinite(ms)) return promise;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** What an invocation gets whose environment could not finish its init in time. */
export function initTimedOut(timeoutMs: number): InvocationEnd {
  return { outcome: 'timeout', error: { errorType: 'Sandbox.Timedout', errorMessage: `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds (the function's init did not finish)` } };
}

export abstract class ExecutionEnvironment {
  public busy = false;
  public idleTimer?: ReturnType<typeof setTimeout>;
  /** Set when the environment was ended before its invocation: what that invocation gets. */
  public endedWith?: InvocationEnd;
  /** Resolves when the handler is loaded (or the environment died trying). */
  public abstract readonly ready: Promise<void>;
  private sink?: InvocationSink;
  private deadline?: ReturnType<typeof setTimeout>;

  constructor(protected readonly memoryMb: number) {}

  public abstract get alive(): boolean;

  /** An invocation runs (its end has not come). */
  protected get invoking(): boolean {
    return this.sink !== undefined;
  }

  /** Starts an invocation that may run `timeoutMs`; output arrives on `sink`. */
  public invoke(request: RequestRecord, timeoutMs: number, sink: InvocationSink): void {
    this.sink = sink;
    if (!this.alive) {
      this.finish(this.endedWith ?? exited('the environment ended before the invocation'));
      return;
    }
    this.deadline = setTimeout(() => {
      // Lambda ends the environment of a function that timed out, even one that never yields.
      this.finish({ outcome: 'timeout', error: { errorType: 'Sandbox.Timedout', errorMessage: `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds` } });
      this.kill();
    }, timeoutMs);
    this.start(request, timeoutMs);
  }

  /** Stops the handler's output (backpressure) or lets it flow again. */
  public abstract pause(): void;
  public abstract resume(): void;

  /** Ends the environment at once. */
  public kill(): void {
    this.sink = undefined;
    clearTimeout(this.deadline);
    this.terminate();
  }

  protected abstract start(request: RequestRecord, timeoutMs: number): void;
  protected abstract terminate(): void;

  protected data(chunk: Buffer, lease?: Lease): void {
    if (this.sink) this.sink.onData(chunk, lease);
    else lease?.release();
  }

  /**
   * The invocation ended (END frame) or the environment died during it. An environment that dies
   * with no invocation running (its init exited, crashed or signalled itself) keeps why: the
   * invocation that finds it dead gets that, not a bare "ended".
   */
  protected finish(end: InvocationEnd): void {
    clearTimeout(this.deadline);
    const sink = this.sink;
    this.sink = undefined;
    if (sink) sink.onEnd(end);
    else if (end.outcome !== 'ended') this.endedWith ??= end;
  }
}
