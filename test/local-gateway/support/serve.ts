/** Starts gateways on hand-built assemblies for a test file, and stops them after each test. */
import * as fs from 'fs';
import { buildAssembly, TestApiOptions, TestRoute } from './assembly';
import type { AccessLogEntry } from '../../../local-gateway/access-log';
import { LocalStreamingGateway } from '../../../local-gateway/gateway';
import type { LocalStreamingGatewayOptions } from '../../../local-gateway/options';

const started: LocalStreamingGateway[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((g) => g.stop()));
  dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
});

/** A started gateway serving `routes`, with its access log and diagnostics collected. */
export async function serve(routes: TestRoute[], options: Partial<LocalStreamingGatewayOptions> = {}, endpointType?: string, api?: TestApiOptions) {
  const dir = buildAssembly(routes, endpointType, api);
  dirs.push(dir);
  const logs: AccessLogEntry[] = [];
  const diagnostics: string[] = [];
  const gateway = LocalStreamingGateway.fromAssembly(dir, { port: 0, accessLog: (e) => logs.push(e), log: (m) => diagnostics.push(m), ...options });
  started.push(gateway);
  return { url: await gateway.start(), gateway, logs, diagnostics, dir };
}

/**
 * Resolves once `check()` holds, checking after every turn of the event loop; fails naming `what`
 * after `limitMs` (a bound for a broken gateway, not a timing the test relies on).
 */
export async function until(check: () => boolean, what: string, limitMs = 10_000): Promise<void> {
  const limit = Date.now() + limitMs;
  while (!check()) {
    if (Date.now() > limit) throw new Error(`still not true after ${limitMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * How many of the gateway's execution environments are idle (warm, and back in their pool after
 * their last invocation). An environment goes back to its pool when the relay lets go of its
 * output, which can be a moment after the client has read the whole response.
 */
export function idleEnvironments(gateway: LocalStreamingGateway): number {
  const pools = (gateway as unknown as { pools: Map<string, { idle: unknown[] }> }).pools;
  return [...pools.values()].reduce((sum, pool) => sum + pool.idle.length, 0);
}
