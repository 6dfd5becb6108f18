/**
 * Throughput of 200 MB (unshaped) through the local gateway vs a raw node:http server writing the
 * same chunks, on this machine in the same run; RSS growth of the gateway's process meanwhile.
 * Targets: at least 0.7x the raw pipe; RSS growth below 64 MB.
 * Run: npx ts-node --transpile-only --project bench/tsconfig.json bench/gateway-throughput.ts
 */
import * as http from 'http';
import type { AddressInfo } from 'net';
import { withGateway } from './gateway-support';

const TOTAL = 200 * 1024 * 1024;
const CHUNK = 64 * 1024;

const HANDLER = `exports.handler = awslambda.streamifyResponse(async (event, s) => {
  const h = awslambda.HttpResponseStream.from(s, { headers: { 'content-type': 'application/octet-stream' } });
  const chunk = Buffer.alloc(${CHUNK}, 120);
  for (let sent = 0; sent < ${TOTAL}; sent += chunk.length) {
    if (!h.write(chunk)) await new Promise((r) => h.once('drain', r));
  }
  h.end();
});`;

async function download(url: string): Promise<{ seconds: number; bytes: number; peakRssGrowth: number }> {
  const rss0 = process.memoryUsage().rss;
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss - rss0)), 50);
  const started = performance.now();
  let bytes = 0;
  await new Promise<void>((resolve, reject) => {
    http.get(url, (res) => {
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolve());
      res.on('error', reject);
    }).on('error', reject);
  });
  clearInterval(sampler);
  return { seconds: (performance.now() - started) / 1000, bytes, peakRssGrowth: peak };
}

async function rawPipe(): Promise<{ seconds: number; bytes: number }> {
  const chunk = Buffer.alloc(CHUNK, 120);
  const server = http.createServer(async (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    for (let sent = 0; sent < TOTAL; sent += chunk.length) {
      if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
    }
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    return await download(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  } finally {
    server.close();
  }
}

const RUNS = 5;

void (async () => {
  // Alternate raw and gateway runs; compare the medians.
  const raws: Array<{ seconds: number; bytes: number }> = [];
  const gateways: Array<{ seconds: number; bytes: number; peakRssGrowth: number }> = [];
  await withGateway([{ path: '/big', code: HANDLER }], {}, async (url) => {
    await download(`${url}/big`); // warm the worker
    for (let i = 0; i < RUNS; i++) {
      raws.push(await rawPipe());
      gateways.push(await download(`${url}/big`));
    }
  });
  const bySeconds = <T extends { seconds: number }>(runs: T[]) => [...runs].sort((a, b) => a.seconds - b.seconds)[Math.floor(runs.length / 2)];
  const raw = bySeconds(raws);
  const viaGateway = { ...bySeconds(gateways), peakRssGrowth: Math.max(...gateways.map((g) => g.peakRssGrowth)) };
  const mbps = (r: { seconds: number; bytes: number }) => r.bytes / 1024 / 1024 / r.seconds;
  console.log(`medians of ${RUNS} alternating runs:`);
  console.log(`raw node:http pipe: ${(raw.bytes / 1024 / 1024).toFixed(0)} MB in ${raw.seconds.toFixed(2)} s = ${mbps(raw).toFixed(0)} MB/s`);
  console.log(`local gateway:      ${(viaGateway.bytes / 1024 / 1024).toFixed(0)} MB in ${viaGateway.seconds.toFixed(2)} s = ${mbps(viaGateway).toFixed(0)} MB/s`);
  const ratio = mbps(viaGateway) / mbps(raw);
  console.log(`throughput ratio gateway/raw: ${ratio.toFixed(2)} (target >= 0.7) -> ${ratio >= 0.7 ? 'within target' : 'BELOW TARGET'}`);
  console.log(`gateway process RSS growth while streaming: ${(viaGateway.peakRssGrowth / 1024 / 1024).toFixed(1)} MB (target < 64 MB)`);
})();
