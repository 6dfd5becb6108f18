import { createHash } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import { buildAssembly } from './support/assembly';
import { LocalStreamingGateway } from '../../local-gateway/gateway';

// Many clients at once, and clients that leave early.

const PRODUCER = `
const { createHash } = require('crypto');
exports.handler = awslambda.streamifyResponse(async (event, s) => {
  const seed = Number(event.queryStringParameters.seed);
  const h = awslambda.HttpResponseStream.from(s, { headers: { 'content-type': 'application/octet-stream' } });
  const hash = createHash('sha256');
  for (let i = 0; i < 16; i++) {
    const chunk = Buffer.alloc(8192, (seed + i) % 251);
    hash.update(chunk);
    if (!h.write(chunk)) await new Promise((r) => h.once('drain', r));
    await new Promise((r) => setTimeout(r, 5));
  }
  h.write('\\n' + hash.digest('hex'));
  h.end();
});`;

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
