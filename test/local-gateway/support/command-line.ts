/**
 * The gateway's real command line, started as a user starts it, in a process group of its own:
 * tsx runs the command line in a child process, which starts function processes in turn, and a
 * signal a test provokes must not reach jest. `stopCommandLines()` (afterEach) ends each group
 * whole (SIGTERM: the gateway stops its environments; then SIGKILL), or every process in it stays
 * alive with the test's pipes.
 */
import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';

const running: ChildProcess[] = [];

export interface CommandLine {
  readonly url: string;
  readonly child: ChildProcess;
  /** What it printed so far (stdout and stderr). */
  output(): string;
}

/** `prefix`: a command the command line runs under (e.g. `unshare ...`), given its command after it. */
export async function startCommandLine(args: string[], env: NodeJS.ProcessEnv = process.env, prefix: string[] = []): Promise<CommandLine> {
  const cli = path.join(__dirname, '..', '..', '..', 'local-gateway', 'cli.ts');
  const command = [...prefix, process.execPath, require.resolve('tsx/cli'), cli, ...args];
  const child = spawn(command[0], command.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  running.push(child);
  let out = '';
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const found = /Local streaming gateway on (http:\/\/\S+) /.exec(out)?.[1];
      if (found) resolve(found);
    });
    child.once('exit', (code) => reject(new Error(`the command line exited (${code}): ${out}`)));
  });
  return { url, child, output: () => out };
}

export async function stopCommandLines(): Promise<void> {
  await Promise.all(running.splice(0).map(async (child) => {
    // (a command line a test has already seen exit has no 'exit' to wait for: only what is left of its group is killed)
    const gone = child.exitCode !== null || child.signalCode !== null;
    const exited = gone ? Promise.resolve() : new Promise((resolve) => child.once('exit', resolve));
    try {
      process.kill(-child.pid!, 'SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 5000)))]);
      clearTimeout(timer); // (a timer left running keeps jest from exiting)
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // the group is gone
    }
  }));
}
