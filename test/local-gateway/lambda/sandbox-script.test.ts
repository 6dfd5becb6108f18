import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { resolveSandboxScript } from '../../../local-gateway/lambda/pool';

// From the TypeScript sources, the sandbox is bundled once per process into a file of its own: a
// file an earlier process left under a name derived from the same process id was of older sources
// (its threads spoke an older protocol, and every request failed with a 500).

test('the sandbox bundle is this process\'s own, made once, from the current sources; ended processes\' are removed', () => {
  // GIVEN a stale bundle under the name an earlier version used for this process id, and one left
  // by a process that no longer runs (a process id above the kernel's maximum)
  const stale = path.join(os.tmpdir(), `local-gateway-sandbox-${process.pid}.js`);
  fs.writeFileSync(stale, 'throw new Error("stale sandbox bundle");');
  const namespace = /\[(\d+)\]/.exec(fs.readlinkSync('/proc/self/ns/pid'))![1];
  const orphan = path.join(os.tmpdir(), `local-gateway-sandbox-${namespace}-99999999-0123456789ab.js`);
  fs.writeFileSync(orphan, '');
  // and one of a process in another PID namespace, whose pids this one cannot see: it stays
  const foreign = path.join(os.tmpdir(), 'local-gateway-sandbox-1-99999999-0123456789ab.js');
  fs.writeFileSync(foreign, '');
  try {
    // WHEN the gateway asks for its sandbox script, twice
    const first = resolveSandboxScript();
    const second = resolveSandboxScript();
    // THEN it is a fresh bundle, the same for the process, not the stale file
    expect(second).toBe(first);
    expect(first).not.toBe(stale);
    expect(path.basename(first)).toMatch(new RegExp(`^local-gateway-sandbox-${namespace}-${process.pid}-[0-9a-f]{12}\\.js$`));
    expect(fs.readFileSync(first, 'utf8')).toContain('confineSignals');
    expect(fs.existsSync(orphan)).toBe(false);
    expect(fs.existsSync(foreign)).toBe(true);
  } finally {
    fs.rmSync(foreign, { force: true });
    fs.rmSync(orphan, { force: true });
    fs.rmSync(stale, { force: true });
  }
});
