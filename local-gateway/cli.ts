/**
 * The `cdk-streaming-rest-api` command line: serve a synthesized API (or one handler file) on
 * localhost with API Gateway's response streaming, and list an assembly's routes.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import { readAssembly, Route } from './assembly';
import { followEdits, synthOnce } from './follow';
import { LocalStreamingGateway, LocalStreamingGatewayOptions } from './gateway';
import { cdkJsonOutput } from './watch';
import { MAX_STREAMING_TIMEOUT_MS } from '../wire/limits';

const USAGE = `Usage:
  cdk-streaming-rest-api serve [--app cdk.out] [options]
      Serve every REST API method of a synthesized cloud assembly.
  cdk-streaming-rest-api serve <handler.ts|handler.js> --route METHOD:/path [--route ...] [options]
      Serve one handler file (bundled with esbuild) on the given routes.
  cdk-streaming-rest-api routes [--app cdk.out] [--api NAME]
      List the methods of a cloud assembly and how they would be served.

A running 'serve --app' reloads routes and functions after each new synthesis (cdk synth).

Options:
  -h, --help             print this help
  --version              print the version
  --api NAME             serve only this REST API (its name or logical id); with several
                         APIs each is also served under /<api name>
  --watch                re-run the app's synth command (cdk.json "app") when its sources
                         change, like 'cdk watch' but local
  --no-reload            keep serving the assembly (or handler file) as it was at start
  --port N               port to listen on (default 3000; 0 for any free port)
  --host ADDR            address to listen on (default 127.0.0.1; another address prints a warning)
  --allow-host NAME      answer requests for Host NAME too (default: only the bound address and
                         loopback names; others get 403, against DNS rebinding) (repeatable)
  --backend FROM=TO      send HTTP_PROXY requests for URLs starting with FROM to TO instead
  --env KEY=VALUE        environment variable for every function (repeatable)
  --idle-timeout S       idle timeout of a stream in seconds (default: 30 edge, 300 otherwise)
  --no-shaping           do not throttle to 2 MB/s after the first 10 MB
  --no-aws-credentials   do not pass the shell's AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
                         AWS_SESSION_TOKEN to functions (they see no other shell variable anyway)
  --max-environments N   execution environments per function at most; more requests wait (default 10)
  --isolation MODE       'thread' (default: a worker thread per environment, a few MB) or 'process'
                         (a child process per environment, for handlers that need their own process)
  --idle-environment S   retire an execution environment idle this many seconds (default 300)
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
  'port': { type: 'string' },
  'host': { type: 'string' },
  'allow-host': { type: 'string', multiple: true },
  'backend': { type: 'string', multiple: true },
  'env': { type: 'string', multiple: true },
  'idle-timeout': { type: 'string' },
  'no-shaping': { type: 'boolean' },
  'no-aws-credentials': { type: 'boolean' },
  'max-environments': { type: 'string' },
  'isolation': { type: 'string' },
  'idle-environment': { type: 'string' },
  'buffered': { type: 'boolean' },
  'timeout': { type: 'string' },
  'route': { type: 'string', multiple: true },
  'help': { type: 'boolean', short: 'h' },
  'version': { type: 'boolean' },
} as const;

function parse(argv: string[]) {
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

class UsageError extends Error {}

function pairs(values: string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const value of values ?? []) {
    const at = value.indexOf('=');
    if (at <= 0) throw new UsageError(`--${flag} takes KEY=VALUE, got '${value}'`);
    out[value.slice(0, at)] = value.slice(at + 1);
  }
  return out;
}

function seconds(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${flag} takes a positive number of seconds, got '${value}'`);
  return n;
}

function isolation(value: string | undefined): 'thread' | 'process' | undefined {
  if (value !== undefined && value !== 'thread' && value !== 'process') throw new UsageError(`--isolation takes 'thread' or 'process', got '${value}'`);
  return value;
}

function count(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${flag} takes a whole number of at least 1, got '${value}'`);
  return n;
}

/** The routes of a handler file served on `--route METHOD:/path` specs. */
export function handlerFileRoutes(file: string, specs: string[], timeoutSeconds: number): Route[] {
  if (!fs.existsSync(file)) throw new UsageError(`no such handler file: ${file}`);
  if (specs.length === 0) throw new UsageError('serving a handler file needs at least one --route METHOD:/path');
  // Every --route is checked before bundling: a bad one fails at once, with nothing bundled.
  const routeSpecs = specs.map((spec) => {
    const match = /^([A-Za-z]+):(\/\S*)$/.exec(spec);
    if (!match) throw new UsageError(`--route takes METHOD:/path (e.g. POST:/chat), got '${spec}'`);
    return { httpMethod: match[1].toUpperCase(), path: match[2] };
  });
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-gateway-handler-'));
  loadEsbuild().buildSync(handlerBundle(file, outDir));
  return routeSpecs.map((spec) => {
    return {
      stack: 'local',
      apiId: 'local',
      apiName: 'local',
      endpointType: 'REGIONAL',
      stageName: 'local',
      path: spec.path,
      httpMethod: spec.httpMethod,
      integrationType: 'AWS_PROXY',
      transferMode: 'STREAM',
      timeoutMs: Math.min(timeoutSeconds * 1000, MAX_STREAMING_TIMEOUT_MS),
      lambdaUriKind: 'streaming',
      function: { logicalId: path.basename(file), assetDir: outDir, handler: 'index.handler', runtime: 'nodejs24.x', timeoutSeconds, memorySize: 512, environment: {} },
    };
  });
}

