/**
 * Lambda's limits on an execution environment, enforced from outside the sandbox (a handler that
 * never yields cannot enforce anything itself): the init phase's 10 s, `memorySize`, and the
 * invocation payload's 6 MB.
 */
import * as fs from 'fs';
import type { Worker } from 'worker_threads';

/** Lambda's largest synchronous invocation payload (the event as JSON): 6 MB, 6,291,456 bytes. */
export const MAX_INVOCATION_PAYLOAD_BYTES = 6 * 1024 * 1024;

/** Lambda ends an init phase that takes longer than this, and retries it in the invocation. */
export const INIT_LIMIT_MS = 10_000;

/** How often the memory of a busy sandbox is read. */
const MEMORY_CHECK_MS = 100;

/** How long a thread over its bound has to collect its garbage before it counts as not yielding. */
const COLLECT_WAIT_MS = 300;

/** What `promise` resolves to, or undefined when `ms` pass first. */
export function beforeTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  if (!Number.isFinite(ms)) return promise;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A reading of memory: stop it with `stop()`; `collected(over)` is the thread's answer to `collect`. */
export interface MemoryWatch {
  collected(over: boolean): void;
  stop(): void;
}

/**
 * Watches a busy thread's heap and buffers (`resourceLimits` bound its heap only). Past
 * `memoryMb`, the thread is asked to `collect()` (garbage is not memory the function holds); when
 * what survives is still over, or the thread does not answer within 300 ms (it never yields),
 * `over()` is called.
 */
export function watchThreadMemory(thread: Worker, memoryMb: number, collect: () => void, over: () => void): MemoryWatch {
  let reading = false;
  let askedAt: number | undefined;
  const bound = memoryMb * 1024 * 1024;
  const timer = setInterval(() => {
    if (reading) return;
    if (askedAt !== undefined && Date.now() - askedAt >= COLLECT_WAIT_MS) return over();
    reading = true;
    thread.getHeapStatistics().then((heap) => {
      reading = false;
      if (askedAt !== undefined || heap.used_heap_size + heap.external_memory <= bound) return;
      askedAt = Date.now();
      collect();
    }, () => (reading = false));
  }, MEMORY_CHECK_MS);
  timer.unref();
  return {
    collected: (stillOver) => (stillOver ? over() : (askedAt = undefined)),
    stop: () => clearInterval(timer),
  };
}

/** Watches a busy child process's resident memory (Linux: /proc); past `memoryMb`, `over()`. */
export function watchProcessMemory(pid: number, memoryMb: number, over: () => void): MemoryWatch {
  const timer = setInterval(() => {
    let rssBytes: number;
    try {
      rssBytes = Number(fs.readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * 4096;
    } catch {
      clearInterval(timer);
      return;
    }
    if (rssBytes > memoryMb * 1024 * 1024) over();
  }, MEMORY_CHECK_MS);
  timer.unref();
  return { collected: () => undefined, stop: () => clearInterval(timer) };
}
