/**
 * An execution environment in a worker thread of its own: its own V8 isolate, globals, built-ins,
 * module registry and `process.env` (only the function's variables), in the gateway's process:
 * a few MB and a few tens of ms to start instead of a Node process. `memorySize` bounds the heap
 * (`resourceLimits`) and, read from outside while it is busy, the heap and buffers together;
 * `terminate()` ends even a handler that never yields.
 */
import { MessageChannel, MessagePort, receiveMessageOnPort, Worker } from 'worker_threads';
import { ExecutionEnvironment, FunctionOutput } from './environment';
import { MemoryWatch, watchThreadMemory } from './limits';
import { exited, outOfMemory } from './outcome';
import type { ToSandbox } from './protocol';

export class ThreadEnvironment extends ExecutionEnvironment {
  private readonly thread: Worker;
  /** The gateway's end of the thread's private port (sandbox/link.ts). */
  private readonly port: MessagePort;
  private readonly wake = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));

  /** `execArgv`: the Node options of the function's `NODE_OPTIONS` that a thread honours (isolation.ts). */
  constructor(script: string, env: Record<string, string>, memoryMb: number, execArgv: readonly string[], output?: FunctionOutput) {
    super(memoryMb, output);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.thread = new Worker(script, {
      env,
      execArgv: [...execArgv],
      workerData: { port: port2, wake: this.wake, memoryMb },
      transferList: [port2],
      resourceLimits: { maxOldGenerationSizeMb: memoryMb },
    });
    this.port.on('message', (message) => this.receive(message));
    // What handlers' code posts on the thread's parentPort is not the gateway's: not listened to.
    this.thread.on('error', (error: Error & { code?: string }) => {
      this.endReason ??= error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? outOfMemory(memoryMb) : exited(`${error.name}: ${error.message} (uncaught in the function's code)`);
    });
    this.thread.once('exit', (code) => {
      // What the thread posted before it exited comes first, as Node does for `parentPort`.
      for (let next = receiveMessageOnPort(this.port); next; next = receiveMessageOnPort(this.port)) this.receive(next.message);
      this.port.close();
      this.exited(exited(`the function exited (code ${code})`));
    });
  }

  protected post(message: ToSandbox): void {
    this.port.postMessage(message);
    if (message.type === 'invoke') {
      Atomics.store(this.wake, 0, 1);
      Atomics.notify(this.wake, 0);
    }
  }

  protected terminate(): void {
    void this.thread.terminate();
  }

  protected readMemory(over: () => void): MemoryWatch {
    return watchThreadMemory(this.thread, this.memoryMb, () => this.post({ type: 'collect' }), over);
  }
}
