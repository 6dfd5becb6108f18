/**
 * An execution environment in a child process of its own: full isolation (its own process and
 * environment block), for functions that need it (`--inspect`, `process.chdir()`, native addons
 * that are not thread-safe), at the cost of a Node process each. Messages go over IPC (response
 * bytes as byte arrays); a byte on its wake pipe (file descriptor 3) thaws it for an invocation.
 * `memorySize` bounds the heap (`--max-old-space-size`) and, while it is busy, the resident memory.
 */
import { ChildProcess, fork } from 'child_process';
import type { Writable } from 'stream';
import { ExecutionEnvironment, FunctionOutput } from './environment';
import { MemoryWatch, watchProcessMemory } from './limits';
import { exited, outOfMemory } from './outcome';
import type { ToSandbox } from './protocol';

export class ProcessEnvironment extends ExecutionEnvironment {
  private readonly child: ChildProcess;
  private readonly wakePipe: Writable;

  constructor(script: string, env: Record<string, string>, memoryMb: number, output?: FunctionOutput) {
    super(memoryMb, output);
    // (a process's stdio flows on its own: what it prints is read, or inherited without a sink)
    const printed = output ? 'pipe' : 'inherit';
    this.child = fork(script, [], {
      stdio: ['ignore', printed, printed, 'pipe', 'ipc'],
      serialization: 'advanced',
      execArgv: [`--max-old-space-size=${memoryMb}`],
      env,
    });
    this.wakePipe = this.child.stdio[3] as Writable;
    this.child.stdout?.on('data', (chunk: Buffer) => this.print(chunk, 'stdout'));
    this.child.stderr?.on('data', (chunk: Buffer) => this.print(chunk, 'stderr'));
    this.wakePipe.on('error', () => undefined); // (the process is gone: its exit says why)
    this.child.on('message', (message) => this.receive(message as never));
    this.child.once('exit', (code, signal) => {
      // V8 aborts a process whose heap is full; the memory check kills one whose RSS is.
      this.exited(signal === 'SIGABRT' ? outOfMemory(memoryMb) : exited(`the function process exited (${signal ?? `code ${code}`})`));
    });
  }

  protected post(message: ToSandbox): void {
    if (!this.child.connected) return;
    this.child.send(message);
    if (message.type === 'invoke') this.wakePipe.write('w');
  }

  protected terminate(): void {
    this.child.kill('SIGKILL');
  }

  protected readMemory(over: () => void): MemoryWatch {
    return watchProcessMemory(this.child.pid!, this.memoryMb, over);
  }
}
