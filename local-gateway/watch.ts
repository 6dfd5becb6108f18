/**
 * Following a developer's edits: `AssemblyWatcher` notices each new synthesis of `cdk.out` (its
 * `manifest.json` is written last) and hands the new routes over; `SourceWatcher` re-runs the
 * app's synth command from `cdk.json` when a source file changes, like `cdk watch` but local.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { FileWatcher } from './file-watcher';
import { SHELL_TZ } from './lambda/variables';

/** How often the manifest is looked at (polling survives cdk.out being deleted and re-created). */
const MANIFEST_POLL_MS = 250;
/** Changes closer together than this make one reload (or one synth). */
const SETTLE_MS = 200;

/** Calls `onSynthesis` after each new synthesis of the assembly in `dir`. */
export class AssemblyWatcher {
  private readonly manifest: string;
  private last: string;
  private timer?: ReturnType<typeof setTimeout>;
  private readonly listener: () => void;

  constructor(dir: string, private readonly onSynthesis: () => void) {
    this.manifest = path.join(dir, 'manifest.json');
    this.last = this.signature();
    this.listener = () => this.changed();
    fs.watchFile(this.manifest, { interval: MANIFEST_POLL_MS, persistent: false }, this.listener);
  }

  public close(): void {
    fs.unwatchFile(this.manifest, this.listener);
    if (this.timer) clearTimeout(this.timer);
  }

  private changed(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      const now = this.signature();
      if (now === '' || now === this.last) return;
      this.last = now;
      this.onSynthesis();
    }, SETTLE_MS);
  }

  /** The manifest's size, time and content (a re-synth of the same app may keep its size). */
  private signature(): string {
    try {
      const stat = fs.statSync(this.manifest);
      return `${stat.mtimeMs}:${stat.size}:${fs.readFileSync(this.manifest, 'utf8')}`;
    } catch {
      return '';
    }
  }
}

/** What `cdk.json` says about synthesizing and watching. */
export interface CdkAppConfig {
  readonly appDir: string;
  /** The app command (`cdk.json` `app`). */
  readonly app: string;
  /** Context to pass to the app (`cdk.json` `context` and `cdk.context.json`). */
  readonly context: Record<string, unknown>;
  /** `watch.include` globs (default: everything). */
  readonly include: string[];
  /** `watch.exclude` globs, plus what never counts as a source. */
  readonly exclude: string[];
}

/** The assembly folder `cdk.json` names (`"output"`), if it names one. */
export function cdkJsonOutput(appDir: string): string | undefined {
  try {
    const output = JSON.parse(fs.readFileSync(path.join(appDir, 'cdk.json'), 'utf8')).output;
    return typeof output === 'string' ? path.resolve(appDir, output) : undefined;
  } catch {
    return undefined;
  }
}

/** Reads `cdk.json` of the app in `appDir`. */
export function readCdkJson(appDir: string): CdkAppConfig {
  const file = path.join(appDir, 'cdk.json');
  if (!fs.existsSync(file)) throw new Error(`--watch needs the app's cdk.json: none in ${appDir} (run the gateway from your CDK app's folder)`);
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (typeof json.app !== 'string') throw new Error(`${file} has no "app" command to synthesize with`);
  const contextFile = path.join(appDir, 'cdk.context.json');
  const saved = fs.existsSync(contextFile) ? JSON.parse(fs.readFileSync(contextFile, 'utf8')) : {};
  const list = (value: unknown, fallback: string[]) => (Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : fallback);
  return {
    appDir,
    app: json.app,
    context: { ...saved, ...(json.context ?? {}) },
    include: list(json.watch?.include, ['**']),
    exclude: [...list(json.watch?.exclude, []), 'cdk.out/**', '**/cdk.out/**', 'node_modules/**', '**/node_modules/**', '.git/**', '**/.*', '**/*.d.ts'],
  };
}

