/**
 * The server side of bench/gateway-concurrency.ts, in a process of its own so its CPU and memory
 * (with its function environments) can be measured apart from the clients: `bare` is a node:http
 * server doing the route's work inline; `gateway` serves the same work as a streaming Lambda
 * handler through the local gateway. Prints its URL, then serves until killed.
 */
import * as http from 'http';
import type { AddressInfo } from 'net';
import { LocalStreamingGateway } from '../local-gateway/gateway';
import { buildAssembly } from '../test/local-gateway/support/assembly';

/** The route's work: 100 chunks of 1 KB, 10 ms apart. */
export const CHUNKS = 100;
export const CHUNK_BYTES = 1024;
export const GAP_MS = 10;

const HANDLER = `exports.handler = awslambda.streamifyResponse(async (event, s) => {
  const h = awslambda.HttpResponseStream.from(s, { headers: { 'content-type': 'application/octet-stream' } });
  const chunk = Buffer.alloc(${CHUNK_BYTES}, 97);
  for (let i = 0; i < ${CHUNKS}; i++) {
    h.write(chunk);
    await new Promise((r) => setTimeout(r, ${GAP_MS}));
  }
  h.end();
});`;

async function main(kind: string, options: Record<string, unknown>): Promise<string> {
  if (kind === 'bare') {
    const chunk = Buffer.alloc(CHUNK_BYTES, 97);
    const server = http.createServer(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      for (let i = 0; i < CHUNKS; i++) {
        res.write(chunk);
        await new Promise((r) => setTimeout(r, GAP_MS));
      }
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  }
  // `/prewarm`: another function, with the same handler (PREWARM_ROUNDS in gateway-concurrency.ts)
  // As `StreamingFunction` defines a function: 512 MB, source maps on (its NODE_OPTIONS).
  const fn = { code: HANDLER, memorySize: 512, environment: { NODE_OPTIONS: '--enable-source-maps' } };
  const dir = buildAssembly([{ path: '/s', ...fn }, { path: '/prewarm', ...fn }]);
  const gateway = LocalStreamingGateway.fromAssembly(dir, { port: 0, shaping: false, accessLog: () => undefined, log: () => undefined, ...options });
  return `${await gateway.start()}/s`;
}

if (require.main === module) {
  process.once('SIGTERM', () => process.exit(0));
  void main(process.argv[2], JSON.parse(process.argv[3] ?? '{}')).then((url) => process.stdout.write(`${url}\n`));
}
