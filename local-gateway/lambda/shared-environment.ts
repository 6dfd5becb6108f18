/**
 * `shared` isolation, the gateway's side: the execution environments of one function live in a
 * few worker threads (host.ts), many to a thread. A thread wake-up then serves every environment
 * whose timer or socket is due, and one message carries all their writes: per streamed request
 * this costs a fraction of a thread per environment (where every wake-up runs on a cold isolate).
 *
 * Each environment still has its own modules, runs one invocation at a time, and is ended at its
 * function timeout. What it cannot have is a thread of its own: a handler that never yields, calls
 * `process.exit()`, throws where nothing catches it or outgrows the thread's memory ends the thread,
 * and the invocations running beside it fail with it (`Runtime.ExitError`, the log says why).
 * A thread where an invocation was cut short (timeout, client gone) takes no new environments and
 * ends when its running invocations have finished, so nothing the cut handler left behind runs on.
 */
import type { MessagePort, Worker } from 'worker_threads';
import { BatchCredit, BatchMessage, isBatch, isTyped, Lease, startFunctionThread } from './channel';
import type { RequestRecord } from './event';
import { ExecutionEnvironment, exited, outOfMemory, signalled, watchThreadMemory } from './execution';
import { InvocationEnd, isInvocationEnd } from './frames';
import type { HostCommand } from './host';

/** How long a thread has to answer after one of its handlers timed out before it is ended. */
const RESPONSIVE_MS = 250;

/** Why the environments still on a thread that drained end (environments that were starting). */
const DRAINED = 'its shared thread ended after another invocation on it was cut short (a timeout, or a client that left)';

type HostMessage =
  | { readonly type: 'ready' | 'pong' | 'oom' | 'collected' }
  | { readonly type: 'loaded'; readonly env: number }
  | { readonly type: 'end'; readonly env: number; readonly end: InvocationEnd }
  | { readonly type: 'signal'; readonly signal: string };

/** The function a host thread serves. */
export interface HostFunction {
  /** The function's `process.env`. */
  readonly env: Record<string, string>;
  readonly memoryMb: number;
  /** Most environments on the thread. */
  readonly capacity: number;
  readonly log: (message: string) => void;
}

/** What a thread started ahead serves until `bind`: nothing (it takes no environment). */
const NO_FUNCTION: HostFunction = { env: {}, memoryMb: 0, capacity: 0, log: () => undefined };

export class HostThread {
  public readonly started: Promise<void>;
  private readonly thread: Worker;
  /** The gateway's end of the thread's private port (channel.ts `gatewayLink`). */
  private readonly port: MessagePort;
  private readonly environments = new Map<number, SharedEnvironment>();
  private readonly pongs: Array<() => void> = [];
  private readonly credit = new BatchCredit(() => this.post({ type: 'credit' }));
  /** Commands posted this turn: they leave together, one message (one wake-up of the thread). */
  private outbox: HostCommand[] = [];
  private nextId = 1;
  private gone = false;
  private draining = false;
  private overMemory = false;
  private endReason?: string;
  /** The gateway's reading of the thread's memory (execution.ts `watchThreadMemory`). */
  private memory?: { collected(): void };
  private strayReported = false;
  private fn: HostFunction;

