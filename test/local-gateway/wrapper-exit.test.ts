import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { curl } from './support/clients';
import { tempDir } from '../support/temp-dirs';

// `npx cdk-streaming-rest-api serve` runs the gateway under wrappers (npm, a shell, tsx here); a
// wrapper killed without passing the signal on must not leave the gateway running with its port.

const CLI = path.join(__dirname, '..', '..', 'local-gateway', 'cli.ts');

let wrapper: ChildProcess | undefined;
afterEach(() => {
  // whatever is left of the wrapper's group (the gateway, if the test failed)
  try {
    process.kill(-wrapper!.pid!, 'SIGKILL');
  } catch {
    // gone
  }
});

/** Whether something listens on the port. */
const listening = (port: number) => new Promise<boolean>((resolve) => {
  const socket = net.connect(port, '127.0.0.1');
  socket.once('connect', () => (socket.destroy(), resolve(true)));
  socket.once('error', () => resolve(false));
});

test.each(['SIGKILL', 'SIGTERM'] as const)('the wrapper that started the gateway ends by %s: the gateway stops and its port is free', async (signal) => {
  // GIVEN a wrapper like npm: a process of its own group that starts the command line through a
  // shell and waits, passing no signal on
  const dir = tempDir('wrapper-exit');
  const file = path.join(dir, 'handler.js');
  fs.writeFileSync(file, 'exports.handler = awslambda.streamifyResponse(async (e, s) => { s = awslambda.HttpResponseStream.from(s, {}); s.write("hi"); s.end(); });');
  const command = [process.execPath, require.resolve('tsx/cli'), CLI, 'serve', file, '--route', 'GET:/hi', '--port', '0', '--no-reload'].map((a) => JSON.stringify(a)).join(' ');
  const script = `require('child_process').spawn(${JSON.stringify(command)}, { shell: true, stdio: 'inherit' }); setInterval(() => {}, 60000);`;
  wrapper = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  wrapper.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    wrapper!.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const found = /Local streaming gateway on (http:\/\/\S+) /.exec(out)?.[1];
      if (found) resolve(found);
    });
    wrapper!.once('exit', (code) => reject(new Error(`the wrapper exited (${code}): ${out}`)));
  });
  const port = Number(new URL(url).port);
  expect((await curl([`${url}/hi`])).body).toBe('hi');
  // WHEN the wrapper alone is killed (not its group)
  const exited = new Promise((resolve) => wrapper!.once('exit', resolve));
  process.kill(wrapper.pid!, signal);
  await exited;
  // THEN the gateway notices, stops and frees its port
  const deadline = Date.now() + 10_000;
  while (await listening(port)) {
    if (Date.now() > deadline) throw new Error(`the gateway still listens on ${port} 10 s after its wrapper ended:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  // and no process of the command line is left in the group
  const leftDeadline = Date.now() + 10_000;
  const groupAlive = () => {
    try {
      process.kill(-wrapper!.pid!, 0);
      return true;
    } catch {
      return false;
    }
  };
  while (groupAlive()) {
    if (Date.now() > leftDeadline) throw new Error('processes of the command line are left after its wrapper ended');
    await new Promise((r) => setTimeout(r, 100));
  }
}, 30_000);
