/**
 * Keeps a running gateway on the latest synthesis: each new `cdk.out` (however it was made) is
 * read and replaces the routes and the functions' execution environments, so a changed handler is
 * never served stale and new routes answer at once. With `watch`, the app's synth command from
 * `cdk.json` runs whenever one of its sources changes.
 */
import * as path from 'path';
import { readAssembly, Route } from './assembly';
import { AssemblyWatcher, readCdkJson, SourceWatcher } from './watch';

/** What `followEdits` needs of the gateway. */
export interface Reloadable {
  reload(routes: Route[]): void;
}

export interface FollowOptions {
  /** Serve only this API (see `readAssembly`). */
  readonly api?: string;
  /** Also re-synthesize when the app's sources change (`serve --watch`). */
  readonly watch?: boolean;
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
  const assembly = new AssemblyWatcher(assemblyDir, () => {
    try {
      const routes = readAssembly(assemblyDir, { api: options.api });
      gateway.reload(routes);
      log(`[reload] new synthesis: ${routes.length} routes, functions restarted`);
    } catch (error) {
      log(`[reload] the new synthesis was not loaded (${(error as Error).message}); still serving the previous one`);
    }
  });
  let sources: SourceWatcher | undefined;
  let ready = Promise.resolve();
  if (options.watch) {
    const appDir = options.appDir ?? path.dirname(path.resolve(assemblyDir));
    sources = new SourceWatcher(readCdkJson(appDir), { outdir: path.resolve(assemblyDir), log });
    ready = sources.start().catch((error: Error) => log(`[watch] not watching the sources: ${error.message}`));
  }
  return {
    ready,
    close: async () => {
      assembly.close();
      await sources?.close();
    },
  };
}
