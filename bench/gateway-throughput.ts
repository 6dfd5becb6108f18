/**
 * Throughput of 200 MB (unshaped) through the local gateway vs a raw node:http server writing the
 * same chunks, on this machine in the same run; RSS growth of the gateway's process meanwhile.
 * Targets: at least 0.9x the raw pipe with the Node client and 0.7x with curl (issue #11); RSS
 * growth below 64 MB.
 *
 * Two clients, each against both servers: a Node client inside the benchmark's process (the
 * target applies to it: the gateway's process and the raw server's process both also do the
 * client's reads), and curl in its own process, as a user runs it. With curl, the gateway path is
 * three processes (worker, gateway, curl) on this machine's two cores against the raw pipe's two,
 * so that ratio measures the extra process hop as much as the gateway.
 * Run: npx ts-node --transpile-only --project bench/tsconfig.json bench/gateway-throughput.ts
 */
import { execFile } from 'child_process';
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

type Client = 'curl' | 'node';
interface Run { seconds: number; bytes: number; peakRssGrowth: number }

function fetchAll(url: string, client: Client): Promise<number> {
  if (client === 'curl') {
    return new Promise((resolve, reject) => execFile('curl', ['-sS', '--no-buffer', '-o', '/dev/null', '-w', '%{size_download}', url], (error, stdout) => {
      if (error) reject(error);
      else resolve(Number(stdout));
    }));
  }
  let bytes = 0;
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolve(bytes));
      res.on('error', reject);
    }).on('error', reject);
  });
}

async function download(url: string, client: Client): Promise<Run> {
  const rss0 = process.memoryUsage().rss;
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss - rss0)), 50);
  const started = performance.now();
  const bytes = await fetchAll(url, client).catch((error: Error) => {
    error.stack = `${error.stack}\n(downloading ${url} with ${client})`;
    throw error;
  }).finally(() => clearInterval(sampler));
  return { seconds: (performance.now() - started) / 1000, bytes, peakRssGrowth: peak };
}

async function rawPipe(client: Client): Promise<Run> {
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
    return await download(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, client);
  } finally {
    server.close();
  }
}

const RUNS = 5;
const bySeconds = (runs: Run[]) => [...runs].sort((a, b) => a.seconds - b.seconds)[Math.floor(runs.length / 2)];
const mbps = (r: Run) => r.bytes / 1024 / 1024 / r.seconds;

/** Alternates raw and gateway runs with one client; returns the ratio of the medians. */
async function compare(url: string, client: Client): Promise<{ ratio: number; rssGrowth: number }> {
  const raws: Run[] = [];
  const gateways: Run[] = [];
  await download(`${url}/big`, client); // warm the worker
  for (let i = 0; i < RUNS; i++) {
    raws.push(await rawPipe(client));
    gateways.push(await download(`${url}/big`, client));
  }
  const raw = bySeconds(raws);
  const viaGateway = bySeconds(gateways);
  for (const r of [...raws, ...gateways]) if (r.bytes !== TOTAL) throw new Error(`a run received ${r.bytes} bytes, not ${TOTAL}`);
  console.log(`client ${client}: raw node:http ${mbps(raw).toFixed(0)} MB/s, local gateway ${mbps(viaGateway).toFixed(0)} MB/s (medians of ${RUNS} alternating runs of 200 MB)`);
  return { ratio: mbps(viaGateway) / mbps(raw), rssGrowth: Math.max(...gateways.map((g) => g.peakRssGrowth)) };
}

void (async () => {
  await withGateway([{ path: '/big', code: HANDLER }], JSON.parse(process.argv[2] ?? '{}'), async (url) => {
    const curl = await compare(url, 'curl');
    const node = await compare(url, 'node');
    console.log(`throughput ratio gateway/raw, Node client: ${node.ratio.toFixed(2)} (target >= 0.9) -> ${node.ratio >= 0.9 ? 'within target' : 'BELOW TARGET'}`);
    console.log(`throughput ratio gateway/raw, curl client (its own process): ${curl.ratio.toFixed(2)} (target >= 0.7) -> ${curl.ratio >= 0.7 ? 'within target' : 'BELOW TARGET'}`);
    const rss = Math.max(curl.rssGrowth, node.rssGrowth) / 1024 / 1024;
    console.log(`gateway process RSS growth while streaming: ${rss.toFixed(1)} MB (target < 64 MB) -> ${rss < 64 ? 'within target' : 'OVER TARGET'}`);
  });
})();