  /**
   * A thread for `fn`, or (without it) a thread started ahead of need, for no function yet: it
   * starts its runtime now and takes a function's variables with `bind` (standby.ts).
   * `heapMb` bounds the heap its environments share (workers.ts: `sharedThreadHeapMb`).
   */
  constructor(script: string, public readonly heapMb: number, fn?: HostFunction) {
    this.fn = fn ?? NO_FUNCTION;
    let resolveStarted!: () => void;
    this.started = new Promise((resolve) => (resolveStarted = resolve));
    const receive = (message: HostMessage | BatchMessage | undefined): void => {
      if (isBatch(message)) {
        const delivered = this.credit.receive(message, (id, bytes, lease) => {
          const environment = this.environments.get(id);
          if (environment) environment.delivered(bytes, lease);
          else lease?.release();
        });
        if (!delivered) this.stray();
        return;
      }
      if (!isTyped(message)) return this.stray();
      switch (message.type) {
        case 'ready': resolveStarted(); break;
        case 'loaded': this.environments.get(message.env)?.loaded(); break;
        case 'end': if (isInvocationEnd(message.end)) this.environments.get(message.env)?.ended(message.end); else this.stray(); break;
        case 'oom': this.overMemory = true; break;
        case 'pong': this.pongs.shift()?.(); this.endIfDone(); break;
        case 'signal': this.endReason ??= signalled(message.signal); break;
        case 'collected': this.memory?.collected(); break;
        default: this.stray();
      }
    };
    ({ thread: this.thread, port: this.port } = startFunctionThread(
      script, this.fn.env, heapMb, { memoryMb: this.fn.memoryMb, shared: true, link: this.credit.link }, receive));
    // Only handlers' code posts on the thread's parentPort.
    this.thread.on('message', () => this.stray());
    this.thread.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') this.overMemory = true;
      else this.endReason ??= `${error.name}: ${error.message} (uncaught in a handler)`;
    });
    this.thread.once('exit', (code) => {
      resolveStarted();
      this.gone = true;
      const share = this.environments.size > 1 ? `; ${this.environments.size} environments shared its thread` : '';
      this.endEnvironments(this.overMemory
        ? outOfMemory(this.fn.memoryMb)
        : exited(`${this.endReason ?? `the function exited (code ${code})`}${share}`));
    });
    this.watchHeap();
    // Waiting for a function keeps no process alive (after the listeners: adding one refs the port).
    if (!fn) {
      this.thread.unref();
      this.port.unref();
    }
  }

  public get alive(): boolean {
    return !this.gone;
  }

  /** A thread started ahead serves `fn` from now on (before any of its environments loads). */
  public bind(fn: HostFunction): void {
    if (this.fn !== NO_FUNCTION) throw new Error('this thread already serves a function');
    this.fn = fn;
    this.post({ type: 'bind', env: fn.env, memoryMb: fn.memoryMb });
    this.thread.ref();
    this.port.ref();
  }

  /** Takes another environment: alive, not draining, under its capacity. */
  public get hasRoom(): boolean {
    return !this.gone && !this.draining && this.environments.size < this.fn.capacity;
  }

  public get isDraining(): boolean {
    return this.draining;
  }

  /** A new environment on this thread (its init phase starts now). */
  public add(): SharedEnvironment {
    const environment = new SharedEnvironment(this, this.nextId++, this.fn.memoryMb);
    this.environments.set(environment.id, environment);
    this.post({ type: 'load', env: environment.id });
    return environment;
  }

  /**
   * Sends a command; those of one turn of the gateway's loop (a burst of requests) go as one
   * message when the turn's I/O is done, instead of one message and one wake-up each.
   */
  public post(command: HostCommand): void {
    if (this.gone) return;
    if (this.outbox.push(command) === 1) setImmediate(() => this.flush());
  }

  private flush(): void {
    const commands = this.outbox;
    this.outbox = [];
    if (!this.gone && commands.length > 0) this.port.postMessage(commands);
  }

  /** A message that is none of the thread's: a handler's code posted on the thread's port. */
  private stray(): void {
    if (this.strayReported) return;
    this.strayReported = true;
    this.fn.log('ignored a message a handler posted on its worker thread\'s parentPort (on Lambda, parentPort is null: the handler runs on the main thread)');
  }

  /** An environment ends; if it was cut short mid-invocation, the thread drains. */
  public remove(environment: SharedEnvironment, cutShort: { midInvocation: boolean; timedOut: boolean }): void {
    if (!this.environments.delete(environment.id)) return;
    this.post({ type: 'drop', env: environment.id });
    if (cutShort.midInvocation) {
      this.draining = true;
      if (cutShort.timedOut) this.checkResponsive(environment.id);
    }
    this.endIfDone();
  }

  /** Ends the thread when nothing runs on it any more and it drains or holds no environment. */
  public endIfDone(): void {
    // (a thread being checked for a handler that may spin ends when it answers, or when it does not)
    if (this.gone || this.pongs.length > 0) return;
    const running = [...this.environments.values()].some((e) => e.running);
    if (this.environments.size === 0 || (this.draining && !running)) this.end(this.draining ? DRAINED : undefined);
  }

  public end(reason?: string): void {
    if (this.gone) return;
    this.endReason ??= reason;
    this.gone = true;
    this.endEnvironments(this.overMemory ? outOfMemory(this.fn.memoryMb) : exited(this.endReason ?? 'the environment ended'));
    void this.thread.terminate();
  }

  /** The thread is gone: its environments end, and so do the invocations running in them. */
  private endEnvironments(end: InvocationEnd): void {
    this.pongs.splice(0).forEach((answered) => answered()); // no check of a thread that is gone
    for (const environment of [...this.environments.values()]) environment.hostEnded(end);
    this.environments.clear();
  }

  /**
   * Ends a thread whose handler allocates past `memorySize` for each environment it holds without
   * yielding (execution.ts `watchThreadMemory`): its invocations fail like `Runtime.OutOfMemory`,
   * long before the thread's own heap bound (which counts every environment it may hold).
   */
  private watchHeap(): void {
    const boundMb = () => this.fn.memoryMb * Math.max(1, this.environments.size);
    const busy = () => [...this.environments.values()].some((e) => e.running);
    this.memory = watchThreadMemory(this.thread, busy, boundMb, () => this.post({ type: 'collect' }), (usedMb) => {
      if (this.gone) return;
      this.overMemory = true;
      this.fn.log(`a handler's memory reached ${usedMb} MB, past ${boundMb()} MB (memorySize ${this.fn.memoryMb} MB for each of the thread's ${this.environments.size} environment(s)), without yielding: its thread was ended`);
      this.end();
    });
  }

  /** A handler that timed out may be spinning: a thread that does not answer soon is ended. */
  private checkResponsive(id: number): void {
    const timer = setTimeout(() => {
      if (this.gone) return;
      const reason = `a handler never yielded: its thread did not answer after environment ${id} timed out, and was ended with the ${this.environments.size} environment(s) it still held`;
      this.fn.log(reason);
      this.end(reason);
    }, RESPONSIVE_MS);
    this.pongs.push(() => clearTimeout(timer));
    this.post({ type: 'ping' });
  }
}

