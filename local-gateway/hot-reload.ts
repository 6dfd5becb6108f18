/**
 * Hot reloads for `serve --watch`: an edit to the handler code of a `StreamingFunction` is rebuilt
 * by the gateway itself (an incremental esbuild rebuild, as the construct's recorded bundling
 * options say) into a bundle folder of its own, and only then swapped in: requests in flight finish
 * on the old code, the next ones start on the new. No synth runs. An edit the gateway cannot
 * rebuild on its own (a file the CDK app imports, a function without a recorded spec, bundling
 * only the CDK can run) goes through the synth, and the log says which path each edit took.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { BuildContext, BuildResult } from 'esbuild';
import type { Route } from './assembly';
import { atExit } from './at-exit';
import { loadEsbuild } from './bundle';
import { esbuildOptions, readRebuildSpecs, specKey } from './rebuild-spec';
import { TypeChecker } from './type-check';
import type { RebuildSpec } from '../src/private/rebuild-spec';

/** What the hot reloader needs of the gateway. */
export interface HotSwappable {
  readonly routes: readonly Route[];
  reload(routes: Route[]): void;
}

export interface HotReloadOptions {
  readonly assemblyDir: string;
  /** The CDK app's folder and its app command (`cdk.json`): the files the app imports need a synth. */
  readonly appDir: string;
  readonly appCommand: string;
  /** Run `tsc --noEmit` in the background after a rebuild of TypeScript. Default true. */
  readonly typeCheck?: boolean;
  readonly log: (message: string) => void;
}

/** One function the gateway can rebuild. */
interface Rebuildable {
  readonly id: string;
  readonly spec: RebuildSpec;
  readonly context?: BuildContext;
  readonly specJson: string;
  /** The files its bundle is made of (absolute). */
  inputs: Set<string>;
  /** The folder its latest hot build was written to (after one). */
  hotDir?: string;
  generation: number;
}

export class HotReloader {
  private readonly functions = new Map<string, Rebuildable>();
  private readonly bundleRoot: string;
  private readonly typeChecker: TypeChecker;
  /** Files the CDK app itself imports (undefined: its entry file is not known). */
  private appInputs?: Set<string>;
  /** Rebuilds, swaps and adoptions, one at a time. */
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly removeBundles: () => void;

