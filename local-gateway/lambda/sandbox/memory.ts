/**
 * Memory, as the sandbox answers for it. The gateway reads a busy thread's heap and buffers from
 * outside (V8 answers even a thread that never yields); garbage counts in that reading, so past
 * the function's `memorySize` it asks the thread to collect, and only what survives a full
 * collection is memory the function holds.
 */
import * as v8 from 'v8';
import * as vm from 'vm';

/** Runs a full collection; true when the heap and buffers still exceed `memoryMb`. */
export function collectAndCheck(memoryMb: number): boolean {
  collectGarbage();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers > memoryMb * 1024 * 1024;
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