/** One execution environment on a host thread. */
export class SharedEnvironment extends ExecutionEnvironment {
  public readonly ready: Promise<void>;
  /** An invocation runs in the thread (started, its end not yet come back). */
  public running = false;
  private gone = false;
  private paused = false;
  private timedOut = false;
  private isLoaded = false;
  private resolveReady!: () => void;

  constructor(private readonly host: HostThread, public readonly id: number, memoryMb: number) {
    super(memoryMb);
    this.ready = new Promise((resolve) => (this.resolveReady = resolve));
  }

  public get alive(): boolean {
    return !this.gone && this.host.alive && (this.running || !this.host.isDraining);
  }

  public pause(): void {
    if (this.paused || this.gone) return;
    this.paused = true;
    this.host.post({ type: 'pause', env: this.id });
  }

  public resume(): void {
    if (!this.paused || this.gone) return;
    this.paused = false;
    this.host.post({ type: 'resume', env: this.id });
  }

  public loaded(): void {
    this.isLoaded = true;
    this.resolveReady();
  }

  public delivered(bytes: Buffer, lease?: Lease): void {
    this.data(bytes, lease);
  }

  public ended(end: InvocationEnd): void {
    this.running = false;
    this.finish(end);
    this.host.endIfDone();
  }

  /** The thread ended (crash, memory, or it was ended). */
  public hostEnded(end: InvocationEnd): void {
    this.gone = true;
    this.running = false;
    this.resolveReady();
    this.finish(end);
  }

  protected start(request: RequestRecord, timeoutMs: number): void {
    this.running = true;
    this.timedOut = false;
    this.host.post({ type: 'invoke', env: this.id, request, timeoutMs });
  }

  protected finish(end: InvocationEnd): void {
    if (end.outcome === 'timeout') this.timedOut = true;
    super.finish(end);
  }

  protected terminate(): void {
    if (this.gone) return;
    this.gone = true;
    // An init ended before it finished (it ran past Lambda's limit) is cut short like an
    // invocation: it may be spinning, so the thread is checked and drains.
    const midInvocation = this.running || !this.isLoaded;
    this.running = false;
    this.host.remove(this, { midInvocation, timedOut: this.timedOut || !this.isLoaded });
  }
}
