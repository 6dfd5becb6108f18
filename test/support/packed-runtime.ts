/**
 * The handler runtime as users get it, for its tests and benchmarks: packs the npm tarball and
 * installs it in a temporary folder's node_modules, where handlers import
 * `cdk-streaming-rest-api/runtime` and are bundled the way StreamingFunction bundles them (esbuild,
 * CommonJS output for Node.js 22).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildSync } from 'esbuild';

const ROOT = path.join(__dirname, '..', '..');
const BUILT = ['lib/runtime/lambda-assets/runtime/index.js', 'lib/runtime/esm/lambda-assets/runtime/index.js', 'lib/runtime/esm/package.json'];

export interface InstalledPackage {
  /** The folder whose node_modules holds the unpacked tarball. */
  readonly dir: string;
  /** Writes `source` as `<name>.ts` in `dir` and bundles it with esbuild (minified unless told): the bundle's path and bytes. */
  bundle(name: string, source: string, options?: { minify?: boolean }): { file: string; bytes: Buffer };
  close(): void;
}

/**
 * Compiles the runtime (`projen compile:runtime`, CommonJS and ES modules) when `build` is
 * `always`, or when it is `missing` (the default, as the tests do) and a build is missing; then
 * packs and installs the tarball.
 */
export function installPackedRuntime(build: 'always' | 'missing' = 'missing'): InstalledPackage {
  if (build === 'always' || !BUILT.every((f) => fs.existsSync(path.join(ROOT, f)))) {
    execFileSync(path.join(ROOT, 'node_modules', '.bin', 'projen'), ['compile:runtime'], { cwd: ROOT, stdio: 'ignore' });
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'packed-runtime-'));
  // Only the runtime is needed here: packing skips the prepack check that the whole library is built.
  const name = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').pop()!;
  const modules = path.join(dir, 'node_modules');
  fs.mkdirSync(modules);
  execFileSync('tar', ['-xzf', path.join(dir, name), '-C', modules]);
  fs.renameSync(path.join(modules, 'package'), path.join(modules, 'cdk-streaming-rest-api'));
  return {
    dir,
    bundle(entryName, source, options = {}) {
      const entry = path.join(dir, `${entryName}.ts`);
      const file = path.join(dir, 'out', `${entryName}.js`);
      fs.writeFileSync(entry, source);
      buildSync({
        entryPoints: [entry],
        outfile: file,
        bundle: true,
        minify: options.minify ?? true,
        platform: 'node',
        format: 'cjs',
        target: 'node22',
        legalComments: 'none',
        logLevel: 'error',
      });
      return { file, bytes: fs.readFileSync(file) };
    },
    close: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