/** How a handler file is bundled (into `outDir/index.js`). */
function handlerBundle(file: string, outDir: string) {
  return {
    entryPoints: [path.resolve(file)],
    bundle: true,
    platform: 'node' as const,
    format: 'cjs' as const,
    target: 'node20',
    outfile: path.join(outDir, 'index.js'),
    logLevel: 'warning' as const,
    sourcemap: 'inline' as const,
  };
}

/**
 * Rebuilds the handler file (and what it imports) when it changes and restarts its functions, so
 * the edited handler is what the next request runs.
 */
async function followHandlerFile(gateway: LocalStreamingGateway, file: string, routes: Route[], io: CliIo): Promise<void> {
  let first = true;
  const context = await loadEsbuild().context({
    ...handlerBundle(file, routes[0].function!.assetDir!),
    plugins: [{
      name: 'local-gateway-reload',
      setup: (build) => build.onEnd((result) => {
        if (first) {
          first = false;
        } else if (result.errors.length === 0) {
          gateway.reload(routes);
          io.err(`[reload] ${file} rebuilt: functions restarted\n`);
        }
      }),
    }],
  });
  await context.watch();
  const stop = gateway.stop.bind(gateway);
  gateway.stop = async () => {
    await context.dispose();
    return stop();
  };
}

/**
 * esbuild, which bundles a handler file. It is optional: only `serve <handler file>` needs it, and
 * CDK apps that use NodejsFunction have it already.
 */
function loadEsbuild(): typeof import('esbuild') {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports, import/no-extraneous-dependencies
    return require('esbuild');
  } catch {
    throw new UsageError("serving a handler file needs esbuild: run 'npm install --save-dev esbuild'");
  }
}

