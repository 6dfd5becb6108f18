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
