/**
 * An execution environment as the pool and the Lambda integration see it, whatever sandbox holds
 * it (a worker thread or a child process): one invocation at a time, its output to a sink, the
 * function timeout enforced from outside the handler's event loop, and the end of the sandbox
 * (exit, crash, signal, memory) reported to the invocation it cuts short.
 */
import type { RequestRecord } from './event';
import type { MemoryWatch } from './limits';
import { exited, InvocationEnd, isInvocationEnd, outOfMemory, signalled, timedOut } from './outcome';
import type { FromSandbox, ToSandbox } from './protocol';

/** Receives one invocation's output. */
export interface InvocationSink {
  onData(chunk: Buffer): void;
  onEnd(end: InvocationEnd): void;
}

/** A sink for what functions print: `stream` is the one they wrote to. */
export type FunctionOutput = (chunk: Buffer, stream: 'stdout' | 'stderr') => void;

export abstract class ExecutionEnvironment {
  public busy = false;
  public idleTimer?: ReturnType<typeof setTimeout>;
  /** Set when the environment ended before its invocation: what that invocation gets. */
  public endedWith?: InvocationEnd;
  /** Resolves when the init is over (or the sandbox died in it). */
  public readonly ready: Promise<void>;
  protected gone = false;
  /** Why the sandbox is ending, when the gateway or the handler knows it before the exit. */
  protected endReason?: InvocationEnd;
  private resolveReady!: () => void;
  private sink?: InvocationSink;
  private deadline?: ReturnType<typeof setTimeout>;
  private memory?: MemoryWatch;

  /** `output`: where what the sandbox prints goes (the gateway's stdout and stderr by default). */
  constructor(protected readonly memoryMb: number, private readonly output?: FunctionOutput) {
    this.ready = new Promise((resolve) => (this.resolveReady = resolve));
  }

  public get alive(): boolean {
    return !this.gone;
  }

  /** An invocation runs (its end has not come). */
  protected get invoking(): boolean {
    return this.sink !== undefined;
  }

  /**
   * Starts an invocation that may run `timeoutMs`; output arrives on `sink`. The handler's event
   * is the proxy event of `request`, or `event` when given (an authorizer's event).
   */
  public invoke(request: RequestRecord, timeoutMs: number, sink: InvocationSink, event?: unknown): void {
    this.sink = sink;
    if (this.gone) {
      this.finish(this.endedWith ?? exited('the environment ended before the invocation'));
      return;
    }
    this.deadline = setTimeout(() => {
      // Lambda ends the environment of a function that timed out, even one that never yields.
      this.finish(timedOut(timeoutMs));
      this.kill();
    }, timeoutMs);
    this.watchMemory();
    this.post({ type: 'invoke', request, timeoutMs, event });
  }

  /** `bytes` of output were consumed: the handler may write that much more. */
  public acknowledge(bytes: number): void {
    if (!this.gone && this.invoking) this.post({ type: 'ack', bytes });
  }

  /** Ends the environment at once. */
  public kill(): void {
    this.sink = undefined;
    clearTimeout(this.deadline);
    this.unwatchMemory();
    if (!this.gone) this.terminate();
    this.gone = true;
  }

  /** Sends a message to the sandbox (an `invoke` wakes it from its freeze, sandbox/link.ts). */
  protected abstract post(message: ToSandbox): void;
  protected abstract terminate(): void;
  /** Starts reading the sandbox's memory while it is busy; `over()` when it is past `memorySize`. */
  protected abstract readMemory(over: () => void): MemoryWatch;

  /** What the sandbox sends: response bytes, or its messages (anything else is ignored). */
  protected receive(message: FromSandbox | Uint8Array): void {
    if (message instanceof Uint8Array) {
      if (this.sink) this.sink.onData(Buffer.from(message.buffer, message.byteOffset, message.byteLength));
      return;
    }
    switch (message?.type) {
      case 'ready': this.resolveReady(); break;
      case 'end': if (isInvocationEnd(message.end)) this.finish(message.end); break;
      case 'collected': this.memory?.collected(message.over === true); break;
      case 'signal': this.endReason ??= exited(signalled(String(message.signal))); break;
      case 'printed': this.print(Buffer.from(message.chunk), message.stream === 'stderr' ? 'stderr' : 'stdout'); break;
    }
  }

  /** What the sandbox printed, to `output` or the gateway's own stream. */
  protected print(chunk: Buffer, stream: 'stdout' | 'stderr'): void {
    if (this.output) this.output(chunk, stream);
    else process[stream].write(chunk);
  }

  private watchMemory(): void {
    this.memory = this.readMemory(() => {
      // (ended from here, not `kill()`: the exit reports the out-of-memory end to the invocation)
      this.endReason ??= outOfMemory(this.memoryMb);
      this.unwatchMemory();
      this.terminate();
    });
  }

  private unwatchMemory(): void {
    this.memory?.stop();
    this.memory = undefined;
  }

  /** The sandbox exited: `end` is what a running invocation gets, unless a reason is known. */
  protected exited(end: InvocationEnd): void {
    this.gone = true;
    this.resolveReady();
    this.unwatchMemory();
    this.finish(this.endReason ?? end);
  }

  /**
   * The invocation ended (its `end` message), or the sandbox died during it. A sandbox that dies
   * with no invocation running (its init exited, crashed or signalled itself) keeps why: the
   * invocation that finds it dead gets that, not a bare "ended".
   */
  protected finish(end: InvocationEnd): void {
    clearTimeout(this.deadline);
    this.unwatchMemory();
    const sink = this.sink;
    this.sink = undefined;
    if (sink) sink.onEnd(end);
    else if (end.outcome !== 'ended') this.endedWith ??= end;
  }
}
