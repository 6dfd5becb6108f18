/**
 * A handler that signals its own process (`process.kill(process.pid, 'SIGTERM')`) or process group
 * (`process.kill(0, ...)`) ends its sandbox on Lambda, and nothing else. Here:
 * - in a worker thread the function's process is the gateway's, so the signal ends the handler's
 *   thread instead of the gateway and every stream it serves (the invocations on the thread fail
 *   with `Runtime.ExitError`); signals that do nothing to a process by default are no-ops;
 * - in a function process (`process` isolation) a signal to its group, which holds the gateway,
 *   goes to the function's own process only.
 * Signal 0 (is it alive?) and signals to other processes (a child the handler started) go through.
 */
import * as fs from 'fs';
import { constants } from 'os';

/** Signals whose default action does not end a process. */
const HARMLESS = new Set(['SIGCHLD', 'SIGWINCH', 'SIGURG', 'SIGCONT', 'SIGPIPE']);

/**
 * Replaces `process.kill` in this thread or function process. In a thread, `ended(signal)` is
 * told before the thread exits with 128 + the signal's number, as a process ended by it would.
 */
export function confineSelfSignals(inThread: boolean, ended: (signal: string) => void = () => undefined): void {
  const kill = process.kill.bind(process);
  const group = processGroup();
  process.kill = ((pid: number, signal: string | number = 'SIGTERM') => {
    const target = Number(pid);
    const toGroup = target === 0 || (group !== undefined && target === -group);
    const name = typeof signal === 'number' ? signalName(signal) : signal;
    // Not its own process, a liveness check, or a signal Node rejects (it throws as usual).
    if (!(toGroup || target === process.pid) || signal === 0 || name === undefined || !(name in constants.signals)) return kill(pid, signal);
    if (!inThread) return kill(process.pid, signal);
    if (HARMLESS.has(name)) return true;
    ended(name);
    process.exit(128 + constants.signals[name as keyof typeof constants.signals]);
  }) as typeof process.kill;
}

function signalName(signal: number): string | undefined {
  return Object.entries(constants.signals).find(([, number]) => number === signal)?.[0];
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
