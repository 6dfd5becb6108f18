/**
 * The function worker's side of its link to the gateway, for either isolation: in a worker
 * thread, messages on `parentPort`, the handler's writes batched per turn of the event loop (one
 * message, one wake-up of the gateway, however many small writes; a lone write goes at once);
 * in a child process, frames on file descriptor 3 (frames.ts) and invocations over IPC.
 */
import * as net from 'net';
import { parentPort, workerData } from 'worker_threads';
import { FRAME_DATA, FRAME_END, frameHeader, InvocationEnd } from './frames';

export interface InvokeMessage {
  readonly type: 'invoke';
  readonly event: unknown;
  readonly timeoutMs: number;
}

export interface Channel {
  /** Sends response bytes; `done` is called when more may be sent (backpressure). */
  data(pieces: Uint8Array[], done: () => void): void;
  /** Ends the invocation. */
  end(end: InvocationEnd): Promise<void>;
  onInvoke(listener: (message: InvokeMessage) => void): void;
  ready(): void;
}

export function openChannel(): Channel {
  return parentPort ? threadChannel() : processChannel();
}

function processChannel(): Channel {
  const out = new net.Socket({ fd: 3, readable: false, writable: true });
  /** Sends one frame whose payload is `pieces` back to back (no copy: the socket gathers them). */
  const send = (type: number, pieces: Uint8Array[]): boolean => {
    const length = pieces.reduce((n, p) => n + p.length, 0);
    out.cork();
    out.write(frameHeader(type, length));
    let room = true;
    for (const piece of pieces) room = out.write(piece);
    out.uncork();
    return room;
  };
  return {
    data: (pieces, done) => {
      if (send(FRAME_DATA, pieces)) done();
      else out.once('drain', done);
    },
    end: (end) => (send(FRAME_END, [Buffer.from(JSON.stringify(end))]) ? Promise.resolve() : new Promise((resolve) => out.once('drain', () => resolve()))),
    onInvoke: (listener) => process.on('message', (message: InvokeMessage) => message?.type === 'invoke' && listener(message)),
    ready: () => process.send?.({ type: 'ready' }),
  };
}

function threadChannel(): Channel {
  const port = parentPort!;
  const batches = new BatchSender(port, workerData?.credit);
  const memory = watchMemory(port, () => 1);
  port.on('message', (message: { type: string }) => {
    if (message.type === 'pause') batches.pause(0);
    else if (message.type === 'resume') batches.resume(0);
    else if (message.type === 'credit') batches.credited();
  });
  return {
    data: (pieces, done) => batches.data(0, pieces, done),
    end: async (end) => {
      await batches.flushed(0);
      memory.stop();
      port.postMessage({ type: 'end', end });
    },
    onInvoke: (listener) => port.on('message', (message: InvokeMessage) => {
      if (message?.type !== 'invoke') return;
      memory.start();
      listener(message);
    }),
    ready: () => port.postMessage({ type: 'ready' }),
  };
}

/** Bytes an environment may add to one batch before its writer waits for the batch to go. */
const BATCH_ROOM = 64 * 1024;

/**
 * Bytes of batches a thread may have sent that the gateway has not read yet. Past it, writers wait:
 * a gateway that stalls (a long synchronous task, a breakpoint, a GC pause) stops its threads'
 * writers instead of letting their messages pile up without bound.
 */
export const IN_FLIGHT_LIMIT = 2 * 1024 * 1024;

/** Slots of a thread's credit counters (an Int32Array on shared memory). */
const READ = 0;
const WAITING = 1;

/**
 * The gateway's side of a thread's batches: it delivers their records, counts the bytes it has
 * read (shared memory, no message) and wakes the thread's writers (`wake`) only when they wait
 * for room.
 */
export class BatchCredit {
  /** [bytes read by the gateway (wrapping), 1 while the thread's writers wait]; passed to the thread. */
  public readonly counters = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));

  constructor(private readonly wake: () => void) {}

  /** Calls `deliver(env, bytes)` for each record of a batch from `BatchSender`, then counts it read. */
  public receive(batch: Uint8Array, deliver: (env: number, bytes: Buffer) => void): void {
    readBatch(batch, deliver);
    Atomics.add(this.counters, READ, batch.byteLength);
    if (Atomics.compareExchange(this.counters, WAITING, 1, 0) === 1) this.wake();
  }
}

/** The bytes of a batch record's header: the environment's number and the length, 32 bits each. */
export const RECORD_HEADER = 8;

/**
 * What the handlers of a thread write, sent to the gateway once per turn of the thread's event
 * loop: one message (one wake-up of the gateway) however many writes and environments, a lone
 * write at once. The message is one buffer of records (environment, length, bytes). A writer is
 * called back at once while its environment has less than `BATCH_ROOM` bytes waiting (so a
 * prelude, its delimiter and the first chunk leave together); past that, when its batch went;
 * and while the gateway pauses its environment (backpressure), only when it resumes.
 */
export class BatchSender {
  private records: Array<{ env: number; piece: Uint8Array }> = [];
  /** Bytes each environment has in the batch being gathered. */
  private readonly queued = new Map<number, number>();
  private waiting = new Map<number, Array<() => void>>();
  private readonly paused = new Set<number>();
  private scheduled = false;
  /** The last batch's buffer, reused by a batch of the same size. */
  private staging?: Uint8Array;
  /** Batch bytes sent (wrapping, like the gateway's count of bytes read). */
  private sent = 0;

