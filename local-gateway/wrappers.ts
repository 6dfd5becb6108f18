/**
 * The gateway ends with the command that started it. `npx cdk-streaming-rest-api serve` runs the
 * gateway under wrappers (npm, a shell, tsx): killed with SIGKILL (or with a signal it does not
 * forward), a wrapper dies alone and the gateway, still holding its port, lives on under another
 * parent. The wrappers are the gateway's ancestors in its own process group (a shell gives each
 * command line its job's group); when one of them is gone, the gateway stops.
 */
import * as fs from 'fs';

/** How often the wrappers are looked at. */
const POLL_MS = 500;

/** A process's state, parent and process group, from `/proc/<pid>/stat` (Linux). */
function stat(pid: number): { state: string; ppid: number; pgrp: number } | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // (the command name, in parentheses, may hold spaces: the fields start after its last ')')
    const [state, ppid, pgrp] = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state, ppid: Number(ppid), pgrp: Number(pgrp) };
  } catch {
    return undefined;
  }
}

/**
 * The ancestors of this process in its process group, nearest first (its parent at least, unless
 * that is init). Without `/proc`, the parent alone.
 */
export function wrappers(): number[] {
  const own = stat(process.pid);
  if (!own) return process.ppid > 1 ? [process.ppid] : [];
  const found: number[] = [];
  for (let pid = own.ppid; pid > 1; ) {
    const ancestor = stat(pid);
    if (!ancestor || (found.length > 0 && ancestor.pgrp !== own.pgrp)) break;
    found.push(pid);
    if (ancestor.pgrp !== own.pgrp) break; // a parent outside the group (it started the group)
    pid = ancestor.ppid;
  }
  return found;
}

function alive(pid: number): boolean {
  const s = stat(pid);
  if (s) return s.state !== 'Z' && s.state !== 'X';
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Calls `onGone` (once) when a wrapper of this process has ended or the process has a new parent.
 * Returns what stops looking. The timer does not keep the process alive.
 */
export function whenWrappersEnd(onGone: (pid: number) => void, pollMs = POLL_MS): () => void {
  const watched = wrappers();
  const parent = process.ppid;
  const timer = setInterval(() => {
    const gone = process.ppid !== parent ? parent : watched.find((pid) => !alive(pid));
    if (gone === undefined) return;
    clearInterval(timer);
    onGone(gone);
  }, pollMs);
  timer.unref();
  return () => clearInterval(timer);
}
