/**
 * Import/initialization time of the handler runtime: the median over fresh Node processes of the
 * time to require the bundled runtime and create a handler. Target: at most 5 ms.
 * Run: npx ts-node --transpile-only bench/runtime-init.ts
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildSync } from 'esbuild';

const RUNS = 21;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-init-'));
const bundle = path.join(dir, 'runtime.js');
buildSync({
  entryPoints: [path.join(__dirname, '..', 'lambda-assets', 'runtime', 'index.ts')],
  bundle: true,
  minify: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  outfile: bundle,
});
const probe = `
const t0 = process.hrtime.bigint();
const runtime = require(${JSON.stringify(bundle)});
runtime.streamingHandler(async () => {}, { runtime: { streamifyResponse: (h) => h, HttpResponseStream: { from: (s) => s } } });
const t1 = process.hrtime.bigint();
process.stdout.write(String(Number(t1 - t0) / 1e6));`;
const times = Array.from({ length: RUNS }, () => Number(execFileSync(process.execPath, ['-e', probe], { encoding: 'utf8' })));
times.sort((x, y) => x - y);
fs.rmSync(dir, { recursive: true, force: true });
const median = times[Math.floor(RUNS / 2)];
console.log(`runtime require + handler creation over ${RUNS} fresh processes: median ${median.toFixed(3)} ms, min ${times[0].toFixed(3)} ms, max ${times[RUNS - 1].toFixed(3)} ms`);
console.log(`budget 5 ms -> ${median <= 5 ? 'within budget' : 'OVER BUDGET'}`);
