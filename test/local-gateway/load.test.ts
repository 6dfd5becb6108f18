import { createHash } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import { buildAssembly } from './support/assembly';
import { LocalStreamingGateway } from '../../local-gateway/gateway';

// Many clients at once, and clients that leave early: every stream that completes is checksummed.

/**
 * A handler that streams `chunks` chunks of `chunkBytes` (their bytes depend on the request's
 * seed), `delayMs` apart, then a newline and the SHA-256 of what it sent.
 */
function checksummedProducer(chunks: number, chunkBytes: number, delayMs: number): string {
  return `
const { createHash } = require('crypto');
exports.handler = awslambda.streamifyResponse(async (event, s) => {
  const seed = Number(event.queryStringParameters.seed);
  const h = awslambda.HttpResponseStream.from(s, { headers: { 'content-type': 'application/octet-stream' } });
  const hash = createHash('sha256');
  for (let i = 0; i < ${chunks}; i++) {
    const chunk = Buffer.alloc(${chunkBytes}, (seed + i) % 251);
    hash.update(chunk);
    if (!h.write(chunk)) await new Promise((r) => h.once('drain', r));
    if (${delayMs} > 0) await new Promise((r) => setTimeout(r, ${delayMs}));
  }
  h.write('\\n' + hash.digest('hex'));
  h.end();
});`;
}

const PRODUCER = checksummedProducer(16, 8192, 5);

const SLOW = `exports.handler = awslambda.streamifyResponse(async (event, s) => {
  const h = awslambda.HttpResponseStream.from(s, {});
  for (let i = 0; i < 1000; i++) { h.write('tick ' + i + '\\n'); await new Promise((r) => setTimeout(r, 20)); }
  h.end();
});`;

let gateway: LocalStreamingGateway;
let url: string;
let dir: string;

beforeAll(async () => {
  dir = buildAssembly([{ path: '/produce', code: PRODUCER }, { path: '/slow', code: SLOW }]);
  gateway = LocalStreamingGateway.fromAssembly(dir, { port: 0, accessLog: () => undefined, log: () => undefined });
  url = await gateway.start();
});

afterAll(async () => {
  await gateway.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('200 simultaneous streams arrive whole: every checksum matches, zero bytes lost', async () => {
  // GIVEN
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const one = (seed: number) => new Promise<{ ok: boolean; bytes: number }>((resolve, reject) => {
    http.get(`${url}/produce?seed=${seed}`, { agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const at = body.lastIndexOf('\n');
        const payload = body.subarray(0, at);
        const claimed = body.subarray(at + 1).toString();
        resolve({ ok: createHash('sha256').update(payload).digest('hex') === claimed, bytes: payload.length });
      });
      res.on('error', reject);
    }).on('error', reject);
  });
  // WHEN
  const results = await Promise.all(Array.from({ length: 200 }, (_, seed) => one(seed)));
  agent.destroy();
  // THEN
  expect(results.filter((r) => !r.ok)).toHaveLength(0);
  expect(results.reduce((sum, r) => sum + r.bytes, 0)).toBe(200 * 16 * 8192);
}, 120_000);

test('a client that disconnects stops the handler: its worker is killed, no process leaks', async () => {
  // GIVEN: a few warm workers, then streams that are abandoned midway
  const before = gateway.workerCount;
  const abandon = async () => {
    const controller = new AbortController();
    const response = await fetch(`${url}/slow`, { signal: controller.signal });
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
  };
  // WHEN
  await Promise.all(Array.from({ length: 5 }, () => abandon().catch(() => undefined)));
  await new Promise((r) => setTimeout(r, 300));
  // THEN: the /slow workers were discarded; only the warm /produce workers remain
  expect(gateway.workerCount).toBe(before);
  // and the gateway still serves
  const again = await fetch(`${url}/produce?seed=1`);
  expect(again.status).toBe(200);
  await again.arrayBuffer();
});

describe('300 concurrent streams of 1 MB, cold and warm', () => {
  const MB_PRODUCER = checksummedProducer(16, 64 * 1024, 0);
  const CAP = 6;

  test('zero bytes lost; workers stay within the cap and gateway memory bounded; none left after the idle time', async () => {
    // GIVEN: a gateway of its own, with a small cap and a short idle time
    const own = buildAssembly([{ path: '/mb', code: MB_PRODUCER }]);
    const quiet = { accessLog: () => undefined, log: () => undefined };
    const gw = LocalStreamingGateway.fromAssembly(own, { port: 0, maxEnvironments: CAP, idleEnvironmentMs: 1500, ...quiet });
    const base = await gw.start();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 300 });
    let mostWorkers = 0;
    let mostRss = 0;
    const rssBefore = process.memoryUsage().rss;
    const watch = setInterval(() => {
      mostWorkers = Math.max(mostWorkers, gw.workerCount);
      mostRss = Math.max(mostRss, process.memoryUsage().rss);
    }, 10);
    const one = (seed: number) => new Promise<{ ok: boolean; bytes: number }>((resolve, reject) => {
      http.get(`${base}/mb?seed=${seed}`, { agent }, (res) => {
        const hash = createHash('sha256');
        let tail = Buffer.alloc(0);
        let bytes = 0;
        // The last 65 bytes are '\n' + the handler's hex digest; everything before is payload.
        res.on('data', (c: Buffer) => {
          const joined = Buffer.concat([tail, c]);
          const keep = Math.min(65, joined.length);
          hash.update(joined.subarray(0, joined.length - keep));
          bytes += joined.length - keep;
          tail = joined.subarray(joined.length - keep);
        });
        res.on('end', () => resolve({ ok: res.statusCode === 200 && hash.digest('hex') === tail.subarray(1).toString(), bytes }));
        res.on('error', reject);
      }).on('error', reject);
    });
    try {
      for (const round of ['cold', 'warm']) {
        // WHEN
        const results = await Promise.all(Array.from({ length: 300 }, (_, seed) => one(seed)));
        // THEN
        expect([round, results.filter((r) => !r.ok).length]).toEqual([round, 0]);
        expect(results.reduce((sum, r) => sum + r.bytes, 0)).toBe(300 * 16 * 64 * 1024);
      }
      clearInterval(watch);
      expect(mostWorkers).toBeLessThanOrEqual(CAP);
      expect(mostRss - rssBefore).toBeLessThan(400 * 1024 * 1024);
      await new Promise((r) => setTimeout(r, 2500));
      expect(gw.workerCount).toBe(0);
    } finally {
      clearInterval(watch);
      agent.destroy();
      await gw.stop();
      fs.rmSync(own, { recursive: true, force: true });
    }
  }, 120_000);
});
