/**
 * `serve <handler file>`: one handler file, bundled with esbuild, served on the given routes, and
 * rebuilt on save.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Route } from './assembly';
import { atExit } from './at-exit';
import { handlerBundle, handlerFormat, loadEsbuild, needsEsm, replaceWholePlugin } from './bundle';
import { CliIo, UsageError } from './cli-args';
import type { LocalStreamingGateway } from './gateway';
import { MAX_STREAMING_TIMEOUT_MS } from '../wire/limits';

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
  atExit(() => fs.rmSync(outDir, { recursive: true, force: true }));
  loadEsbuild().buildSync(handlerBundle(file, outDir, handlerFormat(file)));
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

/**
 * Rebuilds the handler file (and what it imports) when it changes and restarts its functions, so
 * the edited handler is what the next request runs.
 */
export async function followHandlerFile(gateway: LocalStreamingGateway, file: string, routes: Route[], io: CliIo): Promise<void> {
  const format = handlerFormat(file);
  let first = true;
  let watching!: () => void;
  const firstBuild = new Promise<void>((resolve) => (watching = resolve));
  const context = await loadEsbuild().context({
    ...handlerBundle(file, routes[0].function!.assetDir!, format),
    write: false,
    plugins: [replaceWholePlugin((errors) => {
      if (errors.length === 0 && !first) {
        gateway.reload(routes);
        io.err(`[reload] ${file} rebuilt: functions restarted\n`);
      }
      if (format === 'cjs' && needsEsm(errors)) {
        io.err(`[reload] ${file} now has a top-level await, which makes it an ES module: restart serve to bundle it as one\n`);
      }
      if (first) {
        first = false;
        watching();
      }
    })],
  });
  await context.watch();
  // watch() returns before its first build: wait for it, so the first request finds the bundle whole.
  await firstBuild;
  const stop = gateway.stop.bind(gateway);
  gateway.stop = async () => {
    await context.dispose();
    return stop();
  };
}
