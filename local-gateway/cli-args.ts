/**
 * The command line's words: its usage text, its flags for `util.parseArgs` (unknown flags are
 * errors that name the flag) and the checks of their values.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';

export const USAGE = `Usage:
  cdk-streaming-rest-api serve [--app cdk.out] [options]
      Serve every REST API method of a synthesized cloud assembly.
  cdk-streaming-rest-api serve <handler.ts|.js|.mjs> --route METHOD:/path [--route ...] [options]
      Serve one handler file (bundled with esbuild, as an ES module when it is one: .mjs/.mts,
      a "type": "module" package or a top-level await) on the given routes.
  cdk-streaming-rest-api routes [--app cdk.out] [--api NAME]
      List the methods of a cloud assembly and how they would be served.

A running 'serve --app' reloads routes and functions after each new synthesis (cdk synth).

Options:
  -h, --help             print this help
  --version              print the version
  --api NAME             serve only this REST API (its name or logical id); with several
                         APIs each is also served under /<api name>
  --watch                re-run the app's synth command (cdk.json "app") when its sources
                         change, like 'cdk watch' but local; an edit to the handler code of a
                         StreamingFunction is rebuilt with esbuild and served without a synth
  --no-hot-reload        with --watch, run the synth for every edit (no rebuilds without it)
  --no-type-check        with --watch, skip the background 'tsc --noEmit' after a hot reload
  --no-reload            keep serving the assembly (or handler file) as it was at start
  --port N               port to listen on (default 3000; 0 for any free port)
  --host ADDR            address to listen on (default 127.0.0.1; another address prints a warning)
  --allow-host NAME      answer requests for Host NAME too (default: only the bound address and
                         loopback names; others get 403, against DNS rebinding) (repeatable)
  --backend FROM=TO      send HTTP_PROXY requests for URLs starting with FROM to TO instead
  --env KEY=VALUE        environment variable for every function (repeatable)
  --bedrock-stand-in     start a local stand-in for Amazon Bedrock's ConverseStream (it streams
                         back the last user message word by word) and point the functions at it
                         (BEDROCK_ENDPOINT_URL), e.g. to try StreamingBedrockChat without AWS
  --idle-timeout S       idle timeout of a stream in seconds (default: 30 edge, 300 otherwise)
  --no-shaping           do not throttle to 2 MB/s after the first 10 MB
  --no-aws-credentials   do not pass the shell's AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
                         AWS_SESSION_TOKEN to functions (they see no other shell variable anyway),
                         nor verify IAM (SigV4) methods' signatures with them (they are then refused)
  --max-environments N   execution environments per function at most; more requests wait
                         (default 100 in threads, 10 in processes)
  --isolation MODE       'thread' (a worker thread per execution environment) or 'process' (a
                         child process each, for handlers that need their own process), for every
                         function (default: threads, and processes for a function whose
                         NODE_OPTIONS needs one, such as --inspect)
  --idle-environment S   retire an execution environment idle this many seconds (default 300)
  --api-key NAME=VALUE   the value of an API key the template leaves to API Gateway to generate
                         (by key name or logical id; default: one generated and printed at
                         start) (repeatable)
  --skip-auth            serve protected methods OPEN, without their authorizers and API keys
                         (default: emulated ones are enforced, others refused with a 501)
  --buffered             serve every route buffered, to compare with streaming
  --timeout S            with a handler file: the function timeout (default 900)
`;

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

/** The flags, for `util.parseArgs`: unknown flags are errors that name the flag. */
const OPTIONS = {
  'app': { type: 'string' },
  'api': { type: 'string' },
  'watch': { type: 'boolean' },
  'no-reload': { type: 'boolean' },
  'no-hot-reload': { type: 'boolean' },
  'no-type-check': { type: 'boolean' },
  'port': { type: 'string' },
  'host': { type: 'string' },
  'allow-host': { type: 'string', multiple: true },
  'backend': { type: 'string', multiple: true },
  'env': { type: 'string', multiple: true },
  'bedrock-stand-in': { type: 'boolean' },
  'idle-timeout': { type: 'string' },
  'no-shaping': { type: 'boolean' },
  'no-aws-credentials': { type: 'boolean' },
  'max-environments': { type: 'string' },
  'isolation': { type: 'string' },
  'idle-environment': { type: 'string' },
  'skip-auth': { type: 'boolean' },
  'api-key': { type: 'string', multiple: true },
  'buffered': { type: 'boolean' },
  'timeout': { type: 'string' },
  'route': { type: 'string', multiple: true },
  'help': { type: 'boolean', short: 'h' },
  'version': { type: 'boolean' },
} as const;

export function parse(argv: string[]) {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    return { command: positionals[0], file: positionals[1], extra: positionals.slice(2), values };
  } catch (error) {
    const message = (error as Error).message;
    const missing = /^Option '(--[\w-]+)[^']*' argument missing/.exec(message);
    if (missing) throw new UsageError(`${missing[1]} needs a value`);
    const unknown = /^Unknown option '([^']+)'/.exec(message);
    if (unknown) throw new UsageError(`unknown option '${unknown[1]}' (see --help)`);
    throw new UsageError(message);
  }
}

/** A mistake in the command line: exit code 2. */
export class UsageError extends Error {}

export function pairs(values: string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const value of values ?? []) {
    const at = value.indexOf('=');
    if (at <= 0) throw new UsageError(`--${flag} takes KEY=VALUE, got '${value}'`);
    out[value.slice(0, at)] = value.slice(at + 1);
  }
  return out;
}

export function seconds(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${flag} takes a positive number of seconds, got '${value}'`);
  return n;
}

export function isolation(value: string | undefined): 'thread' | 'process' | undefined {
  if (value !== undefined && value !== 'thread' && value !== 'process') throw new UsageError(`--isolation takes 'thread' or 'process', got '${value}'`);
  return value;
}

export function count(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${flag} takes a whole number of at least 1, got '${value}'`);
  return n;
}

/** This package's version, from its package.json (beside the sources or the bundled CLI). */
export function packageVersion(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
      if (pkg.name === 'cdk-streaming-rest-api') return pkg.version;
    }
    if (path.dirname(dir) === dir) return 'unknown';
  }
}
