/** Shared by the gateway benchmarks: a hand-built assembly served by an in-process gateway. */
import * as fs from 'fs';
import { LocalStreamingGateway } from '../local-gateway/gateway';
import { buildAssembly, TestRoute } from '../test/local-gateway/support/assembly';

/** Runs `run` against a gateway serving `routes`; if it fails, the error carries the gateway's diagnostics. */
export async function withGateway<T>(routes: TestRoute[], options: { forceBuffered?: boolean }, run: (url: string) => Promise<T>): Promise<T> {
  const dir = buildAssembly(routes);
  const logs: string[] = [];
  const log = (message: string) => logs.push(message);
  const gateway = LocalStreamingGateway.fromAssembly(dir, { port: 0, shaping: false, accessLog: () => undefined, log, ...options });
  try {
    return await run(await gateway.start());
  } catch (error) {
    if (error instanceof Error) error.stack = `${error.stack}\ngateway diagnostics:\n${logs.join('\n') || '(none)'}`;
    throw error;
  } finally {
    await gateway.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Epoch milliseconds with sub-millisecond precision, comparable across processes. */
export const nowMs = () => performance.timeOrigin + performance.now();
