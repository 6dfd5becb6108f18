/**
 * Handlers run at a lower CPU priority than the gateway: nice +5 over the gateway's own. The
 * gateway's thread accepts connections, relays every stream and enforces every timeout; when the
 * machine's cores are busy, handler code (a burst of invocations, a handler that computes) waits
 * for it instead of preempting it. On an idle machine nothing changes. Measured on 2 cores with
 * bench/gateway-concurrency.ts's server, 200 warm streams at once, five runs of 10 rounds each way:
 * median first byte 32-38 -> 29-31 ms, median round's p99 37-42 -> 31-35 ms (+10 was no better).
 *
 * Linux sets priorities per thread (a worker thread's id is read from `/proc/thread-self`); on other
 * systems a function's child process is lowered and a worker thread keeps the gateway's priority.
 * A web app's process (web-app/adapter.ts) is lowered as it starts; what it starts later inherits.
 * A handler cannot raise it back without the privilege to (CAP_SYS_NICE).
 */
import * as fs from 'fs';
import * as os from 'os';
import { isMainThread } from 'worker_threads';

/** How much lower a handler's thread or process runs than the gateway (nice, 0-19). */
export const HANDLER_NICE = 5;

/** Lowers the calling function thread or process by `HANDLER_NICE`; false where it cannot. */
export function lowerPriority(): boolean {
  try {
    const id = threadId() ?? (isMainThread ? process.pid : undefined);
    if (id === undefined) return false;
    os.setPriority(id, Math.min(19, os.getPriority(id) + HANDLER_NICE));
    return true;
  } catch {
    return false; // not allowed here (a sandbox, a platform without priorities): runs as it is
  }
}

/** Lowers another process (a web app's, started by the gateway) by `HANDLER_NICE`; false where it cannot. */
export function lowerProcess(pid: number): boolean {
  try {
    os.setPriority(pid, Math.min(19, os.getPriority(pid) + HANDLER_NICE));
    return true;
  } catch {
    return false; // gone already, or not allowed
  }
}

/** The kernel's id of the calling thread (Linux), for a priority of its own. */
function threadId(): number | undefined {
  try {
    const link = fs.readlinkSync('/proc/thread-self'); // <pid>/task/<tid>
    const id = Number(link.slice(link.lastIndexOf('/') + 1));
    return Number.isInteger(id) && id > 0 ? id : undefined;
  } catch {
    return undefined;
  }
}
