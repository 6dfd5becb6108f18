/**
 * A handler that signals its own process (`process.kill(process.pid, 'SIGTERM')`), its process
 * group (`process.kill(0, ...)`) or its parent ends its sandbox on Lambda, and nothing else. Here:
 * - in a worker thread the function's process is the gateway's, so the signal (also to one of
 *   the process's threads) ends the handler's thread instead of the gateway and every stream it
 *   serves (the invocations on the thread fail with `Runtime.ExitError`); a signal the function
 *   listens to (`process.on('SIGTERM', ...)`) goes to its listeners, and signals that do nothing
 *   to a Node process by default are no-ops;
 * - in a function process (`process` isolation) a signal to its group or parent, which hold the
 *   gateway, goes to the function's own process only.
 * Signal 0 (is it alive?) and signals to other processes (a child the handler started) go through.
 * The guard is `process._kill`, which `process.kill` calls; a handler that runs the `kill`
 * command in a shell is not stopped.
 */
import * as fs from 'fs';
import { constants } from 'os';

/** Signals whose default action does not end a Node process (SIGUSR1 starts its inspector). */
const HARMLESS = new Set(['SIGCHLD', 'SIGWINCH', 'SIGURG', 'SIGCONT', 'SIGPIPE', 'SIGUSR1']);

type RawKill = (pid: number, signal: number) => number;

/**
 * Replaces `process._kill` in this thread or function process. In a thread, `ended(signal)` is
 * told before the thread exits with 128 + the signal's number, as a process ended by it would.
 */
export function confineSelfSignals(inThread: boolean, ended: (signal: string) => void = () => undefined): void {
  const internal = process as unknown as { _kill: RawKill };
  const kill = internal._kill.bind(process);
  const group = processGroup();
  internal._kill = (pid: number, signal: number): number => {
    const target = Number(pid);
    const name = Object.entries(constants.signals).find(([, number]) => number === signal)?.[0];
    const ours = target === 0 || target === process.pid || target === process.ppid
      || (group !== undefined && target === -group) || (inThread && isOwnThread(target));
    if (!ours || signal === 0 || name === undefined) return kill(pid, signal);
    if (!inThread) return kill(process.pid, signal);
    if (process.listenerCount(name) > 0) {
      process.emit(name as NodeJS.Signals, name as NodeJS.Signals);
      return 0;
    }
    if (HARMLESS.has(name)) return 0;
    ended(name);
    process.exit(128 + signal);
  };
}

/** A thread of this process (Linux: /proc). */
function isOwnThread(id: number): boolean {
  try {
    return id > 0 && fs.existsSync(`/proc/self/task/${id}`);
  } catch {
    return false;
  }
}

/** The process group (Linux: /proc); undefined where it cannot be read. */
function processGroup(): number | undefined {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
  } catch {
    return undefined;
  }
}
