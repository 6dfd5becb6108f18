/**
 * How a function's execution environments are isolated: the one decision, made once per function,
 * whose result sizes the pool (its cap) and says in the log why a function runs in processes.
 *
 * - `thread` (the default): a worker thread each, its own isolate, globals, built-ins, modules and
 *   `process.env`, as each Lambda sandbox has; the Node options of the function's `NODE_OPTIONS`
 *   that a thread honours (`--enable-source-maps`, which `StreamingFunction` sets, `--require`,
 *   `--import`, `--no-deprecation`, ...) are given to its thread.
 * - `process`: a child process each, for what a thread cannot do: a debugger (`--inspect`), Node
 *   options that apply to a whole process (V8 flags such as `--max-old-space-size`, which Node
 *   refuses for a thread), `process.chdir()`, native addons that are not thread-safe. Chosen for
 *   a function whose `NODE_OPTIONS` needs it, or for every function with `--isolation process`.
 */
import { Worker } from 'worker_threads';

export type Isolation = 'thread' | 'process';

/** Most environments of one function at once, by isolation: a thread is ~10 MB, a process ~40 MB. */
export const DEFAULT_MAX_ENVIRONMENTS: Record<Isolation, number> = { thread: 100, process: 10 };

export interface IsolationDecision {
  readonly isolation: Isolation;
  /** For threads: the function's Node options. */
  readonly execArgv: readonly string[];
  readonly maxEnvironments: number;
  /** Why a function runs in processes though threads are the default (for the log). */
  readonly why?: string;
}

/** Decides a function's isolation from `NODE_OPTIONS` in its variables and what was asked. */
export function decideIsolation(env: Record<string, string>, requested?: Isolation, maxEnvironments?: number): IsolationDecision {
  const options = nodeOptions(env.NODE_OPTIONS ?? '');
  const decide = (isolation: Isolation, why?: string): IsolationDecision => ({
    isolation, why, execArgv: isolation === 'thread' ? options : [], maxEnvironments: maxEnvironments ?? DEFAULT_MAX_ENVIRONMENTS[isolation],
  });
  if (requested) return decide(requested);
  const debug = options.find((o) => /^--(inspect|inspect-brk|inspect-wait|debug|debug-brk)(=|$)/.test(o));
  if (debug) return decide('process', `its NODE_OPTIONS has ${debug}: a debugger attaches to a process`);
  const refused = threadRefuses(options);
  if (refused) return decide('process', `its NODE_OPTIONS has ${refused}, which applies to a whole process (Node refuses it for a thread)`);
  return decide('thread');
}

/** `NODE_OPTIONS` as Node splits it: on white space, with double quotes and backslash escapes. */
export function nodeOptions(text: string): string[] {
  const out: string[] = [];
  let current: string | undefined;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && quoted && i + 1 < text.length) {
      current = (current ?? '') + text[++i];
    } else if (c === '"') {
      quoted = !quoted;
      current ??= '';
    } else if (/\s/.test(c) && !quoted) {
      if (current !== undefined) out.push(current);
      current = undefined;
    } else {
      current = (current ?? '') + c;
    }
  }
  if (current !== undefined) out.push(current);
  return out;
}

const PRELOADS = /^(-r|--require|--import|--loader|--experimental-loader)(=|$)/;

const refusals = new Map<string, string | undefined>();

/**
 * The first option Node refuses for a worker thread, or undefined: Node itself checks them when a
 * thread is made (a V8 flag, a process-wide option), so a thread is made once per set of options
 * and ended at once.
 */
function threadRefuses(all: string[]): string | undefined {
  // (modules to preload are a thread's own, and are not loaded for the check)
  const options = all.filter((o, i) => !PRELOADS.test(o) && !(PRELOADS.test(all[i - 1] ?? '') && !all[i - 1].includes('=')));
  if (options.length === 0) return undefined;
  const key = JSON.stringify(options);
  if (!refusals.has(key)) {
    let refused: string | undefined;
    try {
      const probe = new Worker('', { eval: true, execArgv: options, stdout: true, stderr: true });
      probe.unref();
      void probe.terminate();
    } catch (error) {
      refused = /flags: (.*)$/.exec((error as Error).message)?.[1] ?? options.join(' ');
    }
    refusals.set(key, refused);
  }
  return refusals.get(key);
}
