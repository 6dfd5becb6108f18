/**
 * Type errors for hot reloads: esbuild strips types without checking them, so after a rebuild of
 * TypeScript handler code the project's own `tsc --noEmit` runs in the background and its
 * errors are printed. The serve goes on (the new code is already served), as `cdk watch` would
 * not: type errors are reported, not enforced.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { RebuildSpec } from '../src/private/rebuild-spec';

/** Most lines of tsc's output printed for one check. */
const MAX_LINES = 40;

export class TypeChecker {
  private readonly running = new Map<string, ChildProcess>();
  private readonly again = new Set<string>();
  private closed = false;

  constructor(private readonly log: (message: string) => void) {}

  /** Checks the project of a function's handler (its tsconfig), unless it is JavaScript. */
  public check(id: string, spec: RebuildSpec): void {
    if (this.closed || !/\.[cm]?tsx?$/.test(spec.entry)) return;
    const tsconfig = spec.tsconfig ?? nearest(path.dirname(spec.entry), 'tsconfig.json', spec.projectRoot);
    if (!tsconfig) return;
    if (this.running.has(tsconfig)) {
      this.again.add(tsconfig);
      return;
    }
    let tsc: string;
    try {
      tsc = require.resolve('typescript/bin/tsc', { paths: [spec.projectRoot, path.dirname(tsconfig)] });
    } catch {
      return; // no TypeScript in the project: nothing to check with
    }
    const child = spawn(process.execPath, [tsc, '--noEmit', '--pretty', 'false', '-p', tsconfig], { cwd: path.dirname(tsconfig), stdio: ['ignore', 'pipe', 'pipe'] });
    this.running.set(tsconfig, child);
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', () => this.running.delete(tsconfig));
    child.once('close', (code) => {
      this.running.delete(tsconfig);
      if (this.closed || code === null) return;
      const name = path.relative(process.cwd(), tsconfig);
      if (code === 0) {
        this.log(`[types] ${id}: no type errors (${name})`);
      } else {
        const lines = output.trim().split('\n');
        const shown = lines.slice(0, MAX_LINES).join('\n') + (lines.length > MAX_LINES ? `\n... ${lines.length - MAX_LINES} more lines` : '');
        this.log(`[types] ${id}: type errors (${name}); the new code is served all the same:\n${shown}`);
      }
      if (this.again.delete(tsconfig)) this.check(id, spec);
    });
  }

  public close(): void {
    this.closed = true;
    for (const child of this.running.values()) child.kill();
    this.running.clear();
  }
}

/** The nearest `name` from `dir` up to `root` (or the file system's root when `dir` is outside it). */
function nearest(dir: string, name: string, root: string): string | undefined {
  for (let at = dir; ; at = path.dirname(at)) {
    const file = path.join(at, name);
    if (fs.existsSync(file)) return file;
    if (at === root || path.dirname(at) === at) return undefined;
  }
}
