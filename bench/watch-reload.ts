/**
 * Save to served with `serve --watch`: the median time from saving a StreamingFunction's handler
 * file to the first response with the new code, hot reloaded (esbuild, no synth) against the same
 * edit through a full synth (`--no-hot-reload`), in one run on the same app
 * (test/local-gateway/support/hot-app.ts). Target: at most 1 s median for the hot reload.
 * Then an infrastructure edit (the app's `lib/config.ts`, which sets a function's environment
 * variable) served through `serve --watch`, against the bare synth of the same app (its `cdk.json`
 * app command, as `cdk synth` runs it, without the CLI's own start) measured in the same run.
 * Target: at most the synth's median + 1 s. And the inotify watches the watcher holds, against the
 * app's source files and folders (all but node_modules, cdk.out and .git).
 * Run: npx ts-node --transpile-only --project bench/tsconfig.json bench/watch-reload.ts [edits] [infra edits]
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../local-gateway/cli';
import { editApp, makeHotApp } from '../test/local-gateway/support/hot-app';

const EDITS = Number(process.argv[2] ?? 11);
const INFRA_EDITS = Number(process.argv[3] ?? 5);

/** The inotify watches this process holds (Linux: `inotify wd:` lines of its inotify descriptors). */
function inotifyWatches(): number {
  let count = 0;
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      if (fs.readlinkSync(`/proc/self/fd/${fd}`) !== 'anon_inode:inotify') continue;
      count += fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8').split('\n').filter((l) => l.startsWith('inotify wd:')).length;
    } catch {
      // (a descriptor closed meanwhile)
    }
  }
  return count;
}

/** Source files and folders of the app (the folder itself included; not node_modules, cdk.out, .git). */
function sourceEntries(dir: string): { files: number; folders: number } {
  const counts = { files: 0, folders: 1 };
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (['node_modules', 'cdk.out', '.git'].includes(entry.name)) continue;
    if (entry.isDirectory()) {
      const sub = sourceEntries(path.join(dir, entry.name));
      counts.files += sub.files;
      counts.folders += sub.folders;
    } else {
      counts.files++;
    }
  }
  return counts;
}

/**
 * A bare synth of the app in `dir`: its `cdk.json` app command writing to a fresh folder, as `cdk
 * synth` runs it (without the CLI's own start); ms to the end of the process. (Not `execSync`: the
 * gateway, in this process, keeps serving meanwhile.)
 */
