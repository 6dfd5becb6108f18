/**
 * The floor under the gateway's CPU per request in bench/gateway-concurrency.ts, measured without
 * the gateway: the route's own work (100 waits of 10 ms per stream, as the handler does) run
 * inline in one event loop (as the bare server runs it), and in N worker threads (as N execution
 * environments, one per stream, run it) with and without posting each 1 KB chunk to the main
 * thread. Nothing of the gateway is in it: the thread rows are what any design with one thread per
 * environment pays before relaying a byte; the last row is a pooled design's (all streams in one
 * thread, as environments sharing it would run). Ratios are against the inline run, in the same run.
 * Run: npx ts-node --transpile-only --project bench/tsconfig.json bench/thread-wakeup-floor.ts [streams]
 */
import { Worker } from 'worker_threads';

const STREAMS = Number(process.argv[2] ?? 50);
const CHUNKS = 100;
const GAP_MS = 10;
const ROUNDS = 4;

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One stream's work inline: CHUNKS waits of GAP_MS. */
async function stream(): Promise<void> {
  for (let i = 0; i < CHUNKS; i++) await wait(GAP_MS);
}

/** CPU ms per stream of the process while `run` runs, the median over ROUNDS (the first is a warm-up). */
async function cpuPerStream(run: () => Promise<void>): Promise<number> {
  const rounds: number[] = [];
  for (let r = 0; r <= ROUNDS; r++) {
    const before = process.cpuUsage();
    await run();
    const used = process.cpuUsage(before);
    if (r > 0) rounds.push((used.user + used.system) / 1000 / STREAMS);
  }
  return rounds.sort((a, b) => a - b)[Math.floor(rounds.length / 2)];
}

/** A thread's `streams` streams (plain JavaScript: the same work as `stream`), run on each message. */
const THREAD = `
const { parentPort, workerData } = require('worker_threads');
const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function stream(first) {
  const chunk = new Uint8Array(1024).fill(97);
  await wait(first);
  for (let i = 0; i < ${CHUNKS}; i++) {
    if (workerData.post) { const copy = chunk.slice(); parentPort.postMessage(copy, [copy.buffer]); }
    await wait(${GAP_MS});
  }
}
parentPort.on('message', async () => {
  await Promise.all(Array.from({ length: workerData.streams }, (_, i) => stream(i % ${GAP_MS})));
  parentPort.postMessage('end');
});`;

/** CPU per stream with the streams spread over `threadCount` threads. */
async function threads(post: boolean, threadCount = STREAMS): Promise<number> {
  const workers = Array.from({ length: threadCount }, () => new Worker(THREAD, { eval: true, workerData: { post, streams: STREAMS / threadCount } }));
  await Promise.all(workers.map((w) => new Promise((resolve) => w.once('online', resolve))));
  const round = () => Promise.all(workers.map((w) => new Promise<void>((resolve) => {
    const onMessage = (message: unknown) => {
      if (message !== 'end') return;
      w.off('message', onMessage);
      resolve();
    };
    w.on('message', onMessage);
    w.postMessage('go');
  }))).then(() => undefined);
  const result = await cpuPerStream(round);
  await Promise.all(workers.map((w) => w.terminate()));
  return result;
}

async function main(): Promise<void> {
  // (the streams start spread over one gap, as requests arrive)
  const all = () => Promise.all(Array.from({ length: STREAMS }, (_, i) => wait(i % GAP_MS).then(() => stream()))).then(() => undefined);
  const inline = await cpuPerStream(all);
  const timers = await threads(false);
  const posting = await threads(true);
  const pooled = await threads(true, 1);
  console.log(`${STREAMS} streams of ${CHUNKS} chunks, ${GAP_MS} ms apart: CPU ms per stream (median of ${ROUNDS} rounds)`);
  console.log(`  inline, one event loop (the bare server's way)      ${inline.toFixed(2)}`);
  console.log(`  a thread per stream, waits only                     ${timers.toFixed(2)}  (${(timers / inline).toFixed(1)}x)`);
  console.log(`  a thread per stream, waits and a message per chunk  ${posting.toFixed(2)}  (${(posting / inline).toFixed(1)}x)`);
  console.log(`  one thread for all streams (pooled), the same       ${pooled.toFixed(2)}  (${(pooled / inline).toFixed(1)}x)`);
}

void main();
