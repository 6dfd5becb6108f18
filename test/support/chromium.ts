import * as fs from 'fs';
import * as path from 'path';
import { pipeline } from 'stream/promises';
import * as zlib from 'zlib';
import { chromium, Browser } from 'playwright-core';

/**
 * The one place browser tests get a headless Chromium from, so `npm test` needs no root step:
 *
 * 1. `CHROMIUM_PATH`, when set (it must exist);
 * 2. a system Chromium (`/usr/bin/chromium`, Debian's package, and the usual other names);
 * 3. the Chromium that the dev dependency `@sparticuz/chromium` ships inside its npm tarball
 *    (`bin/chromium.br`, a brotli-compressed x86_64 Linux build with no shared-library needs
 *    beyond glibc), inflated once into `node_modules/.cache/` and reused.
 *
 * ```ts
 * import { launchChromium } from '../support/chromium';
 * const browser = await launchChromium();
 * ```
 */

const ROOT = path.join(__dirname, '..', '..');

/** Where a system Chromium is looked for, in order. */
export const SYSTEM_CHROMIUM_PATHS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
];

/**
 * Arguments for a headless Chromium on a machine with no network but loopback: no sandbox (CI
 * runs as root), no GPU, and none of the background connections that a closed network refuses.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--no-zygote',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Where the npm package's Chromium comes from and goes to. */
export interface PackagedChromium {
  /** The brotli-compressed binary in the package. */
  readonly compressed: string;
  /** Where it is inflated (versioned by the package version). */
  readonly executable: string;
}

/** The `@sparticuz/chromium` binary in node_modules, or undefined when that package is not installed. */
export function packagedChromium(root: string = ROOT): PackagedChromium | undefined {
  const pkgDir = path.join(root, 'node_modules', '@sparticuz', 'chromium');
  const compressed = path.join(pkgDir, 'bin', 'chromium.br');
  if (!fs.existsSync(compressed)) return undefined;
  const version = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).version as string;
  return { compressed, executable: path.join(root, 'node_modules', '.cache', 'cdk-streaming-rest-api', `chromium-${version}`, 'chromium') };
}

/**
 * Inflates the packaged Chromium unless an earlier run did. Safe when several Jest workers do it at
 * once: each writes a file of its own and renames it into place.
 */
export async function inflateChromium(packaged: PackagedChromium): Promise<string> {
  if (fs.existsSync(packaged.executable)) return packaged.executable;
  fs.mkdirSync(path.dirname(packaged.executable), { recursive: true });
  const partial = `${packaged.executable}.${process.pid}.partial`;
  try {
    await pipeline(fs.createReadStream(packaged.compressed), zlib.createBrotliDecompress(), fs.createWriteStream(partial, { mode: 0o755 }));
    fs.renameSync(partial, packaged.executable);
  } finally {
    fs.rmSync(partial, { force: true });
  }
  return packaged.executable;
}

/** How a Chromium was found: its path and where it came from. */
export interface FoundChromium {
  readonly executablePath: string;
  readonly source: 'CHROMIUM_PATH' | 'system' | '@sparticuz/chromium';
}

/** Finds a Chromium (see the module comment for the order), or throws saying what to install. */
export async function findChromium(options: { env?: NodeJS.ProcessEnv; systemPaths?: string[]; root?: string } = {}): Promise<FoundChromium> {
  const env = options.env ?? process.env;
  if (env.CHROMIUM_PATH) {
    if (!fs.existsSync(env.CHROMIUM_PATH)) throw new Error(`CHROMIUM_PATH is ${env.CHROMIUM_PATH}, which does not exist`);
    return { executablePath: env.CHROMIUM_PATH, source: 'CHROMIUM_PATH' };
  }
  const system = (options.systemPaths ?? SYSTEM_CHROMIUM_PATHS).find((p) => fs.existsSync(p));
  if (system) return { executablePath: system, source: 'system' };
  const packaged = packagedChromium(options.root);
  if (packaged && process.platform === 'linux' && process.arch === 'x64') {
    return { executablePath: await inflateChromium(packaged), source: '@sparticuz/chromium' };
  }
  throw new Error(
    'No Chromium for the browser tests: run `npm ci` (the dev dependency @sparticuz/chromium ships one for Linux x86_64), '
    + `install one at ${SYSTEM_CHROMIUM_PATHS[0]} (Debian: apt-get install chromium), or set CHROMIUM_PATH`,
  );
}

/** Launches headless Chromium with playwright-core and {@link CHROMIUM_ARGS}. */
export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  const found = await findChromium();
  return chromium.launch({ executablePath: found.executablePath, args: [...CHROMIUM_ARGS, ...extraArgs] });
}
