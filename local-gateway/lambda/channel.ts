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
  let batch: Uint8Array[] = [];
  /** Writers to call back once their batch went (and the gateway is not pausing). */
  let waiting: Array<() => void> = [];
  let scheduled = false;
  let paused = false;
  const release = () => {
    const callbacks = waiting;
    waiting = [];
    callbacks.forEach((done) => done());
  };
  const flush = () => {
    scheduled = false;
    // One fresh buffer of exactly the batch, moved (not copied) to the gateway.
    const joined = new Uint8Array(batch.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const piece of batch) {
      joined.set(piece, at);
      at += piece.length;
    }
    batch = [];
    port.postMessage(joined, [joined.buffer]);
    if (!paused) release();
  };
  const memory = watchMemory(port);
  port.on('message', (message: { type: string }) => {
    if (message.type === 'pause') {
      paused = true;
    } else if (message.type === 'resume') {
      paused = false;
      if (!scheduled) release();
    }
  });
  return {
    data: (pieces, done) => {
      for (const piece of pieces) batch.push(piece);
      waiting.push(done);
      if (scheduled) return;
      scheduled = true;
      setImmediate(flush);
    },
    end: async (end) => {
      if (scheduled) await new Promise<void>((resolve) => waiting.push(resolve));
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

/**
 * A thread's heap is bounded by its `resourceLimits`; its buffers (outside the heap) are not, so
 * the thread checks them itself during invocations (an idle environment never wakes for it) and
 * ends when heap and buffers together pass `memorySize`.
 */
function watchMemory(port: NonNullable<typeof parentPort>): { start(): void; stop(): void } {
  const limit = (workerData?.memoryMb ?? 0) * 1024 * 1024;
  let timer: ReturnType<typeof setInterval> | undefined;
  const check = () => {
    const usage = process.memoryUsage();
    if (usage.heapUsed + usage.arrayBuffers > limit) {
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