/** A glob of `cdk.json` (`**`, `*`, `?`) as a regular expression on a relative path. */
export function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      out += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') {
      out += '[^/]*';
    } else if (c === '?') {
      out += '[^/]';
    } else {
      out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${out}(?:/.*)?$`);
}

/**
 * The paths that exclude globs name without a wildcard (`test`, `README.md`, `dist/**`): not
 * watched at all. Other globs are applied to each change (`SourceWatcher.matches`).
 */
export function literalPaths(globs: readonly string[]): string[] {
  return globs.map((glob) => glob.replace(/\/\*\*$/, '')).filter((glob) => glob !== '' && !/[*?[\]{}!]/.test(glob));
}

export interface SourceWatcherOptions {
  /** Where the app writes its assembly. Default `<appDir>/cdk.out`. */
  readonly outdir?: string;
  /**
   * Offered each settled set of changed sources (absolute paths) first: resolves true when it
   * took care of them (a hot reload), false to run the synth.
   */
  readonly handle?: (files: string[]) => Promise<boolean>;
  /** Receives the synth's output and progress lines. */
  readonly log?: (message: string) => void;
}

/**
 * Runs the app's synth command (with `CDK_OUTDIR` and the app's context, as the CDK CLI runs it)
 * when one of its source files changes; one synth at a time, one more after it if changes came
 * meanwhile.
 */
export class SourceWatcher {
  private watcher?: FileWatcher;
  private running?: Promise<boolean>;
  private child?: ChildProcess;
  private closed = false;
  private again = false;
  private readonly include: RegExp[];
  private readonly exclude: RegExp[];

  constructor(private readonly config: CdkAppConfig, private readonly options: SourceWatcherOptions = {}) {
    this.include = config.include.map(globToRegExp);
    this.exclude = config.exclude.map(globToRegExp);
  }

  /** Starts watching (see `FileWatcher`); resolves once edits are seen. */
  public start(): Promise<void> {
    const outdir = path.resolve(this.options.outdir ?? path.join(this.config.appDir, 'cdk.out'));
    this.watcher = new FileWatcher(this.config.appDir, (files) => {
      const sources = files.filter((file) => this.matches(file)).map((file) => path.join(this.config.appDir, file));
      if (sources.length > 0) void this.changed(sources);
    }, { ignorePaths: [outdir, ...literalPaths(this.config.exclude)], settleMs: SETTLE_MS });
    return this.watcher.ready;
  }

  public async close(): Promise<void> {
    // (a synth still running would write an assembly nobody serves, and outlive the gateway)
    this.closed = true;
    this.child?.kill();
    await this.watcher?.close();
  }

  /** True for a path (relative to the app) that counts as a source. */
  public matches(relative: string): boolean {
    return this.include.some((r) => r.test(relative)) && !this.exclude.some((r) => r.test(relative));
  }

  private async changed(files: string[]): Promise<void> {
    const handled = this.options.handle ? await this.options.handle(files).catch(() => false) : false;
    if (!handled && !this.closed) await this.synth();
  }

  /** Runs the synth now; resolves true when it succeeded. */
  public synth(): Promise<boolean> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const log = this.options.log ?? ((m: string) => process.stderr.write(`${m}\n`));
    const started = Date.now();
    log(`[watch] synthesizing: ${this.config.app}`);
    this.running = new Promise<boolean>((resolve) => {
      const child = this.child = spawn(this.config.app, {
        cwd: this.config.appDir,
        shell: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          TZ: SHELL_TZ, // the developer's, not the one the gateway's process runs its functions in
          CDK_OUTDIR: this.options.outdir ?? path.join(this.config.appDir, 'cdk.out'),
          CDK_CONTEXT_JSON: JSON.stringify(this.config.context),
        },
      });
      let output = '';
      const collect = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8000));
      child.stdout.on('data', collect);
      child.stderr.on('data', collect);
      child.once('error', (error) => {
        log(`[watch] synth failed to start: ${error.message}`);
        resolve(false);
      });
      child.once('close', (code) => {
        if (code === 0) log(`[watch] synthesized in ${Date.now() - started} ms`);
        else log(`[watch] synth failed (exit ${code}); still serving the last good synthesis:\n${output.trim()}`);
        resolve(code === 0);
      });
    }).finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        if (!this.closed) void this.synth();
      }
    });
    return this.running;
  }
}
