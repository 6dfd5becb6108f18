/**
 * Save to served with `serve --watch`: the median time from saving a StreamingFunction's handler
 * file to the first response with the new code, hot reloaded (esbuild, no synth) against the same
 * edit through a full synth (`--no-hot-reload`), in one run on the same app
 * (test/local-gateway/support/hot-app.ts). Target: at most 1 s median for the hot reload.
 * Run: npx ts-node --transpile-only --project bench/tsconfig.json bench/watch-reload.ts [edits]
 */
import * as fs from 'fs';
import * as path from 'path';
import { main } from '../local-gateway/cli';
import { editApp, makeHotApp } from '../test/local-gateway/support/hot-app';

const EDITS = Number(process.argv[2] ?? 11);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function measure(hot: boolean): Promise<number[]> {
  const dir = makeHotApp();
  const logs: string[] = [];
  const io = { out: (t: string) => logs.push(t), err: (t: string) => logs.push(t) };
  const flags = hot ? ['--no-type-check'] : ['--no-hot-reload'];
  const gateway = (await main(['serve', '--app', path.join(dir, 'cdk.out'), '--port', '0', '--watch', ...flags], io))!;
  const text = async () => (await fetch(`${gateway.url}/prod/hello`)).text();
  const times: number[] = [];
  try {
    await text();
    for (let v = 2; v < EDITS + 2; v++) {
      const saved = performance.now();
      editApp(dir, 'lib/handlers/message.ts', /version \d+/, `version ${v}`);
      const deadline = Date.now() + 60_000;
      while ((await text()) !== `version ${v} hi`) {
        if (Date.now() > deadline) throw new Error(`edit ${v} not served:\n${logs.join('')}`);
        await new Promise((r) => setTimeout(r, 5));
      }
      times.push(performance.now() - saved);
      // (a synth still running, or the settle of the file watcher, ends before the next edit)
      await new Promise((r) => setTimeout(r, hot ? 300 : 1500));
    }
    const path_ = logs.join('').match(hot ? /hot reload of/g : /synthesizing/g)?.length ?? 0;
    process.stderr.write(`${hot ? 'hot' : 'synth'}: ${path_} log lines of that path for ${EDITS} edits\n`);
  } finally {
    await gateway.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return times;
}

void (async () => {
  const hot = await measure(true);
  const synth = await measure(false);
  const row = (name: string, t: number[]) => `${name.padEnd(22)} median ${median(t).toFixed(0).padStart(6)} ms  min ${Math.min(...t).toFixed(0).padStart(6)}  max ${Math.max(...t).toFixed(0).padStart(6)}`;
  console.log(`save -> first response with the new code, ${EDITS} edits each (Node ${process.version})`);
  console.log(row('hot reload (esbuild)', hot));
  console.log(row('full synth', synth));
  console.log(`hot reload is ${(median(synth) / median(hot)).toFixed(1)}x faster; target <= 1000 ms: ${median(hot) <= 1000 ? 'met' : 'MISSED'}`);
  process.exit(0);
})();
