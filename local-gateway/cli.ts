/**
 * The `cdk-streaming-rest-api` command line: serve a synthesized API (or one handler file) on
 * localhost with API Gateway's response streaming, and list an assembly's routes.
 */
import * as path from 'path';
import { readAssembly, Route } from './assembly';
import { describeProtection, unemulatedProtection } from './auth/protection';
import { shellCredentials } from './auth/sigv4';
import { CliIo, count, isolation, packageVersion, pairs, parse, seconds, UsageError, USAGE } from './cli-args';
import { followEdits, synthOnce } from './follow';
import { LocalStreamingGateway, LocalStreamingGatewayOptions } from './gateway';
import { followHandlerFile, handlerFileRoutes } from './handler-file';
import { functionsTz } from './lambda/variables';
import { startFakeBedrock } from './stand-ins/bedrock';
import { cdkJsonOutput } from './watch';
import { whenWrappersEnd } from './wrappers';

export type { CliIo } from './cli-args';
export { handlerFileRoutes } from './handler-file';

/** Formats routes as a table (`iam`: IAM methods are verified, the gateway holding AWS credentials). */
export function routesTable(routes: readonly Route[], iam = shellCredentials().length > 0): string {
  const header = ['URL path (also at /)', 'Path', 'Method', 'Protection and validation', 'Integration', 'Transfer mode', 'Timeout', 'Served locally'];
  const servedAs = (r: Route) => {
    if (r.unsupported) return `no: ${r.unsupported}`;
    const refused = unemulatedProtection(r, iam);
    if (refused) return `no: protected by ${describeProtection(r.protection)}, not emulated yet (--skip-auth serves it open)`;
    if (r.webApp) return `web app ${r.function?.logicalId} (${r.webApp.startScript} on ${r.webApp.runtime})`;
    if (r.mock) return `mock (${r.mock.responses.length} integration response${r.mock.responses.length === 1 ? '' : 's'})`;
    return r.integrationType === 'HTTP_PROXY' ? `proxy to ${r.url}` : `Lambda ${r.function?.logicalId} (${r.lambdaUriKind} URI)`;
  };
  const rows = routes.map((r) => [`${r.prefix ?? ''}/${r.stageName}${r.path === '/' ? '' : r.path}`, r.path, r.httpMethod, checksOf(r), r.integrationType, r.transferMode, `${r.timeoutMs / 1000} s`, servedAs(r)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** What stands before a route's integration, in words ('-' for nothing). */
function checksOf(r: Route): string {
  const v = r.validation;
  const validates = v && (v.unsupported ? `validation NOT emulated (${v.unsupported})`
    : [v.validateParameters && v.required.length > 0 && 'parameters', v.validateBody && Object.keys(v.models).length > 0 && `body (${Object.values(v.models).map((m) => m.name).join(', ')})`]
      .filter(Boolean).join(' and '));
  const guards = r.guardsNotEmulated && `not emulated: ${r.guardsNotEmulated.join(', ')}`;
  return [describeProtection(r.protection), validates && !v?.unsupported ? `validates ${validates}` : validates, guards].filter(Boolean).join('; ') || '-';
}

/** Runs the CLI; resolves with the started gateway for `serve`, or undefined. */
const STDIO: CliIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

/**
 * `ownProcess`: the command line runs in a process of its own, whose time zone becomes the
 * functions' `TZ` before any thread starts (handlers on threads run in the process's time zone).
 */
export async function main(argv: string[], io: CliIo = STDIO, ownProcess = false): Promise<LocalStreamingGateway | undefined> {
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
  const environment = pairs(values.env, 'env');
  if (values['bedrock-stand-in'] && environment.BEDROCK_ENDPOINT_URL !== undefined) {
    throw new UsageError('--bedrock-stand-in sets BEDROCK_ENDPOINT_URL: leave out --env BEDROCK_ENDPOINT_URL=..., or the stand-in');
  }
  const options: LocalStreamingGatewayOptions = {
    routes,
    port,
    host: values.host,
    allowedHosts: values['allow-host'],
    backends: pairs(values.backend, 'backend'),
    environment,
    idleTimeoutMs: idle === undefined ? undefined : idle * 1000,
    shaping: !values['no-shaping'],
    awsCredentials: !values['no-aws-credentials'],
    maxEnvironments: count(values['max-environments'], 'max-environments'),
    isolation: isolation(values.isolation),
    idleEnvironmentMs: idleEnvironment === undefined ? undefined : idleEnvironment * 1000,
    forceBuffered: values.buffered,
    // Through `io` (the command line's stderr), as everything the command line prints.
    log: (m) => io.err(`[local-gateway] ${m}\n`),
    accessLog: (entry) => io.err(`${JSON.stringify(entry)}\n`),
    skipAuth: values['skip-auth'],
    apiKeys: pairs(values['api-key'], 'api-key'),
  };
  if (ownProcess) process.env.TZ = functionsTz(options.environment);
  const bedrock = values['bedrock-stand-in'] ? await startFakeBedrock() : undefined;
  if (bedrock) environment.BEDROCK_ENDPOINT_URL = bedrock.url;
  const gateway = new LocalStreamingGateway(options);
  if (bedrock) {
    const stop = gateway.stop.bind(gateway);
    gateway.stop = async () => {
      await stop();
      await bedrock.close();
    };
  }
  let url: string;
  try {
    url = await gateway.start();
  } catch (error) {
    await bedrock?.close();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new UsageError(`port ${port} is in use: pass another with --port N (or --port 0 for any free port)`);
    }
    throw error;
  }
  if (file && !values['no-reload']) await followHandlerFile(gateway, file, routes, io);
  if (!file && !values['no-reload']) {
    const following = followEdits(gateway, assemblyDir, {
      api: values.api,
      watch: values.watch,
      hotReload: !values['no-hot-reload'],
      typeCheck: !values['no-type-check'],
      log: (m) => io.err(`${m}\n`),
    });
    const stop = gateway.stop.bind(gateway);
    gateway.stop = async () => {
      await following.close();
      return stop();
    };
    await following.ready;
  }
  if (bedrock) io.out(`Bedrock stand-in on ${bedrock.url} (BEDROCK_ENDPOINT_URL of every function)\n`);
  io.out(`${routesTable(routes)}\n\nLocal streaming gateway on ${url} (Ctrl-C to stop). Try: curl --no-buffer ${url}${routes.find((r) => !r.unsupported)?.path.replace(/\{[^}]+\}/g, 'x') ?? '/'}\n`);
  return gateway;
}

if (require.main === module) {
  main(process.argv.slice(2), STDIO, true).then((gateway) => {
    if (!gateway) return;
    const stop = () => gateway.stop().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    process.once('SIGHUP', stop); // the terminal that ran it was closed
    // npx/npm killed without passing the signal on: no gateway is left holding the port
    whenWrappersEnd((pid) => {
      process.stderr.write(`cdk-streaming-rest-api: the process that started the gateway (${pid}) has ended: stopping\n`);
      void stop();
    });
  }, (error: Error) => {
    process.stderr.write(`cdk-streaming-rest-api: ${error.message}\n`);
    process.exit(error instanceof UsageError ? 2 : 1);
  });
}
