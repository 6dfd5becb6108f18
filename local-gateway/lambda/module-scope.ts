/**
 * The modules of one execution environment when several share a thread (`shared` isolation): each
 * environment loads its own instances of the function's code and packages, as separate Lambda
 * sandboxes do, so module state (a counter, a logger's invocation context, a cached client) is
 * never seen by another environment.
 *
 * - CommonJS: a module registry of the environment's own (Node's resolution and loaders, a cache
 *   per environment); built-in modules are the thread's.
 * - ES modules: the environment's number rides on every `file:` URL as `?lgenv=N`, so Node's
 *   module map holds one instance per environment; a resolve hook passes it from a module to what
 *   it imports (`module.registerHooks` on Node ≥ 22.15, `module.register` before).
 */
import { Module } from 'module';
import * as path from 'path';

const QUERY = 'lgenv';
const SCOPED = new RegExp(`[?&]${QUERY}=(\\d+)`);

/** Node's internals this uses (documented behaviour of `module`, not typed by @types/node). */
interface ModuleInternals {
  _resolveFilename(request: string, parent: Module, isMain: boolean): string;
  _nodeModulePaths(dir: string): string[];
}
interface LoadableModule extends Module {
  load(filename: string): void;
}
const internals = Module as unknown as ModuleInternals;

// `import()` written so that bundlers leave it alone (esbuild turns a literal one into require()).
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const dynamicImport = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<Record<string, unknown>>;

export class ModuleScope {
  private readonly cache = new Map<string, LoadableModule>();
  private readonly root: Module;

  constructor(public readonly id: number, taskRoot: string) {
    installScopeHook();
    this.root = new Module(path.join(taskRoot, `[environment ${id}]`));
    this.root.filename = this.root.id;
    this.root.paths = internals._nodeModulePaths(taskRoot);
  }

  /** `require(request)` from `parent` (default: the task root), in this environment's registry. */
  public require(request: string, parent: Module = this.root): unknown {
    const filename = internals._resolveFilename(request, parent, false);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    if (Module.isBuiltin(filename)) return require(filename);
    const cached = this.cache.get(filename);
    if (cached) return cached.exports;
    const mod = new Module(filename, parent) as LoadableModule;
    mod.filename = filename;
    mod.paths = internals._nodeModulePaths(path.dirname(filename));
    // Node's `require` inside a module calls `module.require`: it stays in this registry.
    mod.require = ((id: string) => this.require(id, mod)) as NodeJS.Require;
    this.cache.set(filename, mod);
    try {
      mod.load(filename);
    } catch (error) {
      this.cache.delete(filename);
      throw error;
    }
    return mod.exports;
  }

  /** `import(url)` of this environment's instance of the module. */
  public import(url: string): Promise<Record<string, unknown>> {
    return dynamicImport(scopedUrl(url, String(this.id)));
  }
}

function scopedUrl(url: string, id: string): string {
  if (!url.startsWith('file:') || SCOPED.test(url)) return url;
  return `${url}${url.includes('?') ? '&' : '?'}${QUERY}=${id}`;
}

let hooked = false;

/** Passes a module's environment number to the `file:` modules it imports (once per thread). */
function installScopeHook(): void {
  if (hooked) return;
  hooked = true;
  type Resolved = { url: string };
  const carry = (resolved: Resolved, parentURL: string | undefined): Resolved => {
    const id = parentURL ? SCOPED.exec(parentURL)?.[1] : undefined;
    return id ? { ...resolved, url: scopedUrl(resolved.url, id) } : resolved;
  };
  const api = Module as unknown as {
    registerHooks?: (hooks: { resolve: (s: string, c: { parentURL?: string }, next: (s: string, c: unknown) => Resolved) => Resolved }) => void;
    register?: (url: string) => void;
  };
  if (api.registerHooks) {
    api.registerHooks({ resolve: (specifier, context, next) => carry(next(specifier, context), context.parentURL) });
    return;
  }
  const source = `const SCOPED = ${SCOPED.toString()};
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  const id = context.parentURL ? SCOPED.exec(context.parentURL)?.[1] : undefined;
  if (!id || !resolved.url.startsWith('file:') || SCOPED.test(resolved.url)) return resolved;
  return { ...resolved, url: resolved.url + (resolved.url.includes('?') ? '&' : '?') + '${QUERY}=' + id };
}`;
  api.register?.(`data:text/javascript,${encodeURIComponent(source)}`);
}
