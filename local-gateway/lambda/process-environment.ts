/**
 * An execution environment in a child process of its own: full isolation (its own environment
 * block, its own process), at the cost of a Node process per environment. Response bytes come on
 * file descriptor 3, framed (frames.ts); invocations go over IPC. `memorySize` bounds the heap
 * (`--max-old-space-size`) and the resident memory (checked in /proc while busy).
 */
import { ChildProcess, fork } from 'child_process';
import * as fs from 'fs';
import type { Readable } from 'stream';
import type { RequestRecord } from './event';
import { ExecutionEnvironment, exited, outOfMemory } from './execution';
import { FRAME_END, FrameParser } from './frames';

/** How often a busy environment's resident memory is checked against its `memorySize`. */
const MEMORY_CHECK_MS = 100;

export class ProcessEnvironment extends ExecutionEnvironment {
  public readonly ready: Promise<void>;
  private readonly child: ChildProcess;
  private readonly pipe: Readable;
  private memoryCheck?: ReturnType<typeof setInterval>;
  private overMemory = false;

  constructor(script: string, env: Record<string, string>, memoryMb: number) {
    super(memoryMb);
    this.child = fork(script, [], {
      stdio: ['ignore', 'inherit', 'inherit', 'pipe', 'ipc'],
      execArgv: [`--max-old-space-size=${memoryMb}`],
      env,
    });
    this.pipe = this.child.stdio[3] as Readable;
    const parser = new FrameParser((piece) => this.data(piece), (type, payload) => {
      if (type === FRAME_END) this.ended(JSON.parse(payload.toString('utf8')));
    });
    this.pipe.on('data', (chunk: Buffer) => parser.push(chunk));
    this.ready = new Promise((resolve) => {
      this.child.once('message', () => resolve());
      this.child.once('exit', () => resolve());
    });
    this.child.once('exit', (code, signal) => {
      // V8 aborts a process whose heap is full; the memory check kills one whose RSS is.
      this.ended(this.overMemory || signal === 'SIGABRT' ? outOfMemory(memoryMb) : exited(`the function process exited (${signal ?? `code ${code}`})`));
    });
  }

  public get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null && !this.child.killed;
  }

  public pause(): void {
    this.pipe.pause();
  }

  public resume(): void {
    this.pipe.resume();
  }

  protected start(request: RequestRecord, timeoutMs: number): void {
    this.memoryCheck = setInterval(() => this.checkMemory(), MEMORY_CHECK_MS);
    this.child.send({ type: 'invoke', request, timeoutMs });
  }

  protected terminate(): void {
    clearInterval(this.memoryCheck);
    if (this.alive) this.child.kill('SIGKILL');
  }

  private ended(end: Parameters<ExecutionEnvironment['finish']>[0]): void {
    clearInterval(this.memoryCheck);
    this.finish(end);
  }

  /** Ends the environment when its resident memory exceeds `memorySize` (Linux: /proc). */
  private checkMemory(): void {
    let rssBytes: number;
    try {
      rssBytes = Number(fs.readFileSync(`/proc/${this.child.pid}/statm`, 'utf8').split(' ')[1]) * 4096;
    } catch {
      clearInterval(this.memoryCheck);
      return;
    }
    if (rssBytes > this.memoryMb * 1024 * 1024) {
      this.overMemory = true;
      clearInterval(this.memoryCheck);
      this.child.kill('SIGKILL');
    }
  }
}
