/**
 * Loads a function's handler the way the Lambda Node.js managed runtime does (its runtime
 * interface client, `UserFunction.js`): the `Handler` setting `dir/module.export.path` names a
 * module under the task root, tried as an extensionless file, `.js` (CommonJS unless the nearest
 * `package.json` says `"type": "module"`), `.mjs` (ES module, top-level `await` allowed) and
 * `.cjs`, then through Node's resolution; the export path may be nested (`index.api.handler`).
 *
 * On Lambda the runtime provides AWS SDK v3 (`@aws-sdk/*`) to functions that do not bundle it.
 * Locally the same packages are resolved from the app's installation (`searchDirs`, for both
 * CommonJS and ES modules); when they are missing, the error names the package to install.
 */
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { HIGH_WATER_MARK_MARK, STREAMING_MARK } from './awslambda';

/** A loaded handler and what the runtime reads from it. */
export interface LoadedHandler {
  readonly handler: (...args: any[]) => unknown;
  /** Wrapped with `awslambda.streamifyResponse()`. */
  readonly streaming: boolean;
  /** The `highWaterMark` given to `streamifyResponse()`, if any. */
  readonly highWaterMark?: number;
  /** The handler is an `async` function. */
  readonly isAsync: boolean;
  /** Loaded as an ES module. */
  readonly esm: boolean;
}

export interface LoadOptions {
  /** Directories whose `node_modules` stand in for the runtime's own (AWS SDK v3). */
  readonly searchDirs?: readonly string[];
}

/** A load failure, named as the runtime names it (`Runtime.ImportModuleError`, ...). */
export class RuntimeLoadError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

// `import()` written so that bundlers leave it alone (esbuild turns a literal one into require()).
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const dynamicImport = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<Record<string, unknown>>;

/** Where a function's code is, from the variables the gateway gives its thread or process. */
export interface HandlerLocation {
  readonly taskRoot: string;
  readonly handlerSpec: string;
  readonly searchDirs: string[];
}

export function handlerLocation(env: NodeJS.ProcessEnv = process.env): HandlerLocation {
  return {
    taskRoot: env.LOCAL_GATEWAY_CODE_DIR ?? '',
    handlerSpec: env.LOCAL_GATEWAY_HANDLER ?? 'index.handler',
    searchDirs: (env.LOCAL_GATEWAY_SEARCH_DIRS ?? '').split(path.delimiter).filter(Boolean),
  };
}

/** Loads `handlerSpec` (e.g. `index.handler`, `src/api.routes.chat`) from `taskRoot`. */
export async function loadHandler(taskRoot: string, handlerSpec: string, options: LoadOptions = {}): Promise<LoadedHandler> {
  if (handlerSpec.includes('..')) {
    throw new RuntimeLoadError('Runtime.MalformedHandlerName', `'${handlerSpec}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`);
  }
  const base = path.basename(handlerSpec);
  const moduleRoot = handlerSpec.slice(0, handlerSpec.length - base.length);
  const match = /^([^.]*)\.(.*)$/.exec(base);
  if (!match) throw new RuntimeLoadError('Runtime.MalformedHandlerName', `Bad handler '${handlerSpec}': expected 'file.export'`);
  const [, moduleName, exportPath] = match;
  addSearchDirs(options.searchDirs ?? []);

  let loaded: { exports: Record<string, unknown>; esm: boolean };
  try {
    const paths = [taskRoot, path.resolve(taskRoot, moduleRoot)];
    loaded = await requireLikeLambda(path.resolve(taskRoot, moduleRoot, moduleName), moduleName, paths);
  } catch (error) {
    throw describeLoadError(error, handlerSpec);
  }
  const handler = exportPath.split('.').reduce<any>((value, key) => value?.[key], loaded.exports);
  if (!handler) throw new RuntimeLoadError('Runtime.HandlerNotFound', `${handlerSpec} is undefined or not exported`);
  if (typeof handler !== 'function') throw new RuntimeLoadError('Runtime.HandlerNotFound', `${handlerSpec} is not a function`);
  const hwm = parseInt(handler[HIGH_WATER_MARK_MARK], 10);
  return {
    handler,
    streaming: handler[STREAMING_MARK] === 'response',
    highWaterMark: Number.isNaN(hwm) ? undefined : hwm,
    isAsync: handler.constructor?.name === 'AsyncFunction',
    esm: loaded.esm,
  };
}

type Loaded = { exports: Record<string, unknown>; esm: boolean };