/** Formats routes as a table. */
export function routesTable(routes: Route[]): string {
  const header = ['URL path (also at /)', 'Path', 'Method', 'Integration', 'Transfer mode', 'Timeout', 'Served locally'];
  const servedAs = (r: Route) => {
    if (r.unsupported) return `no: ${r.unsupported}`;
    if (r.webApp) return `web app ${r.function?.logicalId} (${r.webApp.startScript} on ${r.webApp.runtime})`;
    return r.integrationType === 'HTTP_PROXY' ? `proxy to ${r.url}` : `Lambda ${r.function?.logicalId} (${r.lambdaUriKind} URI)`;
  };
  const rows = routes.map((r) => [`${r.prefix ?? ''}/${r.stageName}${r.path === '/' ? '' : r.path}`, r.path, r.httpMethod, r.integrationType, r.transferMode, `${r.timeoutMs / 1000} s`, servedAs(r)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Runs the CLI; resolves with the started gateway for `serve`, or undefined. */
const STDIO: CliIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

export async function main(argv: string[], io: CliIo = STDIO): Promise<LocalStreamingGateway | undefined> {
  const { command, file, extra, values } = parse(argv);
  if (values.version) {
    io.out(`${packageVersion()}\n`);
    return undefined;
  }
  if (values.help || !command) {
    io.out(USAGE);
    return undefined;
  }
  if (!['serve', 'routes'].includes(command)) {
    io.err(USAGE);
    throw new UsageError(`unknown command '${command}'`);
  }
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  const assemblyDir = path.resolve(values.app ?? cdkJsonOutput(process.cwd()) ?? 'cdk.out');
  if (!file && values.watch && command === 'serve') await synthOnce(assemblyDir, { log: (m) => io.err(`${m}\n`) });
  const routes = file
    ? handlerFileRoutes(file, values.route ?? [], seconds(values.timeout, 'timeout') ?? 900)
    : readAssembly(assemblyDir, { api: values.api });
  if (command === 'routes') {
    io.out(`${routesTable(routes)}\n`);
    return undefined;
  }
  const idle = seconds(values['idle-timeout'], 'idle-timeout');
  const idleEnvironment = seconds(values['idle-environment'], 'idle-environment');
  const port = values.port === undefined ? 3000 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port takes 0..65535, got '${values.port}'`);
  const options: LocalStreamingGatewayOptions = {
    routes,
    port,
    host: values.host,
    allowedHosts: values['allow-host'],
    backends: pairs(values.backend, 'backend'),
    environment: pairs(values.env, 'env'),
    idleTimeoutMs: idle === undefined ? undefined : idle * 1000,
    shaping: !values['no-shaping'],
    awsCredentials: !values['no-aws-credentials'],
    maxEnvironments: count(values['max-environments'], 'max-environments'),
    isolation: isolation(values.isolation),
    idleEnvironmentMs: idleEnvironment === undefined ? undefined : idleEnvironment * 1000,
    forceBuffered: values.buffered,
  };
  const gateway = new LocalStreamingGateway(options);
  let url: string;
  try {
    url = await gateway.start();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new UsageError(`port ${port} is in use: pass another with --port N (or --port 0 for any free port)`);
    }
    throw error;
  }
  if (file && !values['no-reload']) await followHandlerFile(gateway, file, routes, io);
  if (!file && !values['no-reload']) {
    const following = followEdits(gateway, assemblyDir, { api: values.api, watch: values.watch, log: (m) => io.err(`${m}\n`) });
    const stop = gateway.stop.bind(gateway);
    gateway.stop = () => (following.close(), stop());
  }
  io.out(`${routesTable(routes)}\n\nLocal streaming gateway on ${url} (Ctrl-C to stop). Try: curl --no-buffer ${url}${routes.find((r) => !r.unsupported)?.path.replace(/\{[^}]+\}/g, 'x') ?? '/'}\n`);
  return gateway;
}

/** This package's version, from its package.json (beside the sources or the bundled CLI). */
function packageVersion(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
      if (pkg.name === 'cdk-streaming-rest-api') return pkg.version;
    }
    if (path.dirname(dir) === dir) return 'unknown';
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((gateway) => {
    if (!gateway) return;
    const stop = () => gateway.stop().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  }, (error: Error) => {
    process.stderr.write(`cdk-streaming-rest-api: ${error.message}\n`);
    process.exit(error instanceof UsageError ? 2 : 1);
  });
}
