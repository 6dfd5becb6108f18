/**
 * The thread side of `shared` isolation: one worker thread hosts many execution environments of
 * one function (the function's `process.env`, one event loop), each with its own modules
 * (module-scope.ts) and one invocation at a time. Timer and I/O wake-ups of all its environments
 * share the thread, and their writes reach the gateway as one batch per turn of its event loop.
 *
 * A thread started ahead of need (standby.ts) belongs to no function until its
 * first command, `bind`, gives it one: the function's variables and memory.
 *
 * Messages in (an array of them per message): `bind`, `load` (a new environment: its init phase),
 * `invoke`, `pause`/`resume` (backpressure), `drop` (the environment ends; what it writes from then
 * on is discarded), `ping`, `credit` (the gateway read batches while writers waited for room),
 * `collect` (the gateway read the thread's memory over its bound: channel.ts `watchMemory`).
 * Messages out: batches (channel.ts), `loaded`, `end`, `oom`, `collected`, `pong`, `signal`
 * (worker.ts). All on the thread's private port (channel.ts `gatewayLink`), not `parentPort`.
 */
import type { Writable } from 'stream';
import { workerData } from 'worker_threads';
import { BatchSender, gatewayLink, InvokeMessage, ThreadData, watchMemory } from './channel';
import { installAwsLambda } from './emulator';
import type { InvocationEnd } from './frames';
import { runInvocation } from './invocation';
import { handlerLocation, loadHandler, LoadedHandler } from './loader';
import { ModuleScope } from './module-scope';

/** From the gateway to a host thread. */
export type HostCommand =
  | HostBind
  | { readonly type: 'load'; readonly env: number }
  | (InvokeMessage & { readonly env: number })
  | { readonly type: 'pause' | 'resume' | 'drop'; readonly env: number }
  | { readonly type: 'ping' | 'credit' | 'collect' };

/** The function a thread started ahead now serves: its `process.env` and its memory size. */
export interface HostBind {
  readonly type: 'bind';
  readonly env: Record<string, string>;
  readonly memoryMb: number;
}

interface HostedEnvironment {
  readonly loading: Promise<{ handler?: LoadedHandler; error?: Error }>;
  /** The running invocation's response sink. */
  sink?: Writable;
}

export function runHost(): void {
  const { port, link } = gatewayLink();
  const data = workerData as ThreadData;
  const batches = new BatchSender(port, link);
  const environments = new Map<number, HostedEnvironment>();
  let running = 0;
  let memoryMb = data.memoryMb ?? 0;
  const memory = watchMemory(port, () => Math.max(1, environments.size), () => memoryMb);
  // Where the function's code is: read when the thread gets its function, not at each load (a
  // handler may replace process.env, as some configuration libraries do).
  let code = handlerLocation();
  installAwsLambda();

  /** A thread started ahead takes its function's variables before any of its code loads. */
  const bind = (command: HostBind): void => {
    for (const key of Object.keys(process.env)) delete process.env[key];
    Object.assign(process.env, command.env);
    memoryMb = command.memoryMb;
    code = handlerLocation();
  };

  const load = (env: number): HostedEnvironment => {
    const { taskRoot, handlerSpec, searchDirs } = code;
    // (a synchronous throw becomes the environment's init error, not the thread's end)
    const loading = Promise.resolve().then(() => loadHandler(taskRoot, handlerSpec, { searchDirs, scope: new ModuleScope(env, taskRoot) }))
      .then((handler) => ({ handler }), (error: Error) => ({ error }));
    void loading.then(() => port.postMessage({ type: 'loaded', env }));
    return { loading };
  };

  const invoke = (env: number, message: InvokeMessage): void => {
    const hosted = environments.get(env);
    if (!hosted) return;
    running++;
    memory.start();
    const outlet = {
      data: (pieces: Uint8Array[], done: () => void) => (environments.get(env) === hosted ? batches.data(env, pieces, done) : done()),
      end: async (end: InvocationEnd) => {
        if (environments.get(env) !== hosted) return;
        await batches.flushed(env);
        port.postMessage({ type: 'end', env, end });
      },
    };
    void runInvocation(hosted.loading, message, outlet, (sink) => (hosted.sink = sink)).finally(() => {
      hosted.sink = undefined;
      if (--running === 0) memory.stop();
    });
  };

  const run = (command: HostCommand): void => {
    switch (command.type) {
      case 'bind': bind(command); break;
      case 'load': environments.set(command.env, load(command.env)); break;
      case 'invoke': invoke(command.env, command); break;
      case 'pause': batches.pause(command.env); break;
      case 'resume': batches.resume(command.env); break;
      case 'drop': {
        const hosted = environments.get(command.env);
        environments.delete(command.env);
        batches.forget(command.env);
        hosted?.sink?.destroy();
        break;
      }
      case 'ping': port.postMessage({ type: 'pong' }); break;
      case 'collect': memory.collect(); break;
      case 'credit': batches.credited(); break;
    }
  };
  // The gateway sends the commands of one turn together.
  port.on('message', (commands: HostCommand[]) => commands.forEach(run));
  port.postMessage({ type: 'ready' });
}