  constructor(private readonly gateway: HotSwappable, private readonly options: HotReloadOptions) {
    this.bundleRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'local-gateway-hot-'));
    const remove = () => fs.rmSync(this.bundleRoot, { recursive: true, force: true });
    const cancel = atExit(remove);
    this.removeBundles = () => (cancel(), remove());
    this.typeChecker = new TypeChecker(options.log);
  }

  /**
   * Takes the routes of a new synthesis: learns its functions' specs and what their bundles are
   * made of; a function edited since is rebuilt from the sources as they are now (the synth may
   * have read them before the last edit). Resolves with the routes to serve.
   */
  public adopt(routes: readonly Route[]): Promise<Route[]> {
    return this.enqueue(async () => {
      this.appInputs = await this.readAppInputs();
      const specs = readRebuildSpecs(this.options.assemblyDir);
      const seen = new Set<string>();
      const swapped = new Map<string, string>();
      for (const route of routes) {
        if (!route.function?.assetDir || route.webApp || seen.has(route.function.logicalId)) continue;
        seen.add(route.function.logicalId);
        const spec = specs.get(specKey(route));
        if (!spec) continue;
        const current = this.functions.get(route.function.logicalId);
        if (current && current.specJson === JSON.stringify(spec)) {
          if (current.hotDir) {
            const dir = await this.rebuild(current);
            if (dir) swapped.set(current.id, dir);
          }
          continue;
        }
        await current?.context?.dispose();
        this.functions.set(route.function.logicalId, await this.prepare(route.function.logicalId, spec));
      }
      for (const [id, fn] of this.functions) {
        if (!seen.has(id)) {
          await fn.context?.dispose();
          this.functions.delete(id);
        }
      }
      return withAssetDirs(routes, swapped);
    });
  }

  /**
   * Handles changed files (absolute paths) if they are all handler code of functions the gateway
   * rebuilds, and resolves true; false when they need a synth (the reason is logged).
   */
  public handle(files: string[]): Promise<boolean> {
    return this.enqueue(async () => {
      const started = Date.now();
      const names = files.map((f) => path.relative(this.options.appDir, f)).join(', ');
      const affected = new Set<Rebuildable>();
      for (const file of files) {
        if (this.appInputs?.has(file)) return this.toSynth(names, `${path.relative(this.options.appDir, file)} is imported by the CDK app`);
        const owners = [...this.functions.values()].filter((fn) => fn.inputs.has(file));
        if (owners.length === 0) return this.toSynth(names, `${path.relative(this.options.appDir, file)} is no handler code of a StreamingFunction the gateway can rebuild on its own`);
        const blocked = owners.find((fn) => fn.spec.cannot.length > 0);
        if (blocked) return this.toSynth(names, `${blocked.id} uses ${blocked.spec.cannot.join(', ')}, which only the CDK's bundling runs`);
        owners.forEach((fn) => affected.add(fn));
      }
      const swapped = new Map<string, string>();
      for (const fn of affected) {
        const dir = await this.rebuild(fn);
        if (!dir) return true; // (the errors are logged; the old code stays served, as after a failed synth)
        swapped.set(fn.id, dir);
      }
      this.gateway.reload(withAssetDirs(this.gateway.routes, swapped));
      const ids = [...affected].map((fn) => fn.id).join(', ');
      this.options.log(`[watch] ${names}: hot reload of ${ids} (esbuild, no synth) in ${Date.now() - started} ms: the next requests run the new code`);
      if (this.options.typeCheck !== false) for (const fn of affected) this.typeChecker.check(fn.id, fn.spec);
      return true;
    });
  }

  public async close(): Promise<void> {
    this.closed = true;
    await this.queue.catch(() => undefined);
    this.typeChecker.close();
    for (const fn of this.functions.values()) await fn.context?.dispose();
    this.functions.clear();
    // (the gateway stops after this: no environment loads these bundles any more)
    this.removeBundles();
  }

  private toSynth(names: string, reason: string): false {
    this.options.log(`[watch] ${names}: full synth (${reason})`);
    return false;
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => (this.closed ? Promise.reject(new Error('closed')) : task()));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** A function's esbuild context, and its first build's inputs. */
  private async prepare(id: string, spec: RebuildSpec): Promise<Rebuildable> {
    const fn: Rebuildable = { id, spec, specJson: JSON.stringify(spec), inputs: new Set([spec.entry]), generation: 0 };
    if (spec.cannot.length > 0 || !fs.existsSync(spec.entry)) return fn;
    const outfile = path.join(this.bundleRoot, safeName(id), spec.format === 'esm' ? 'index.mjs' : 'index.js');
    const context = await loadEsbuild().context({ ...esbuildOptions(spec), outfile, write: false, metafile: true });
    const ready: Rebuildable = { ...fn, context };
    try {
      const result = await context.rebuild();
      ready.inputs = inputsOf(result, spec.projectRoot);
    } catch {
      // (a handler that does not build now: its entry stands for its inputs until it does)
    }
    return ready;
  }

  /** Rebuilds a function into a new folder of its own; undefined when the build failed. */
  private async rebuild(fn: Rebuildable): Promise<string | undefined> {
    if (!fn.context) return undefined;
    let result: BuildResult;
    try {
      result = await fn.context.rebuild();
    } catch (error) {
      const errors = (error as { errors?: Array<{ text: string; location?: { file: string; line: number } }> }).errors ?? [];
      const text = errors.map((e) => `  ${e.location ? `${e.location.file}:${e.location.line}: ` : ''}${e.text}`).join('\n');
      this.options.log(`[watch] ${fn.id}: the handler does not build; still serving its last good code:\n${text || (error as Error).message}`);
      return undefined;
    }
    fn.inputs = inputsOf(result, fn.spec.projectRoot);
    const dir = path.join(this.bundleRoot, safeName(fn.id), String(++fn.generation));
    fs.mkdirSync(dir, { recursive: true });
    for (const out of result.outputFiles ?? []) fs.writeFileSync(path.join(dir, path.basename(out.path)), out.contents);
    // Two generations back are retired: environments that loaded them have ended or hold it in memory.
    fs.rmSync(path.join(this.bundleRoot, safeName(fn.id), String(fn.generation - 3)), { recursive: true, force: true });
    fn.hotDir = dir;
    return dir;
  }

  /** The local files the CDK app's entry (the app command's .ts/.js file) imports. */
  private async readAppInputs(): Promise<Set<string> | undefined> {
    // (the last script named that is not a tool's own, e.g. `npx ts-node --prefer-ts-exts bin/app.ts`)
    const entry = this.options.appCommand.split(/\s+/).map((word) => word.replace(/^["']|["']$/g, ''))
      .filter((word) => /\.[cm]?[jt]sx?$/.test(word) && !word.includes('node_modules') && fs.existsSync(path.resolve(this.options.appDir, word)))
      .pop();
    if (!entry) return undefined;
    try {
      const result = await loadEsbuild().build({
        entryPoints: [path.resolve(this.options.appDir, entry)],
        bundle: true,
        write: false,
        metafile: true,
        platform: 'node',
        packages: 'external',
        logLevel: 'silent',
        absWorkingDir: this.options.appDir,
      });
      return inputsOf(result, this.options.appDir);
    } catch {
      return undefined;
    }
  }
}

function inputsOf(result: BuildResult, workingDir: string): Set<string> {
  return new Set(Object.keys(result.metafile?.inputs ?? {}).map((input) => path.resolve(workingDir, input)));
}

function withAssetDirs(routes: readonly Route[], dirs: ReadonlyMap<string, string>): Route[] {
  return routes.map((route) => {
    const dir = route.function && dirs.get(route.function.logicalId);
    return dir ? { ...route, function: { ...route.function!, assetDir: dir } } : route;
  });
}

function safeName(id: string): string {
  return id.replace(/[^\w.-]/g, '_');
}
