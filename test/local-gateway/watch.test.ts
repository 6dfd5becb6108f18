import * as fs from 'fs';
import * as path from 'path';
import { AssemblyWatcher, cdkJsonOutput, globToRegExp, literalPaths, readCdkJson, SourceWatcher } from '../../local-gateway/watch';
import { tempDir } from '../support/temp-dirs';

const tmp = () => tempDir('watch-test');
const until = async (check: () => boolean, ms = 5000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
};

test('a new synthesis (manifest.json rewritten) is noticed once; an unchanged one is not', async () => {
  // GIVEN
  const dir = tmp();
  fs.writeFileSync(path.join(dir, 'manifest.json'), '{"version":"1"}');
  let seen = 0;
  const watcher = new AssemblyWatcher(dir, () => seen++);
  try {
    // WHEN cdk.out is written again with a new manifest
    await new Promise((r) => setTimeout(r, 50));
    fs.writeFileSync(path.join(dir, 'manifest.json'), '{"version":"2"}');
    // THEN
    await until(() => seen === 1);
    // WHEN cdk.out is deleted and re-created (as a clean synth does)
    fs.rmSync(dir, { recursive: true });
    await new Promise((r) => setTimeout(r, 400));
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'manifest.json'), '{"version":"3"}');
    await until(() => seen === 2);
    await new Promise((r) => setTimeout(r, 700));
    expect(seen).toBe(2);
  } finally {
    watcher.close();
  }
});

test('cdk.json globs: include and exclude as cdk watch reads them', () => {
  expect(globToRegExp('**').test('lib/stack.ts')).toBe(true);
  expect(globToRegExp('lib/**/*.ts').test('lib/a/b/stack.ts')).toBe(true);
  expect(globToRegExp('lib/**/*.ts').test('lib/stack.ts')).toBe(true);
  expect(globToRegExp('*.ts').test('lib/stack.ts')).toBe(false);
  const dir = tmp();
  fs.writeFileSync(path.join(dir, 'cdk.json'), JSON.stringify({ app: 'node app.js', watch: { include: ['**'], exclude: ['README.md', 'test'] }, context: { a: 1 } }));
  const config = readCdkJson(dir);
  const watcher = new SourceWatcher(config);
  expect(watcher.matches('lib/stack.ts')).toBe(true);
  expect(watcher.matches('handlers/index.mjs')).toBe(true);
  expect(watcher.matches('README.md')).toBe(false);
  expect(watcher.matches('test/x.test.ts')).toBe(false);
  expect(watcher.matches('cdk.out/manifest.json')).toBe(false);
  expect(watcher.matches('node_modules/x/index.js')).toBe(false);
  expect(config.context).toEqual({ a: 1 });
});

test('exclude globs without a wildcard name folders and files that are not watched at all', () => {
  expect(literalPaths(['README.md', 'test', 'dist/**', '**/*.d.ts', 'cdk*.json', 'lib/**/*.js', '**'])).toEqual(['README.md', 'test', 'dist']);
});

test('no cdk.json: a clear error', () => {
  expect(() => readCdkJson(tmp())).toThrow(/--watch needs the app's cdk.json/);
});

test('a source change runs the app command with CDK_OUTDIR and the context; a failing synth is reported', async () => {
  // GIVEN an app whose "synth" writes what it was given
  const dir = tmp();
  fs.writeFileSync(path.join(dir, 'app.js'), `
    const fs = require('fs');
    if (fs.readFileSync(__dirname + '/src.txt', 'utf8').includes('fail')) { console.error('synth error: bad source'); process.exit(1); }
    fs.mkdirSync(process.env.CDK_OUTDIR, { recursive: true });
    fs.writeFileSync(process.env.CDK_OUTDIR + '/seen.json', JSON.stringify({ context: JSON.parse(process.env.CDK_CONTEXT_JSON), src: fs.readFileSync(__dirname + '/src.txt', 'utf8') }));`);
  fs.writeFileSync(path.join(dir, 'src.txt'), 'one');
  fs.writeFileSync(path.join(dir, 'cdk.json'), JSON.stringify({ app: `"${process.execPath}" app.js`, context: { greeting: 'hi' } }));
  const lines: string[] = [];
  const watcher = new SourceWatcher(readCdkJson(dir), { log: (l) => lines.push(l) });
  await watcher.start();
  try {
    // WHEN a source changes
    fs.writeFileSync(path.join(dir, 'src.txt'), 'two');
    // THEN the app ran with the outdir and context
    const seenFile = path.join(dir, 'cdk.out', 'seen.json');
    await until(() => fs.existsSync(seenFile) && JSON.parse(fs.readFileSync(seenFile, 'utf8')).src === 'two', 10_000);
    expect(JSON.parse(fs.readFileSync(seenFile, 'utf8')).context).toEqual({ greeting: 'hi' });
    // WHEN the source breaks the synth
    await until(() => lines.some((l) => /synthesized in \d+ ms/.test(l)));
    expect(await (fs.writeFileSync(path.join(dir, 'src.txt'), 'fail'), watcher.synth())).toBe(false);
    expect(lines.join('\n')).toMatch(/synth failed \(exit 1\); still serving the last good synthesis:\s+synth error: bad source/);
  } finally {
    await watcher.close();
  }
}, 20_000);

test('the assembly folder cdk.json names ("output") is found; none without it', () => {
  const dir = tmp();
  expect(cdkJsonOutput(dir)).toBeUndefined();
  fs.writeFileSync(path.join(dir, 'cdk.json'), JSON.stringify({ app: 'node app.js', output: 'build/cdk.out' }));
  expect(cdkJsonOutput(dir)).toBe(path.join(dir, 'build', 'cdk.out'));
});