async function bareSynth(dir: string): Promise<number> {
  const app = JSON.parse(fs.readFileSync(path.join(dir, 'cdk.json'), 'utf8')).app;
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bare-synth-'));
  try {
    const started = performance.now();
    await new Promise<void>((resolve, reject) => {
      spawn(app, { cwd: dir, shell: true, stdio: 'ignore', env: { ...process.env, CDK_OUTDIR: out, CDK_CONTEXT_JSON: '{}' } })
        .once('error', reject)
        .once('close', (code) => (code === 0 ? resolve() : reject(new Error(`bare synth exited ${code}`))));
    });
    return performance.now() - started;
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

let watches: string | undefined;
/**
 * With infrastructure edits: after each, a bare synth of a copy of the app with the same edit
 * (interleaved, so both see the same load on a shared machine).
 */
const bare: number[] = [];
const steps: number[][] = [];

/**
 * `edits` saves through `serve --watch` (hot reloads on, or `--no-hot-reload`): of the handler's
 * `message.ts`, or with `infra` of the app's `lib/config.ts` (the function's GREETING variable).
 */
async function measure(hot: boolean, edits = EDITS, infra = false): Promise<number[]> {
  const dir = makeHotApp();
  const bareDir = infra ? makeHotApp() : undefined;
  const logs: string[] = [];
  const stamped: Array<[number, string]> = [];
  const io = { out: (t: string) => logs.push(t), err: (t: string) => (logs.push(t), stamped.push([Date.now(), t])) };
  const flags = infra ? [] : hot ? ['--no-type-check'] : ['--no-hot-reload'];
  const before = inotifyWatches();
  const gateway = (await main(['serve', '--app', path.join(dir, 'cdk.out'), '--port', '0', '--watch', ...flags], io))!;
  if (!watches) {
    const { files, folders } = sourceEntries(dir);
    const held = inotifyWatches() - before;
    watches = `inotify watches held by the watcher: ${held}; the app's source files + folders: ${files} + ${folders} = ${files + folders} -> ${held <= files + folders ? 'within' : 'OVER'}`;
  }
  const text = async () => (await fetch(`${gateway.url}/prod/hello`)).text();
  const times: number[] = [];
  try {
    await text();
    for (let v = 2; v < edits + 2; v++) {
      const saved = performance.now();
      const savedAt = Date.now();
      if (infra) editApp(dir, 'lib/config.ts', /greeting = '[^']*'/, `greeting = 'hi${v}'`);
      else editApp(dir, 'lib/handlers/message.ts', /version \d+/, `version ${v}`);
      const expected = infra ? `version 1 hi${v}` : `version ${v} hi`;
      const deadline = Date.now() + 60_000;
      while ((await text()) !== expected) {
        if (Date.now() > deadline) throw new Error(`edit ${v} not served:\n${logs.join('')}`);
        await new Promise((r) => setTimeout(r, 5));
      }
      times.push(performance.now() - saved);
      if (bareDir) {
        // Where the time went: save -> the synth starts; -> the app wrote manifest.json (the
        // synth); -> the gateway loaded the new assembly; -> the first response with the change.
        const at = (needle: string) => stamped.find(([t, line]) => t >= savedAt && line.includes(needle))?.[0] ?? NaN;
        const manifest = fs.statSync(path.join(dir, 'cdk.out', 'manifest.json')).mtimeMs;
        const [start, loaded, served] = [at('synthesizing'), at('[reload] new synthesis'), savedAt + times[times.length - 1]];
        steps.push([start - savedAt, manifest - start, loaded - manifest, served - loaded]);
        // (the gateway serves the new assembly once manifest.json is written; the app's process
        // runs on, e.g. CloudFormation validation, and ends before the bare synth starts)
        while (Number.isNaN(at('synthesized in')) && Number.isNaN(at('synth failed'))) await new Promise((r) => setTimeout(r, 20));
        steps[steps.length - 1].push(at('synthesized in') - start);
        editApp(bareDir, 'lib/config.ts', /greeting = '[^']*'/, `greeting = 'hi${v}'`);
        bare.push(await bareSynth(bareDir));
      }
      // (a synth still running, or the settle of the file watcher, ends before the next edit)
      await new Promise((r) => setTimeout(r, hot && !infra ? 300 : 1500));
    }
    const path_ = logs.join('').match(hot && !infra ? /hot reload of/g : /synthesizing/g)?.length ?? 0;
    process.stderr.write(`${infra ? 'infrastructure' : hot ? 'hot' : 'synth'}: ${path_} log lines of that path for ${edits} edits\n`);
  } finally {
    await gateway.stop();
    for (const d of [dir, bareDir]) if (d) fs.rmSync(d, { recursive: true, force: true });
  }
  return times;
}

void (async () => {
  const hot = await measure(true);
  const synth = await measure(false);
  const infra = await measure(true, INFRA_EDITS, true);
  const row = (name: string, t: number[]) => `${name.padEnd(36)} median ${median(t).toFixed(0).padStart(6)} ms  min ${Math.min(...t).toFixed(0).padStart(6)}  max ${Math.max(...t).toFixed(0).padStart(6)}`;
  console.log(`save -> first response with the new code, ${EDITS} edits each (Node ${process.version})`);
  console.log(row('hot reload (esbuild)', hot));
  console.log(row('full synth', synth));
  console.log(`hot reload is ${(median(synth) / median(hot)).toFixed(1)}x faster; target <= 1000 ms: ${median(hot) <= 1000 ? 'met' : 'MISSED'}`);
  console.log(`infrastructure edit (lib/config.ts), ${INFRA_EDITS} edits, each followed by a bare synth of the same app`);
  console.log(row('infrastructure edit via --watch', infra));
  console.log(row('bare synth (cdk.json app command)', bare));
  console.log(row('each edit - the bare synth after it', infra.map((t, i) => t - bare[i])));
  ['save -> synth starts', 'synth starts -> manifest written', 'manifest -> new assembly loaded', 'loaded -> first response', '(the watch synth, start -> its end)'].forEach((name, i) => {
    console.log(row(`  ${name}`, steps.map((s) => s[i])));
  });
  const over = median(infra) - median(bare);
  console.log(`infrastructure edit = bare synth + ${over.toFixed(0)} ms (${(median(infra) / median(bare)).toFixed(2)}x); target <= synth + 1000 ms: ${over <= 1000 ? 'met' : 'MISSED'}`);
  console.log(watches);
  process.exit(0);
})();
