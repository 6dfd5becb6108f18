import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { buildAssembly } from './support/assembly';
import { fetchStream } from './support/clients';
import { main } from '../../local-gateway/cli';
import { FileWatcher } from '../../local-gateway/file-watcher';
import type { LocalStreamingGateway } from '../../local-gateway/gateway';
import { tempDir } from '../support/temp-dirs';

// `serve --watch` must see every save, however an editor or a tool writes the file: in place, by a
// rename over it (vim, JetBrains' safe write, `mv`), `sed -i` (a new file renamed over the old
// one) or `git checkout` (the file unlinked and written anew). Node's recursive `fs.watch` went
// deaf to a file after the first rename over it.

const EDITS = 20;

const handlerCode = (version: number) => `exports.handler = awslambda.streamifyResponse(async (e, s) => {
  s = awslambda.HttpResponseStream.from(s, { statusCode: 200 }); s.write('version ${version}'); s.end(); });\n`;

/**
 * An app whose "synth" (a plain node script, quick) copies a hand-written assembly and the handler
 * file into `CDK_OUTDIR`, writing `manifest.json` last as the CDK does. It has a `node_modules`
 * and a `.git`, which must not be watched.
 */
function makeApp(): string {
  const app = tempDir('watch-saves');
  const template = buildAssembly([{ path: '/v', code: '' }]);
  fs.cpSync(template, path.join(app, 'template'), { recursive: true });
  fs.rmSync(template, { recursive: true, force: true });
  fs.mkdirSync(path.join(app, 'handler'));
  fs.writeFileSync(path.join(app, 'handler', 'index.js'), handlerCode(0));
  fs.writeFileSync(path.join(app, 'synth.js'), `
    const fs = require('fs'), path = require('path');
    const out = process.env.CDK_OUTDIR;
    fs.cpSync(path.join(__dirname, 'template'), out, { recursive: true, filter: (f) => !f.endsWith('manifest.json') });
    fs.copyFileSync(path.join(__dirname, 'handler', 'index.js'), path.join(out, 'asset.0', 'index.js'));
    fs.copyFileSync(path.join(__dirname, 'template', 'manifest.json'), path.join(out, 'manifest.json'));`);
  fs.writeFileSync(path.join(app, 'cdk.json'), JSON.stringify({ app: `"${process.execPath}" synth.js`, watch: { include: ['**'], exclude: ['template'] } }));
  for (let i = 0; i < 40; i++) fs.mkdirSync(path.join(app, 'node_modules', `pkg${i}`, 'lib'), { recursive: true });
  return app;
}

const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd, encoding: 'utf8' }).trim();

type Save = (file: string, version: number) => void;

/** Each way of saving, with what it needs prepared in the app first. */
const SAVES: Array<[string, (app: string) => Save]> = [
  ['rewrite in place', () => (file, v) => fs.writeFileSync(file, handlerCode(v))],
  ['rename over the file (vim, JetBrains safe write, mv)', () => (file, v) => {
    fs.writeFileSync(`${file}___jb_tmp___`, handlerCode(v));
    fs.renameSync(`${file}___jb_tmp___`, file);
  }],
  ['sed -i', () => (file, v) => execFileSync('sed', ['-i', `s/version [0-9]*/version ${v}/`, file])],
  ['git checkout of another version', (app) => {
    // commits of versions 1..20 (the work tree stays at 0 until the first checkout)
    git(app, 'init', '-q');
    const commits: string[] = [];
    const file = path.join(app, 'handler', 'index.js');
    for (let v = 1; v <= EDITS; v++) {
      fs.writeFileSync(file, handlerCode(v));
      git(app, 'add', 'handler/index.js');
      git(app, 'commit', '-q', '-m', `v${v}`);
      commits[v] = git(app, 'rev-parse', 'HEAD');
    }
    fs.writeFileSync(file, handlerCode(0));
    return (_file, v) => git(app, 'checkout', '-q', commits[v], '--', 'handler/index.js');
  }],
];

// The four save styles run side by side (each its own app, gateway and watcher): an edit's wait
// is the gateway's settle and poll timers, not CPU, so running them one after another only adds
// up those waits.
test.concurrent.each(SAVES)(`serve --watch, saving the handler by %s: ${EDITS} edits in a row, each one served, none lost`, async (_name, prepare) => {
  // GIVEN
  const logs: string[] = [];
  const app = makeApp();
  const save = prepare(app);
  const io = { out: (t: string) => logs.push(t), err: (t: string) => logs.push(t) };
  const gateway: LocalStreamingGateway = (await main(['serve', '--app', path.join(app, 'cdk.out'), '--port', '0', '--watch'], io))!;
  try {
    const served = async () => (await fetchStream(`${gateway.url}/prod/v`)).body.toString();
    expect(await served()).toBe('version 0');
    const file = path.join(app, 'handler', 'index.js');
    for (let v = 1; v <= EDITS; v++) {
      // WHEN
      save(file, v);
      // THEN the gateway answers with the new code (a deaf watcher times out here)
      const deadline = Date.now() + 15_000;
      let seen = await served();
      while (seen !== `version ${v}`) {
        if (Date.now() > deadline) throw new Error(`edit ${v} was never served (still '${seen}'):\n${logs.join('')}`);
        await new Promise((r) => setTimeout(r, 50));
        seen = await served();
      }
    }
  } finally {
    await gateway.stop();
  }
}, 120_000);

/** inotify watches held by this process (each `inotify wd:` line of an inotify fd's fdinfo). */
function inotifyWatches(): number {
  let count = 0;
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    let link: string;
    try {
      link = fs.readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue; // (the fd of readdir itself)
    }
    if (link !== 'anon_inode:inotify') continue;
    count += fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8').split('\n').filter((line) => line.startsWith('inotify wd:')).length;
  }
  return count;
}

/** Source files and folders of an app (the app's folder included), what is never watched left out. */
function sourceEntries(dir: string, skip: Set<string>): number {
  let count = 1;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (skip.has(entry.name)) continue;
    count += entry.isDirectory() ? sourceEntries(path.join(dir, entry.name), skip) : 1;
  }
  return count;
}

test('the watcher holds no more inotify watches than source files and folders: none in node_modules, cdk.out, .git', async () => {
  // GIVEN an app with sources in folders, a node_modules of 40 packages, a cdk.out and a .git
  const app = makeApp();
  for (const dir of ['bin', 'lib/constructs', 'test', 'cdk.out/asset.1', '.git/objects/ab']) fs.mkdirSync(path.join(app, dir), { recursive: true });
  for (const file of ['bin/app.ts', 'lib/stack.ts', 'lib/constructs/chat.ts', 'test/stack.test.ts']) fs.writeFileSync(path.join(app, file), '');
  const sources = sourceEntries(app, new Set(['node_modules', 'cdk.out', '.git']));
  const before = inotifyWatches();
  // WHEN
  const changes: string[][] = [];
  const watcher = new FileWatcher(app, (files) => changes.push(files));
  try {
    await watcher.ready;
    const held = inotifyWatches() - before;
    // THEN
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThanOrEqual(sources);
    // and a change in node_modules is not reported, one in lib/ is
    fs.writeFileSync(path.join(app, 'node_modules', 'pkg0', 'index.js'), 'x');
    fs.writeFileSync(path.join(app, 'lib', 'constructs', 'chat.ts'), 'x');
    const deadline = Date.now() + 10_000;
    while (changes.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    expect(changes.flat()).toEqual(['lib/constructs/chat.ts']);
  } finally {
    await watcher.close();
  }
  expect(inotifyWatches()).toBe(before);
});
