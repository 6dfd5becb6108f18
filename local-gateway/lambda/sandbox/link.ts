/**
 * The sandbox's side of its link to the gateway. In a worker thread: a private port (taken out of
 * `workerData` before any handler loads, so that no handler can post on it) and a flag in shared
 * memory that the gateway raises after each message it posts. In a child process: IPC.
 *
 * Between invocations a Lambda sandbox is frozen: nothing of it runs, not even the timers and
 * immediates its handler left behind, until the next invocation thaws it. So after each
 * invocation (and after its init) the sandbox blocks (`idle()`) until the gateway wakes it for the
 * next: a thread waits on the flag, a process reads its wake pipe (file descriptor 3; its end
 * means the gateway is gone, and the process exits).
 */
import * as fs from 'fs';
import { MessagePort, parentPort, receiveMessageOnPort, workerData } from 'worker_threads';
import type { FromSandbox, ToSandbox } from '../protocol';

/** What the gateway gives a sandbox thread in `workerData`. */
export interface SandboxThreadData {
  /** The thread's end of its private port to the gateway. */
  readonly port?: MessagePort;
  /** Raised (1) by the gateway when it invokes the thread: wakes it from its freeze. */
  readonly wake?: Int32Array;
  readonly memoryMb?: number;
}

export interface GatewayLink {
  readonly inThread: boolean;
  /** Response bytes, or one of the sandbox's messages. */
  post(message: FromSandbox | Uint8Array): void;
  /** Messages that arrive while the sandbox runs. */
  onMessage(listener: (message: ToSandbox) => void): void;
  /**
   * Freezes the sandbox until the gateway invokes it: messages that come meanwhile go to
   * `dispatch`, and it returns once an `invoke` was dispatched.
   */
  idle(dispatch: (message: ToSandbox) => void): void;
}

let link: GatewayLink | undefined;

export function gatewayLink(): GatewayLink {
  link ??= parentPort ? threadLink() : processLink();
  return link;
}

function threadLink(): GatewayLink {
  const data = (workerData ?? {}) as { -readonly [K in keyof SandboxThreadData]: SandboxThreadData[K] };
  const { port, wake } = data;
  if (!port || !wake) throw new Error('this thread was started without its link to the gateway');
  delete data.port;
  delete data.wake;
  return {
    inThread: true,
    post: (message) => port.postMessage(message),
    onMessage: (listener) => port.on('message', listener),
    idle: (dispatch) => {
      for (;;) {
        Atomics.store(wake, 0, 0);
        for (let next = receiveMessageOnPort(port); next; next = receiveMessageOnPort(port)) {
          const message = next.message as ToSandbox;
          dispatch(message);
          if (message?.type === 'invoke') return;
        }
        Atomics.wait(wake, 0, 0);
      }
    },
  };
}

/** The process's end of its wake pipe. */
const WAKE_FD = 3;

function processLink(): GatewayLink {
  const byte = Buffer.alloc(1);
  return {
    inThread: false,
    post: (message) => process.send?.(message),
    onMessage: (listener) => process.on('message', (message) => listener(message as ToSandbox)),
    // The invocation itself comes on the IPC channel, once the event loop runs again.
    idle: () => {
      for (;;) {
        try {
          if (fs.readSync(WAKE_FD, byte) === 0) process.exit(0);
          return;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') process.exit(0);
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
        }
      }
    },
  };
}
