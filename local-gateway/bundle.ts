/**
 * Bundling handler code with esbuild, for `serve <handler file>` and for hot reloads: the module
 * format a file needs, and a build that replaces each output file whole.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { BuildOptions, Plugin } from 'esbuild';
import { UsageError } from './cli-args';

/**
 * esbuild, which bundles handler code. It is optional: only `serve <handler file>` and hot reloads
 * need it, and CDK apps that use NodejsFunction have it already.
 */
export function loadEsbuild(): typeof import('esbuild') {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports, import/no-extraneous-dependencies
    return require('esbuild');
  } catch {
    throw new UsageError("bundling a handler needs esbuild: run 'npm install --save-dev esbuild'");
  }
}

/** esbuild's complaint about a top-level `await` in a CommonJS bundle. */
const TOP_LEVEL_AWAIT_IN_CJS = /Top-level await is currently not supported with the "cjs" output format/;

/** True when esbuild refused a CommonJS bundle because the code has a top-level `await`. */
export function needsEsm(errors: ReadonlyArray<{ text: string }>): boolean {
  return errors.some((e) => TOP_LEVEL_AWAIT_IN_CJS.test(e.text));
}

/**
 * The module format a handler file is bundled in, as Node would load the file: an ES module for
 * `.mjs`/`.mts`, a package that says `"type": "module"`, or code with a top-level `await` (which
 * only an ES module may have); CommonJS otherwise, as NodejsFunction bundles by default.
 */
export function handlerFormat(file: string): 'esm' | 'cjs' {
  const ext = path.extname(file);
  if (ext === '.mjs' || ext === '.mts') return 'esm';
  if (ext === '.cjs' || ext === '.cts') return 'cjs';
  if (nearestPackageType(path.dirname(path.resolve(file))) === 'module') return 'esm';
  try {
    loadEsbuild().buildSync({ ...handlerBundle(file, path.dirname(file), 'cjs'), write: false, logLevel: 'silent' });
  } catch (error) {
    if (needsEsm((error as { errors?: Array<{ text: string }> }).errors ?? [])) return 'esm';
  }
  return 'cjs';
}

/** The `type` of the nearest package.json (a node_modules folder ends the search). */
function nearestPackageType(dir: string): string | undefined {
  for (let at = dir; ; at = path.dirname(at)) {
    if (path.basename(at) === 'node_modules') return undefined;
    const file = path.join(at, 'package.json');
    if (fs.existsSync(file)) {
      try {
        return JSON.parse(fs.readFileSync(file, 'utf8'))?.type;
      } catch {
        return undefined;
      }
    }
    if (path.dirname(at) === at) return undefined;
  }
}

/** The file a bundle is written to: `index.mjs` for an ES module, which the runtime loads as one. */
export function bundleFile(outDir: string, format: 'esm' | 'cjs'): string {
  return path.join(outDir, format === 'esm' ? 'index.mjs' : 'index.js');
}

/**
 * How a handler file is bundled (into `outDir/index.js` or `index.mjs`). An ES module bundle gets
 * a `require` (what bundled CommonJS packages call for Node's own modules), as the CDK's docs
 * advise for NodejsFunction's ESM output.
 */
export function handlerBundle(file: string, outDir: string, format: 'esm' | 'cjs'): BuildOptions {
  return {
    entryPoints: [path.resolve(file)],
    bundle: true,
    platform: 'node',
    format,
    target: 'node20',
    outfile: bundleFile(outDir, format),
    logLevel: 'warning',
    sourcemap: 'inline',
    banner: format === 'esm' ? { js: "import { createRequire as __localGatewayRequire } from 'module'; const require = __localGatewayRequire(import.meta.url);" } : undefined,
  };
}

/**
 * Writes a build's output files itself, each replaced whole (a temporary file renamed over it): an
 * environment that starts while a build runs never loads a half-written bundle. Use with
 * `write: false`; `onBuilt` gets each build's result after its files are in place.
 */
export function replaceWholePlugin(onBuilt: (errors: ReadonlyArray<{ text: string }>) => void): Plugin {
  return {
    name: 'local-gateway-replace-whole',
    setup: (build) => build.onEnd((result) => {
      if (result.errors.length === 0) {
        for (const out of result.outputFiles ?? []) {
          fs.mkdirSync(path.dirname(out.path), { recursive: true });
          const temporary = `${out.path}.${process.pid}.tmp`;
          fs.writeFileSync(temporary, out.contents);
          fs.renameSync(temporary, out.path);
        }
      }
      onBuilt(result.errors);
    }),
  };
}
