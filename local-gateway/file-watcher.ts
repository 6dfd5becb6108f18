/**
 * Watches a folder tree for `serve --watch` with `@parcel/watcher`, which watches folders, not
 * files: a file replaced by a rename (vim's and JetBrains' safe writes, `sed -i`, `mv`, `git
 * checkout`) is seen like any write, forever, and ignored folders (`node_modules`, `cdk.out`,
 * `.git`) hold no inotify watch at all. Node's recursive `fs.watch` missed every edit after the
 * first rename over a file and watched all of `node_modules` (43,830 watches for a small app).
 */
import * as path from 'path';

/** A subscription of `@parcel/watcher`. */
interface Subscription {
  unsubscribe(): Promise<void>;
}

type Events = (error: Error | null, events: Array<{ path: string; type: string }>) => void;

interface ParcelWatcher {
  subscribe(dir: string, fn: Events, options?: { ignore?: string[] }): Promise<Subscription>;
}

/**
 * Folders never watched, wherever they are in the tree. (Globs, not regular expressions: the
 * native matcher prunes a folder from its walk only for a glob or a path.)
 */
const NEVER_WATCHED = ['**/node_modules', '**/.git', '**/cdk.out'];

export interface FileWatcherOptions {
  /** Folders or files not watched, absolute or relative to the folder. */
  readonly ignorePaths?: readonly string[];
  /** Changes closer together than this are handed over together. Default 100 ms. */
  readonly settleMs?: number;
}

/** Calls `onChange` with the relative paths (`/`-separated) changed in `dir`, settled. */
export class FileWatcher {
  /** Resolves once the folder is watched (changes from then on are seen). */
  public readonly ready: Promise<void>;
  private subscription?: Subscription;
  private closed = false;
  private timer?: ReturnType<typeof setTimeout>;
  private pending = new Set<string>();

  constructor(dir: string, private readonly onChange: (files: string[]) => void, options: FileWatcherOptions = {}) {
    const ignore = [...NEVER_WATCHED, ...(options.ignorePaths ?? []).map((p) => path.resolve(dir, p))];
    this.ready = loadParcelWatcher().subscribe(dir, (error, events) => {
      if (error || this.closed) return;
      for (const event of events) this.pending.add(path.relative(dir, event.path).split(path.sep).join('/'));
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => this.flush(), options.settleMs ?? 100);
    }, { ignore }).then((subscription) => {
      this.subscription = subscription;
      if (this.closed) void subscription.unsubscribe();
    });
  }

  public async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.ready.catch(() => undefined);
    await this.subscription?.unsubscribe();
    this.subscription = undefined;
  }

  private flush(): void {
    const files = [...this.pending];
    this.pending.clear();
    if (files.length > 0 && !this.closed) this.onChange(files);
  }
}

/**
 * `@parcel/watcher`, a native addon: an optional dependency of this package (installed with it
 * where npm has a build for the platform), loaded only by `serve --watch`.
 */
function loadParcelWatcher(): ParcelWatcher {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports, import/no-extraneous-dependencies
    return require('@parcel/watcher');
  } catch (error) {
    throw new Error(`--watch needs @parcel/watcher, which was not found or has no build for this platform (${(error as Error).message.split('\n')[0]}): run 'npm install --save-dev @parcel/watcher'`);
  }
}
