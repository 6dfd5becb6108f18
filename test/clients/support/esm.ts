/**
 * Runs a client scenario written as an ES module (`test/clients/esm/<name>.mts`) under tsx, in a
 * child process: the real client packages (`ai`, `eventsource`, `eventsource-parser`) ship only
 * ES modules, which jest's CommonJS runtime cannot load. The scenario reads its input as JSON on
 * stdin and prints what the client saw as JSON; the jest test asserts on that.
 */
import { spawn } from 'child_process';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

export function runEsm<T>(name: string, input: unknown, timeoutMs = 60_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [path.join(__dirname, '..', 'esm', `${name}.mts`)], { cwd: ROOT, env: { ...process.env, NODE_NO_WARNINGS: '1' } });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) {
        reject(new Error(`${name}.mts exited with ${code ?? signal}: ${stderr}`));
        return;
      }
      try {
        resolve(JSON.parse(stdout) as T);
      } catch {
        reject(new Error(`${name}.mts printed no JSON: ${stdout} ${stderr}`));
      }
    });
    child.stdin.end(typeof input === 'string' ? input : JSON.stringify(input));
  });
}
