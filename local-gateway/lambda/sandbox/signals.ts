/**
 * Signals, as a Lambda sandbox confines them: a function sees only its own processes (Lambda runs
 * it in a PID namespace of its own). So here, where the sandbox shares the machine with the
 * gateway and everything else of the developer's:
 * - a signal to the sandbox itself (its process or thread, its process group, its parent, or
 *   every process it may signal: `process.kill(-1, ...)`) ends the sandbox and nothing else: in
 *   a thread the process is the gateway's, so the thread ends instead (a signal the function
 *   listens to goes to its listeners, and one that does nothing to a Node process by default does
 *   nothing); in a child process, the process signals itself only;
 * - a signal to a process the sandbox started (or one of theirs) goes through;
 * - any other process does not exist for the function: `ESRCH`, as in its namespace.
 * The guard is `process._kill`, which `process.kill` calls; a handler that runs the `kill` command
 * in a shell is not stopped.
 */
import * as childProcess from 'child_process';
import * as fs from 'fs';
import { constants } from 'os';

/** Signals whose default action does not end a Node process (SIGUSR1 starts its inspector). */
const HARMLESS = new Set(['SIGCHLD', 'SIGWINCH', 'SIGURG', 'SIGCONT', 'SIGPIPE', 'SIGUSR1']);

type RawKill = (pid: number, signal: number) => number;

/** Processes this sandbox started (their descendants are found through /proc). */
const started = new Set<number>();

/**
 * Replaces `process._kill` in this sandbox. `ended(signal)` is told before a thread ends itself
 * with 128 + the signal's number, as a process ended by it would.
 */
export function confineSignals(inThread: boolean, ended: (signal: string) => void): void {
  trackChildren();
  const internal = process as unknown as { _kill: RawKill };
  const kill = internal._kill.bind(process);
  const group = processGroup(process.pid);
  internal._kill = (pid: number, signal: number): number => {
    const target = Number(pid);
    if (ownDescendant(target)) return kill(target, signal);
    const self = target === 0 || target === -1 || target === process.pid || target === process.ppid
      || (group !== undefined && target === -group) || isOwnThread(target);
    if (!self) return -constants.errno.ESRCH; // (process.kill throws it: kill ESRCH)
    const name = Object.entries(constants.signals).find(([, number]) => number === signal)?.[0];
    if (signal === 0 || name === undefined) return 0;
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

/** Records the pid of every process started through `child_process` in this sandbox. */
function trackChildren(): void {
  const proto = childProcess.ChildProcess.prototype as unknown as { spawn(this: childProcess.ChildProcess, ...args: unknown[]): unknown };
  const spawn = proto.spawn;
  proto.spawn = function spawnTracked(this: childProcess.ChildProcess, ...args: unknown[]) {
    const result = spawn.apply(this, args);
    if (this.pid) started.add(this.pid);
    return result;
  };
}

/** A process this sandbox started, one of theirs, or the group of one of them. */
function ownDescendant(target: number): boolean {
  if (started.size === 0 || target === 0 || target === -1) return false;
  const pid = Math.abs(target);
  for (let at = pid, hops = 0; at > 1 && hops < 64; hops++) {
    if (started.has(at)) return target > 0 || processGroup(pid) === pid;
    const parent = parentOf(at);
    if (parent === undefined || parent === process.pid) return false;
    at = parent;
  }
  return false;
}

/** A field of /proc/<pid>/stat after the command name (Linux); undefined where it cannot be read. */
function statField(pid: number, index: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[index]);
  } catch {
    return undefined;
  }
}

const parentOf = (pid: number) => statField(pid, 1);
const processGroup = (pid: number) => statField(pid, 2);

/** A thread of this process (Linux: /proc). */
function isOwnThread(id: number): boolean {
  return id > 0 && fs.existsSync(`/proc/self/task/${id}`);
}
