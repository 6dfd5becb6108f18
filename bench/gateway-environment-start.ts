/**
 * What one execution environment costs to start, in a thread (the default) and in a process: the
 * first one of a function, requested as soon as the gateway listens, the median of the next ones,
 * each started alone while the earlier ones are held busy (the gateway logs each cold start's
 * time), and the memory each adds (RSS growth over ENVIRONMENTS environments, divided by their
 * number: the gateway's process, and the environments' processes). Also: what a worker thread
 * alone takes to start here, and the RSS the started gateway holds before its first request.
 * Run: npx ts-node --transpile-only --project bench/tsconfig.json bench/gateway-environment-start.ts
 */
import * as fs from 'fs';
import { Worker } from 'worker_threads';
import { median } from './gateway-support';
import { LocalStreamingGateway } from '../local-gateway/gateway';
import type { Isolation } from '../local-gateway/lambda/isolation';
import { buildAssembly } from '../test/local-gateway/support/assembly';

const ENVIRONMENTS = 30;
/** A small streaming handler that holds its environment until every environment has started. */
const HANDLER = `exports.handler = awslambda.streamifyResponse(async (event, s) => {
  const h = awslambda.HttpResponseStream.from(s, { headers: { 'content-type': 'text/plain' } });
  h.write('hello ');
  await new Promise((r) => setTimeout(r, Number(event.queryStringParameters.hold)));
  h.end('world');
});`;

/** This process's RSS and its children's (environments in processes), in MB (Linux: /proc). */
function rssMb(): number {
  let total = process.memoryUsage().rss;
  for (const task of fs.readdirSync('/proc/self/task')) {
    for (const child of fs.readFileSync(`/proc/self/task/${task}/children`, 'utf8').split(' ').filter(Boolean)) {
      try {
        total += Number(fs.readFileSync(`/proc/${child}/statm`, 'utf8').split(' ')[1]) * 4096;
      } catch { /* gone */ }
    }
  }
  return total / 1024 / 1024;
}
const settle = () => new Promise((r) => setTimeout(r, 300));

/** Median time to start an empty worker thread (to its first message), on this machine. */
async function bareThreadStartMs(): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const started = performance.now();
    const thread = new Worker('require("worker_threads").parentPort.postMessage(0)', { eval: true });
    await new Promise((resolve) => thread.once('message', resolve));
    times.push(performance.now() - started);
    await thread.terminate();
  }
  return median(times);
}

/** The RSS a started gateway holds before its first request. */
async function startedMb(isolation: Isolation): Promise<number> {
  const dir = buildAssembly([{ path: '/e', code: HANDLER, memorySize: 128 }]);
  const gateway = LocalStreamingGateway.fromAssembly(dir, { port: 0, accessLog: () => undefined, log: () => undefined, isolation });
  await settle();
  const before = rssMb();
  try {
    await gateway.start();
    await settle();
    return rssMb() - before;
  } finally {
    await gateway.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function measure(isolation: Isolation, firstAfterMs = 0): Promise<{ first: number; next: number; mbEach: number }> {
  const dir = buildAssembly([{ path: '/e', code: HANDLER, memorySize: 128 }]);
  const starts: number[] = [];
  const log = (message: string) => {
    const ready = /cold start, environment \d+ of at most \d+ ready in (\d+) ms/.exec(message);
    if (ready) starts.push(Number(ready[1]));
  };
  const gateway = LocalStreamingGateway.fromAssembly(dir, { port: 0, accessLog: () => undefined, log, isolation, maxEnvironments: ENVIRONMENTS + 1 });
  try {
    const url = `${await gateway.start()}/e`;
    await new Promise((r) => setTimeout(r, firstAfterMs));
    const deadline = Date.now() + 3000 + ENVIRONMENTS * 200;
    const bodies: Array<Promise<string>> = [];
    let before = 0;
    // One at a time: each request finds every environment busy and starts the next one alone.
    for (let i = 0; i < ENVIRONMENTS; i++) {
      const res = await fetch(`${url}?hold=${deadline - Date.now()}`);
      bodies.push(res.text());
      if (i === 0) {
        await settle();
        before = rssMb();
      }
    }
    await settle();
    const after = rssMb();
    for (const body of await Promise.all(bodies)) if (body !== 'hello world') throw new Error(`unexpected body: ${body}`);
    if (starts.length !== ENVIRONMENTS) throw new Error(`${starts.length} environments started, not ${ENVIRONMENTS}`);
    return { first: starts[0], next: median(starts.slice(1)), mbEach: (after - before) / (ENVIRONMENTS - 1) };
  } finally {
    await gateway.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void (async () => {
  await fetch('http://127.0.0.1:1').catch(() => undefined); // loads fetch before anything is timed
  console.log(`an empty worker thread starts in ${(await bareThreadStartMs()).toFixed(1)} ms here (median of 7)`);
  console.log(`environments of a 128 MB function, started one at a time, the first requested as the gateway starts listening; memory: RSS growth over ${ENVIRONMENTS} environments`);
  console.log('isolation  first (ms)  next, median (ms)  MB per environment  MB at start');
  for (const isolation of ['thread', 'process'] as const) {
    const m = { ...await measure(isolation), mbAtStart: await startedMb(isolation) };
    console.log(`${isolation.padEnd(9)}  ${String(m.first).padStart(10)}  ${String(m.next).padStart(17)}  ${m.mbEach.toFixed(1).padStart(18)}  ${m.mbAtStart.toFixed(1).padStart(11)}`);
  }
})();
