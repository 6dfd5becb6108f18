/**
 * The function worker's side of its link to the gateway, for either isolation: in a worker
 * thread, messages on a port of their own (`gatewayLink`), the handler's writes batched per turn
 * of the event loop (one message, one wake-up of the gateway, however many small writes; a lone
 * write goes at once),
 * the batch itself in a slot of memory shared with the gateway, which writes its clients' sockets
 * from it and then frees the slot; in a child process, frames on file descriptor 3 (frames.ts) and
 * invocations over IPC.
 */
import * as net from 'net';
import * as v8 from 'v8';
import * as vm from 'vm';
import { MessageChannel, MessagePort, parentPort, receiveMessageOnPort, Worker, workerData } from 'worker_threads';
import type { RequestRecord } from './event';
import { FRAME_DATA, FRAME_END, frameHeader, InvocationEnd } from './frames';

export interface InvokeMessage {
  readonly type: 'invoke';
  /** The request; the worker builds the handler's event from it. */
  readonly request: RequestRecord;
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

/** What the gateway gives a function thread in `workerData`. */
export interface ThreadData {
  /** The thread's end of its private port to the gateway (see `gatewayLink`). */
  readonly port?: MessagePort;
  readonly link?: SharedLink;
  readonly memoryMb?: number;
  /** A thread of `shared` isolation (host.ts). */
  readonly shared?: boolean;
}

let taken: { port: MessagePort; link?: SharedLink } | undefined;

/**
 * In a function thread: its private port to the gateway and the shared memory of its batches,
 * taken out of `workerData` before any handler loads. Code in a handler can reach the thread's
 * `parentPort` and `workerData` (`require('worker_threads')`) and post anything: the gateway
 * ignores `parentPort` and talks on this port only, which no handler can look up.
 */
export function gatewayLink(): { port: MessagePort; link?: SharedLink } {
  if (!taken) {
    const data = (workerData ?? {}) as { -readonly [K in keyof ThreadData]: ThreadData[K] };
    if (!data.port) throw new Error('this thread was started without its port to the gateway');
    taken = { port: data.port, link: data.link };
    delete data.port;
    delete data.link;
  }
  return taken;
}

/**
 * The gateway's side: starts a function thread (only the function's variables; not the gateway's
 * own flags, as a TypeScript loader's hooks would load into every thread) with its heap bound at
 * `heapMb` and a private port to it, on which `receive` gets what the thread sends. When the
 * thread exits, what it posted before is delivered first (as Node does for `parentPort` before a
 * worker's `exit`, and before the callers' own `exit` listeners), then the port closes.
 */
export function startFunctionThread(
  script: string, env: Record<string, string>, heapMb: number, data: Omit<ThreadData, 'port'>, receive: (message: any) => void,
): { thread: Worker; port: MessagePort } {
  const { port1: port, port2: threadPort } = new MessageChannel();
  const thread = new Worker(script, {
    env,
    execArgv: [],
    workerData: { ...data, port: threadPort },
    transferList: [threadPort],
    resourceLimits: { maxOldGenerationSizeMb: heapMb },
  });
  port.on('message', receive);
  thread.once('exit', () => {
    for (let next = receiveMessageOnPort(port); next; next = receiveMessageOnPort(port)) receive(next.message);
    port.close();
  });
  return { thread, port };
}

function threadChannel(): Channel {
  const { port, link } = gatewayLink();
  const batches = new BatchSender(port, link);
  const memory = watchMemory(port, () => 1);
  port.on('message', (message: { type: string }) => {
    if (message.type === 'pause') batches.pause(0);
    else if (message.type === 'resume') batches.resume(0);
    else if (message.type === 'credit') batches.credited();
    else if (message.type === 'collect') memory.collect();
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
/** Then one state per batch slot: 0 free, 1 filled by the thread or lent out by the gateway. */
const SLOT_STATES = 2;

/**
 * A thread's batch slots: shared memory the thread writes a batch into and the gateway writes to
 * its clients' sockets straight from (no copy into a message, no new buffer per batch on the
 * gateway's thread: copying 64 KB batches through messages cost more CPU than the relaying).
 * A batch that does not fit, or finds every slot taken, goes as a copied message instead.
 */
export const SLOT_BYTES = 256 * 1024;
/**
 * Slots per thread: one fast stream holds several at once (in its socket, the relay's buffer and
 * messages under way); 4 MB of address space, of which only the slots used take memory.
 */
export const SLOT_COUNT = 16;
/**
 * For tests: a freed slot is filled with `POISON_BYTE` at once, so bytes still used after their
 * lease was released show up as corrupt output instead of only when the slot is written again.
 */
export const slotChecks = { poisonFreed: false };
export const POISON_BYTE = 0xdb;

/** A slotted batch's message is one number: slot × SLOT_SPAN + size. */
const SLOT_SPAN = 2 ** 20;

/** The shared memory of a thread's link to the gateway, passed to it as `workerData.link` (`gatewayLink`). */
export interface SharedLink {
  /** [bytes read by the gateway (wrapping), 1 while the thread's writers wait, slot states…]. */
  readonly counters: Int32Array;
  /** Slots of SLOT_BYTES each. */
  readonly slots: Uint8Array;
}

/**
 * Bytes of a batch the gateway lends to whoever relays them, valid until `release()`: a consumer
 * that keeps them longer than it writes them copies them first. A slot is free again once every
 * record of its batch was released (until then, the thread sends batches as copied messages).
 */
export class Lease {
  private released = false;

  constructor(private readonly credit: BatchCredit, private readonly slot: number) {}

  public release(): void {
    if (this.released) return;
    this.released = true;
    this.credit.returned(this.slot);
  }
}

/** What the gateway receives from a thread for response bytes: a copied batch, or a slot's number. */
export type BatchMessage = Uint8Array | number;

export function isBatch(message: unknown): message is BatchMessage {
  return typeof message === 'number' || message instanceof Uint8Array;
}

/** True for a message of the thread's own kinds (an object with a `type`), not a batch. */
export function isTyped(message: unknown): message is { readonly type: unknown } {
  return typeof message === 'object' && message !== null && 'type' in message;
}

/**
 * The gateway's side of a thread's batches: it delivers their records, counts the bytes it has
 * read (shared memory, no message) and wakes the thread's writers (`wake`) only when they wait
 * for room. A slotted batch's records are delivered with a `Lease` on their bytes.
 */
export class BatchCredit {
  public readonly link: SharedLink;
  /** Records of each slot's batch not yet released. */
  private readonly lent: number[];

  constructor(private readonly wake: () => void, slotCount = SLOT_COUNT) {
    this.link = {
      counters: new Int32Array(new SharedArrayBuffer((SLOT_STATES + slotCount) * Int32Array.BYTES_PER_ELEMENT)),
      slots: new Uint8Array(new SharedArrayBuffer(slotCount * SLOT_BYTES)),
    };
    this.lent = new Array<number>(slotCount).fill(0);
  }

  /**
   * Calls `deliver(env, bytes, lease)` for each record of a batch from `BatchSender`, then counts
   * it read. With a lease, the bytes are the thread's slot: the consumer must release it.
   * False, and nothing delivered, when the message is no batch of the thread's (a defence in
   * depth: handlers cannot reach the thread's private port, `gatewayLink`).
   */
  public receive(message: BatchMessage, deliver: (env: number, bytes: Buffer, lease?: Lease) => void): boolean {
    if (typeof message === 'number') return this.receiveSlot(message, deliver);
    if (countRecords(message) <= 0) return false;
    readBatch(message, deliver);
    this.counted(message.byteLength);
    return true;
  }

  private receiveSlot(message: number, deliver: (env: number, bytes: Buffer, lease?: Lease) => void): boolean {
    const slot = Math.floor(message / SLOT_SPAN);
    const size = message % SLOT_SPAN;
    // Only a slot the thread has filled (taken, state 1) and that is not lent already, and a size
    // that fits it. A forged number for a slot whose batch is on its way delivers that batch (the
    // thread wrote it whole before posting); its own message is then refused.
    if (!Number.isSafeInteger(message) || message < 0 || slot >= this.lent.length || size > SLOT_BYTES
      || this.lent[slot] !== 0 || Atomics.load(this.link.counters, SLOT_STATES + slot) !== 1) return false;
    const batch = this.link.slots.subarray(slot * SLOT_BYTES, slot * SLOT_BYTES + size);
    const records = countRecords(batch);
    if (records <= 0) return false;
    this.lent[slot] = records;
    readBatch(batch, (env, bytes) => deliver(env, bytes, new Lease(this, slot)));
    this.counted(size);
    return true;
  }

  /** Counts a batch read, and wakes the thread's writers if they wait for room. */
  private counted(size: number): void {
    Atomics.add(this.link.counters, READ, size);
    if (Atomics.compareExchange(this.link.counters, WAITING, 1, 0) === 1) this.wake();
  }

  /** One record of `slot` was released. */
  public returned(slot: number): void {
    if (--this.lent[slot] === 0) this.free(slot);
  }

  private free(slot: number): void {
    if (slotChecks.poisonFreed) this.link.slots.fill(POISON_BYTE, slot * SLOT_BYTES, (slot + 1) * SLOT_BYTES);
    Atomics.store(this.link.counters, SLOT_STATES + slot, 0);
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

  /** `link`: the shared memory of the gateway's `BatchCredit` (none: no limit, no slots). */
  constructor(private readonly port: MessagePort, private readonly link?: SharedLink) {}

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
    const slot = size <= SLOT_BYTES ? this.takeSlot() : -1;
    let joined: Uint8Array;
    if (slot >= 0) {
      joined = this.link!.slots.subarray(slot * SLOT_BYTES, slot * SLOT_BYTES + size);
    } else {
      // Copied into the message, not transferred: a transferred buffer stays on this thread's memory
      // account until the gateway's thread collects it, and made busy threads fail their memory
      // check with nothing of the handler's alive. The same batch size (a steady stream) reuses its buffer.
      if (this.staging?.length !== size) this.staging = new Uint8Array(size);
      joined = this.staging;
    }
    const view = new DataView(joined.buffer, joined.byteOffset, joined.byteLength);
    let at = 0;
    for (const { env, piece } of records) {
      view.setUint32(at, env);
      view.setUint32(at + 4, piece.length);
      joined.set(piece, at + RECORD_HEADER);
      at += RECORD_HEADER + piece.length;
    }
    this.port.postMessage(slot >= 0 ? slot * SLOT_SPAN + size : joined);
    // eslint-disable-next-line no-bitwise -- wraps at 32 bits, as Atomics.add does the gateway's count
    this.sent = (this.sent + size) | 0;
    this.releaseAll();
  }

  /** A free slot, now taken (the lowest: a steady stream keeps to the same few pages), or -1. */
  private takeSlot(): number {
    if (!this.link) return -1;
    const slots = this.link.slots.length / SLOT_BYTES;
    for (let slot = 0; slot < slots; slot++) {
      if (Atomics.compareExchange(this.link.counters, SLOT_STATES + slot, 0, 1) === 0) return slot;
    }
    return -1;
  }

  private releaseAll(): void {
    if (this.blocked()) return;
    for (const env of [...this.waiting.keys()]) if (!this.paused.has(env)) this.release(env);
  }

  private inFlight(): number {
    // eslint-disable-next-line no-bitwise -- both counts wrap at 32 bits; their difference does not
    return this.link ? (this.sent - Atomics.load(this.link.counters, READ)) | 0 : 0;
  }

  /**
   * True when the gateway has too much unread: the writers wait, and the gateway wakes them
   * (`credited`) when it reads. The flag is raised before the count is read again, so either this
   * thread sees the gateway's read or the gateway sees the flag.
   */
  private blocked(): boolean {
    if (!this.link || this.inFlight() < IN_FLIGHT_LIMIT) return false;
    Atomics.store(this.link.counters, WAITING, 1);
    if (this.inFlight() >= IN_FLIGHT_LIMIT) return true;
    // Read meanwhile: lower the flag again (if the gateway already did, its wake-up is harmless).
    Atomics.compareExchange(this.link.counters, WAITING, 1, 0);
    return false;
  }

  private release(env: number): void {
    const callbacks = this.waiting.get(env);
    if (!callbacks) return;
    this.waiting.delete(env);
    callbacks.forEach((done) => done());
  }
}

/** The records of a batch, or -1 when it is not a sequence of whole records. */
function countRecords(batch: Uint8Array): number {
  const view = new DataView(batch.buffer, batch.byteOffset, batch.byteLength);
  let records = 0;
  for (let at = 0; at < batch.byteLength; records++) {
    if (at + RECORD_HEADER > batch.byteLength) return -1;
    at += RECORD_HEADER + view.getUint32(at + 4);
    if (at > batch.byteLength) return -1;
  }
  return records;
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
 * ends when heap and buffers together pass `memorySize`. Garbage is not memory the function holds:
 * past the bound a full collection runs first, and only what survives it counts (V8 collects when
 * it needs room, and a shared thread's heap limit is far above one function's `memorySize`).
 * `collect()` is the gateway asking, having read the thread's memory over the bound from outside:
 * the answer is `collected`, or the thread's out-of-memory end.
 */
export function watchMemory(
  port: MessagePort,
  environments: () => number,
  memoryMb: () => number = () => workerData?.memoryMb ?? 0,
): { start(): void; stop(): void; collect(): void } {
  let timer: ReturnType<typeof setInterval> | undefined;
  const used = () => {
    const usage = process.memoryUsage();
    return usage.heapUsed + usage.arrayBuffers;
  };
  const bound = () => memoryMb() * 1024 * 1024 * environments();
  /** Ends the thread (out of memory) when what survives a collection is over the bound. */
  const check = () => {
    if (!memoryMb() || used() <= bound()) return;
    collectGarbage();
    if (used() <= bound()) return;
    port.postMessage({ type: 'oom' });
    process.exit(137);
  };
  return {
    collect: () => {
      check();
      port.postMessage({ type: 'collected' });
    },
    start: () => {
      if (!memoryMb() || timer) return;
      timer = setInterval(check, 100);
      timer.unref();
    },
    stop: () => {
      clearInterval(timer);
      timer = undefined;
    },
  };
}

let fullCollection: (() => void) | undefined;

/**
 * A full garbage collection. `gc` exists only in contexts made while `--expose-gc` is set: one is
 * made for it, and the flag is unset at once, so no handler's context has a `gc`.
 */
function collectGarbage(): void {
  if (!fullCollection) {
    v8.setFlagsFromString('--expose-gc');
    fullCollection = vm.runInNewContext('gc') as () => void;
    v8.setFlagsFromString('--no-expose-gc');
  }
  fullCollection();
}
