import * as fs from 'fs';
import { buildAssembly } from './support/assembly';
import { fetchStream } from './support/clients';
import { CommandLine, startCommandLine, stopCommandLines } from './support/command-line';

// A handler that signals its own process or process group ends its sandbox on Lambda, nothing
// more: the sandbox is a PID namespace of its own. On threads the function's process is the
// gateway's: the signal must end the handler's environment, not the gateway and the streams of
// other functions; every process it did not start does not exist for it. Tried through the real
// command line, in a process group and a PID namespace of its own (unshare, as an unprivileged
// user too): a signal that escaped would end what the namespace holds, never the test's process.

/** A PID namespace of its own, with a process besides the gateway's that nothing may end (`sleep`). */
const NAMESPACE = ['unshare', '--user', '--map-root-user', '--pid', '--fork', '--mount-proc', 'sh', '-c', 'sleep 600 & exec "$0" "$@"'];

const KILLER = `exports.handler = awslambda.streamifyResponse(async (event, s) => {
  const { target, signal } = event.queryStringParameters;
  const tasks = require('fs').readdirSync('/proc/self/task').map(Number);
  const gateway = require('worker_threads').isMainThread ? process.ppid : process.pid;
  const pid = target === 'self' || target === 'internal' ? process.pid : target === 'group' ? 0 : target === 'parent' ? process.ppid
    : target === 'thread' ? tasks[tasks.length - 1] : target === 'all' ? -1 : target === 'gateway' ? gateway : Number(target);
  const h = awslambda.HttpResponseStream.from(s, {});
  await new Promise((r) => setTimeout(r, 20));
  if (target === 'internal') process._kill(pid, 15); // what process.kill calls
  else process.kill(pid, signal === '9' ? 9 : signal);
  await new Promise((r) => setTimeout(r, 200)); // a real signal ends the process meanwhile
  h.write('still running');
  h.end();
});`;

/**
 * Checks the harmless uses: a liveness check, a signal whose default is to do nothing, an unknown
 * signal, a signal the function listens to, and a signal to a child it started.
 */
const PROBE = `exports.handler = awslambda.streamifyResponse(async (event, s) => {
  const h = awslambda.HttpResponseStream.from(s, {});
  let unknown;
  try { process.kill(process.pid, 'SIGNOPE'); } catch (error) { unknown = error.code; }
  let trapped = 0;
  const trap = () => trapped++;
  process.on('SIGHUP', trap);
  process.kill(process.pid, 'SIGHUP');
  await new Promise((r) => setTimeout(r, 50));
  process.off('SIGHUP', trap);
  const child = require('child_process').spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)']);
  const childEnd = new Promise((r) => child.once('exit', (code, signal) => r(signal)));
  process.kill(child.pid, 'SIGTERM');
  // a process the function did not start does not exist for it, as in its own PID namespace
  const outsider = require('fs').readdirSync('/proc').filter((p) => /^[0-9]+$/.test(p)).find((p) => {
    try { return require('fs').readFileSync('/proc/' + p + '/comm', 'utf8').trim() === 'sleep'; } catch { return false; }
  });
  let notVisible;
  try { process.kill(Number(outsider), 'SIGTERM'); } catch (error) { notVisible = error.code; }
  h.write(JSON.stringify({ alive: process.kill(process.pid, 0), winch: process.kill(process.pid, 'SIGWINCH'), unknown, trapped, child: await childEnd, outsider: outsider !== undefined, notVisible }));
  h.end();
});`;

const SLOW = `exports.handler = awslambda.streamifyResponse(async (event, s) => {
  const h = awslambda.HttpResponseStream.from(s, {});
  for (let i = 0; i < 6; i++) { h.write('line ' + i + '\\n'); await new Promise((r) => setTimeout(r, 100)); }
  h.end();
});`;

/** A module whose init signals its own process (a misplaced shutdown hook, a test left in). */
const INIT_KILLER = `process.kill(process.pid, 'SIGTERM');
exports.handler = awslambda.streamifyResponse(async (event, s) => { s.write('never'); s.end(); });`;

// One command line per isolation serves every case of its suite, one case after another: each
// case reads the log it wrote (from where the log stood when it began), and the gateway that
// outlived the signals of the cases before it must outlive this one's too.
describe.each(['thread', 'process'])('a handler that signals its own sandbox (%s isolation)', (isolation) => {
  const dir = buildAssembly([{ path: '/kill', code: KILLER }, { path: '/probe', code: PROBE }, { path: '/slow', code: SLOW }, { path: '/init-kill', code: INIT_KILLER }]);
  let cli: CommandLine;
  let from = 0;
  /** What the command line printed since this case began. */
  const output = () => cli.output().slice(from);
  beforeAll(async () => {
    cli = await startCommandLine(['serve', '--app', dir, '--port', '0', '--isolation', isolation], process.env, NAMESPACE);
  }, 30_000);
  beforeEach(() => (from = cli.output().length));
  afterAll(async () => {
    await stopCommandLines();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test.each([['self', 'SIGTERM'], ['self', '9'], ['group', 'SIGINT'], ['group', 'SIGKILL'], ['internal', '15'], ['thread', 'SIGTERM'], ['parent', 'SIGTERM'], ['all', 'SIGTERM'], ['all', 'SIGKILL'], ['gateway', 'SIGTERM']])('process.kill(%s, %s) ends its own environment only; the gateway, other streams and other processes go on', async (target, signal) => {
    const { url, child } = cli;
    const other = fetchStream(`${url}/slow`);
    await new Promise((r) => setTimeout(r, 50));
    const killed = await fetchStream(`${url}/kill?target=${target}&signal=${signal}`);
    expect(killed.status).toBe(500);
    expect((await other).body.toString()).toBe('line 0\nline 1\nline 2\nline 3\nline 4\nline 5\n');
    expect(child.exitCode).toBeNull();
    expect(child.signalCode).toBeNull();
    // the function answers again, from a new environment
    // (and the process beside the gateway in the namespace is still there, and still out of reach)
    expect(JSON.parse((await fetchStream(`${url}/probe`)).body.toString())).toEqual({ alive: true, winch: true, unknown: 'ERR_UNKNOWN_SIGNAL', trapped: 1, child: 'SIGTERM', outsider: true, notVisible: 'ESRCH' });
    expect(output()).toMatch(isolation === 'process' ? /the function process exited \(SIG(TERM|KILL|INT)\)/ : /a handler sent SIG(TERM|KILL|INT) to its own sandbox/);
  });

  test('an init that signals its own process fails the invocation; the log names the signal, not a bare "ended"', async () => {
    const { url, child } = cli;
    const answer = await fetchStream(`${url}/init-kill`);
    expect(answer.status).toBe(500);
    expect(child.exitCode).toBeNull();
    expect(child.signalCode).toBeNull();
    const signalled = isolation === 'process' ? /the function process exited \(SIGTERM\)/ : /a handler sent SIGTERM to its own sandbox/;
    // the first environment's end, in the line that starts the retry, and the second's, for the invocation
    expect(output()).toMatch(new RegExp(`an environment ended while it started \\(Runtime exited: ${signalled.source}`));
    expect(output()).not.toMatch(/the environment ended before the invocation/);
    expect((await fetchStream(`${url}/probe`)).status).toBe(200);
  });
});
