/**
 * What the gateway leaves behind (temporary folders, web apps in process groups of their own) is
 * cleaned up when its process exits, also without `stop()` (`process.exit()`, an uncaught error):
 * one `exit` listener runs every task registered here.
 */
const tasks = new Set<() => void>();
let listening = false;

/** Runs `task` when the process exits; returns what cancels it (the thing is gone already). */
export function atExit(task: () => void): () => void {
  if (!listening) {
    listening = true;
    process.once('exit', () => tasks.forEach((t) => {
      try {
        t();
      } catch {
        // the others still run
      }
    }));
  }
  tasks.add(task);
  return () => tasks.delete(task);
}