async function requireLikeLambda(file: string, moduleName: string, paths: string[]): Promise<Loaded> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const load = (f: string) => require(f) as Record<string, unknown>;
  const cjs = (f: string) => (fs.existsSync(f) ? { exports: load(f), esm: false } : undefined);
  const esm = async (f: string) => (fs.existsSync(f) ? { exports: await dynamicImport(pathToFileURL(f).href), esm: true } : undefined);
  const extensionless = fs.existsSync(file) && fs.statSync(file).isFile() ? cjs(file) : undefined;
  if (extensionless) return extensionless;
  const typeModule = fs.existsSync(`${file}.js`) && isTypeModule(path.dirname(`${file}.js`));
  if (!typeModule) {
    const js = cjs(`${file}.js`);
    if (js) return js;
  }
  const loaded = (typeModule ? await esm(`${file}.js`) : undefined) ?? await esm(`${file}.mjs`) ?? cjs(`${file}.cjs`);
  if (loaded) return loaded;
  // As the runtime does: Node's resolution from the task root (a package name, a folder).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return { exports: load(require.resolve(moduleName, { paths })), esm: false };
}

/** The nearest package.json says `"type": "module"` (a node_modules folder ends the search). */
function isTypeModule(dir: string): boolean {
  for (let at = dir; ; at = path.dirname(at)) {
    if (at.endsWith(`${path.sep}node_modules`)) return false;
    const file = path.join(at, 'package.json');
    if (fs.existsSync(file)) {
      try {
        return JSON.parse(fs.readFileSync(file, 'utf8'))?.type === 'module';
      } catch {
        return false;
      }
    }
    if (path.dirname(at) === at) return false;
  }
}

function describeLoadError(error: unknown, handlerSpec: string): Error {
  if (error instanceof RuntimeLoadError) return error;
  const err = error as NodeJS.ErrnoException;
  if (err instanceof SyntaxError) return new RuntimeLoadError('Runtime.UserCodeSyntaxError', `${err.name}: ${err.message}`);
  if (err?.code === 'MODULE_NOT_FOUND' || err?.code === 'ERR_MODULE_NOT_FOUND') {
    const sdk = /(@aws-sdk\/[A-Za-z0-9._-]+|aws-sdk)/.exec(err.message)?.[1];
    const hint = sdk
      ? `. The Lambda Node.js runtime provides the AWS SDK for JavaScript v3; locally it comes from your app's installation: run 'npm install --save-dev ${sdk === 'aws-sdk' ? '@aws-sdk/client-…' : sdk}' in the app (the folder with cdk.json)${sdk === 'aws-sdk' ? ' (SDK v2 is not provided by Node.js 18+ runtimes)' : ''}`
      : '';
    return new RuntimeLoadError('Runtime.ImportModuleError', `Error: ${firstLine(err.message)}${hint} (handler ${handlerSpec})`);
  }
  // Anything else the module threw while loading fails the init phase.
  return new RuntimeLoadError('Runtime.ImportModuleError', err instanceof Error ? err.message : String(err));
}

function firstLine(text: string): string {
  return String(text).split('\n')[0];
}

const added = new Set<string>();

/**
 * Makes packages of `dirs` (each a folder holding `node_modules`) resolvable from the function's
 * code as the runtime's `/var/runtime/node_modules` is: `NODE_PATH` for CommonJS, a resolve hook
 * for ES modules, both tried only after the code's own `node_modules`.
 */
function addSearchDirs(dirs: readonly string[]): void {
  const fresh = dirs.map((d) => path.resolve(d)).filter((d) => !added.has(d) && fs.existsSync(path.join(d, 'node_modules')));
  if (fresh.length === 0) return;
  fresh.forEach((d) => added.add(d));
  const nodePath = [...(process.env.NODE_PATH ?? '').split(path.delimiter).filter(Boolean), ...fresh.map((d) => path.join(d, 'node_modules'))];
  process.env.NODE_PATH = nodePath.join(path.delimiter);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('module') as { _initPaths?: () => void })._initPaths?.();
  const parents = fresh.map((d) => pathToFileURL(path.join(d, 'package.json')).href);
  // A resolve hook on the loading thread (Node 22.15 and later, which the package requires).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { registerHooks } = require('module') as {
    registerHooks: (hooks: { resolve: (s: string, c: { parentURL?: string }, next: (s: string, c?: object) => unknown) => unknown }) => void;
  };
  registerHooks({
    resolve: (specifier, context, next) => {
      try {
        return next(specifier, context);
      } catch (error) {
        if ((error as NodeJS.ErrnoException)?.code !== 'ERR_MODULE_NOT_FOUND' || /^(\.|\/|file:|node:|data:)/.test(specifier)) throw error;
        for (const parentURL of parents) {
          try {
            return next(specifier, { ...context, parentURL });
          } catch { /* the next folder */ }
        }
        throw error;
      }
    },
  });
}
