/**
 * Keeps a running gateway on the latest synthesis: each new `cdk.out` (however it was made) is
 * read and replaces the routes and the functions' execution environments, so a changed handler is
 * never served stale and new routes answer at once. With `watch`, the app's synth command from
 * `cdk.json` runs whenever one of its sources changes.
 */
import * as path from 'path';
import { readAssembly, Route } from './assembly';
import { HotReloader } from './hot-reload';
import { AssemblyWatcher, readCdkJson, SourceWatcher } from './watch';

/** What `followEdits` needs of the gateway. */
export interface Reloadable {
  readonly routes: readonly Route[];
  reload(routes: Route[]): void;
}

export interface FollowOptions {
  /** Serve only this API (see `readAssembly`). */
  readonly api?: string;
  /** Also re-synthesize when the app's sources change (`serve --watch`). */
  readonly watch?: boolean;
  /**
   * With `watch`: rebuild the handler code of StreamingFunctions without a synth (see
   * `HotReloader`). Default true.
   */
  readonly hotReload?: boolean;
  /** With hot reloads: run `tsc --noEmit` on rebuilt TypeScript in the background. Default true. */
  readonly typeCheck?: boolean;
  /** The app's folder (with `cdk.json`). Default: the assembly's parent folder. */
  readonly appDir?: string;
  readonly log?: (message: string) => void;
}

export interface Following {
  /** Resolves once the sources are watched (`watch`), at once otherwise. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

/** Runs the app's synth once (before serving with `--watch`); throws when it fails. */
export async function synthOnce(assemblyDir: string, options: FollowOptions = {}): Promise<void> {
  const appDir = options.appDir ?? path.dirname(path.resolve(assemblyDir));
  const ok = await new SourceWatcher(readCdkJson(appDir), { outdir: path.resolve(assemblyDir), log: options.log }).synth();
  if (!ok) throw new Error(`the app in ${appDir} failed to synthesize (its output is above)`);
}

export function followEdits(gateway: Reloadable, assemblyDir: string, options: FollowOptions = {}): Following {
  const log = options.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const appDir = options.appDir ?? path.dirname(path.resolve(assemblyDir));
  const config = options.watch ? readCdkJson(appDir) : undefined;
  const hot = config && options.hotReload !== false
    ? new HotReloader(gateway, { assemblyDir: path.resolve(assemblyDir), appDir, appCommand: config.app, typeCheck: options.typeCheck, log })
    : undefined;
  const serve = (routes: Route[], message: string) => {
    gateway.reload(routes);
    log(message);
  };
  const assembly = new AssemblyWatcher(assemblyDir, () => {
    let routes: Route[];
    try {
      routes = readAssembly(assemblyDir, { api: options.api });
    } catch (error) {
      log(`[reload] the new synthesis was not loaded (${(error as Error).message}); still serving the previous one`);
      return;
    }
    const message = `[reload] new synthesis: ${routes.length} routes, functions restarted`;
    if (!hot) return serve(routes, message);
    // (functions edited since are rebuilt from the sources as they are now)
    hot.adopt(routes).then((adopted) => serve(adopted, message), () => serve(routes, message));
  });
  let sources: SourceWatcher | undefined;
  let ready = Promise.resolve();
  if (config) {
    sources = new SourceWatcher(config, { outdir: path.resolve(assemblyDir), log, handle: hot && ((files) => hot.handle(files)) });
    const adopted = hot ? hot.adopt(gateway.routes).then(() => undefined, (error: Error) => log(`[watch] hot reloads are off: ${error.message}`)) : undefined;
    ready = Promise.all([sources.start(), adopted]).then(() => undefined, (error: Error) => log(`[watch] not watching the sources: ${error.message}`));
  }
  return {
    ready,
    close: async () => {
      assembly.close();
      await sources?.close();
      await hot?.close();
    },
  };
}
