import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const made: string[] = [];
// Registered when a test file imports this module: its folders go when that file's tests end.
afterAll(() => made.splice(0).forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** A new empty folder under the OS temp folder, removed after the test file's tests. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  made.push(dir);
  return dir;
}
