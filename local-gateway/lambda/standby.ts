/**
 * A host thread kept started ahead of need, for `shared` isolation. A worker thread takes longer
 * to start (about 27 ms with Node 22 on the 2-core machine of `bench/`, before any of our code
 * runs) than an environment on a running thread (under 1 ms plus the handler's own init), so a
 * function's first environment, or one that needs a new thread, would wait mostly for the thread.
 * The gateway starts one spare thread when it starts listening; the pool that needs a thread takes
 * it, binds it to its function (the function's variables, before any of its code loads) and the
 * next spare starts a little later, so that it does not compete for the CPU with the burst of
 * requests that needed a thread. The spare runs none of the user's code and keeps no process alive.
 */
import { HostThread } from './shared-environment';

/** How long after a spare is taken the next one starts. */
const REFILL_DELAY_MS = 250;

export class ThreadStandby {
  private spare?: HostThread;
  private refill?: ReturnType<typeof setTimeout>;
  private closed = false;

  constructor(private readonly script: string) {}

  /** Starts a spare thread with a heap bound of `heapMb`, unless one is there. */
  public prepare(heapMb: number): void {
    if (this.closed || this.spare?.alive) return;
    this.spare = new HostThread(this.script, heapMb);
  }

  /** Has the spare's heap bound be `heapMb` (the functions changed): a spare of another is ended. */
  public retarget(heapMb: number): void {
    if (this.spare?.alive && this.spare.heapMb !== heapMb) {
      this.spare.end('replaced: the functions changed');
      this.spare = undefined;
    }
    this.prepare(heapMb);
  }

  /**
   * The spare thread, if it has the heap bound `heapMb` (its resource limits are set when it
   * starts); else undefined, and the spare stays for another function. With no spare left, the
   * next starts `REFILL_DELAY_MS` later.
   */
  public take(heapMb: number): HostThread | undefined {
    const spare = this.spare?.alive && this.spare.heapMb === heapMb ? this.spare : undefined;
    if (spare) this.spare = undefined;
    if (!this.spare?.alive && !this.refill) {
      this.refill = setTimeout(() => {
        this.refill = undefined;
        this.prepare(heapMb);
      }, REFILL_DELAY_MS);
      this.refill.unref();
    }
    return spare;
  }

  /** The thread that would be taken next (tests). */
  public get next(): HostThread | undefined {
    return this.spare?.alive ? this.spare : undefined;
  }

  public close(): void {
    this.closed = true;
    clearTimeout(this.refill);
    this.spare?.end('the gateway closed');
    this.spare = undefined;
  }
}