  /** `credit`: the counters of the gateway's `BatchCredit` (none: no limit). */
  constructor(private readonly port: NonNullable<typeof parentPort>, private readonly credit?: Int32Array) {}

  public data(env: number, pieces: Uint8Array[], done: () => void): void {
    let bytes = this.queued.get(env) ?? 0;
    for (const piece of pieces) {
      this.records.push({ env, piece });
      bytes += piece.length;
    }
    this.queued.set(env, bytes);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    if (bytes < BATCH_ROOM && !this.paused.has(env) && !this.waiting.has(env) && this.inFlight() < IN_FLIGHT_LIMIT) {
      done();
      return;
    }
    const callbacks = this.waiting.get(env);
    if (callbacks) callbacks.push(done);
    else this.waiting.set(env, [done]);
  }

  /** Resolves once what `env` wrote so far went to the gateway. */
  public flushed(env: number): Promise<void> {
    if (!this.scheduled || !this.queued.has(env)) return Promise.resolve();
    return new Promise((resolve) => {
      const callbacks = this.waiting.get(env);
      if (callbacks) callbacks.push(resolve);
      else this.waiting.set(env, [resolve]);
    });
  }

  public pause(env: number): void {
    this.paused.add(env);
  }

  public resume(env: number): void {
    this.paused.delete(env);
    if (!this.scheduled && !this.blocked()) this.release(env);
  }

  /** The gateway read batches while writers waited for room. */
  public credited(): void {
    if (!this.scheduled) this.releaseAll();
  }

  /** Forgets an environment (ended): what it still had queued is dropped. */
  public forget(env: number): void {
    this.records = this.records.filter((r) => r.env !== env);
    this.queued.delete(env);
    this.waiting.delete(env);
    this.paused.delete(env);
  }

  private flush(): void {
    this.scheduled = false;
    const records = this.records;
    this.records = [];
    this.queued.clear();
    const size = records.reduce((n, r) => n + RECORD_HEADER + r.piece.length, 0);
    if (size === 0) return this.releaseAll();
    // Copied into the message, not transferred: a transferred buffer stays on this thread's memory
    // account until the gateway's thread collects it, and made busy threads fail their memory
    // check with nothing of the handler's alive. The same batch size (a steady stream) reuses its buffer.
    if (this.staging?.length !== size) this.staging = new Uint8Array(size);
    const joined = this.staging;
    const view = new DataView(joined.buffer);
    let at = 0;
    for (const { env, piece } of records) {
      view.setUint32(at, env);
      view.setUint32(at + 4, piece.length);
      joined.set(piece, at + RECORD_HEADER);
      at += RECORD_HEADER + piece.length;
    }
    this.port.postMessage(joined);
    // eslint-disable-next-line no-bitwise -- wraps at 32 bits, as Atomics.add does the gateway's count
    this.sent = (this.sent + size) | 0;
    this.releaseAll();
  }

  private releaseAll(): void {
    if (this.blocked()) return;
    for (const env of [...this.waiting.keys()]) if (!this.paused.has(env)) this.release(env);
  }

  private inFlight(): number {
    // eslint-disable-next-line no-bitwise -- both counts wrap at 32 bits; their difference does not
    return this.credit ? (this.sent - Atomics.load(this.credit, READ)) | 0 : 0;
  }

  /**
   * True when the gateway has too much unread: the writers wait, and the gateway wakes them
   * (`credited`) when it reads. The flag is raised before the count is read again, so either this
   * thread sees the gateway's read or the gateway sees the flag.
   */
  private blocked(): boolean {
    if (!this.credit || this.inFlight() < IN_FLIGHT_LIMIT) return false;
    Atomics.store(this.credit, WAITING, 1);
    if (this.inFlight() >= IN_FLIGHT_LIMIT) return true;
    // Read meanwhile: lower the flag again (if the gateway already did, its wake-up is harmless).
    Atomics.compareExchange(this.credit, WAITING, 1, 0);
    return false;
  }

  private release(env: number): void {
    const callbacks = this.waiting.get(env);
    if (!callbacks) return;
    this.waiting.delete(env);
    callbacks.forEach((done) => done());
  }
}

/** Calls `deliver(env, bytes)` for each record of a batch from `BatchSender`. */
function readBatch(batch: Uint8Array, deliver: (env: number, bytes: Buffer) => void): void {
  const view = new DataView(batch.buffer, batch.byteOffset, batch.byteLength);
  for (let at = 0; at < batch.byteLength;) {
    const env = view.getUint32(at);
    const length = view.getUint32(at + 4);
    deliver(env, Buffer.from(batch.buffer, batch.byteOffset + at + RECORD_HEADER, length));
    at += RECORD_HEADER + length;
  }
}

/**
 * A thread's heap is bounded by its `resourceLimits`; its buffers (outside the heap) are not, so
 * the thread checks them itself during invocations (an idle environment never wakes for it) and
 * ends when heap and buffers together pass `memorySize`.
 */
export function watchMemory(port: NonNullable<typeof parentPort>, environments: () => number): { start(): void; stop(): void } {
  const limit = (workerData?.memoryMb ?? 0) * 1024 * 1024;
  let timer: ReturnType<typeof setInterval> | undefined;
  const check = () => {
    const usage = process.memoryUsage();
    if (usage.heapUsed + usage.arrayBuffers > limit * environments()) {
      port.postMessage({ type: 'oom' });
      process.exit(137);
    }
  };
  return {
    start: () => {
      if (!limit || timer) return;
      timer = setInterval(check, 100);
      timer.unref();
    },
    stop: () => {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
