/**
 * Streamed vs buffered time to first byte for a handler that writes 20 chunks 100 ms apart,
 * through the local gateway, in the same run. Target: ratio at most 0.07.
 * Run: npx ts-node --transpile-only --project bench/tsconfig.json bench/gateway-stream-vs-buffered.ts
 */
import { median, withGateway } from './gateway-support';

const HANDLER = `exports.handler = awslambda.streamifyResponse(async (event, s) => {
  const h = awslambda.HttpResponseStream.from(s, { headers: { 'content-type': 'text/event-stream' } });
  for (let i = 0; i < 20; i++) { h.write('data: ' + i + '\\n\\n'); await new Promise((r) => setTimeout(r, 100)); }
  h.end();
});`;

async function ttfb(url: string): Promise<{ first: number; total: number }> {
  const started = performance.now();
  const response = await fetch(`${url}/s`);
  const reader = response.body!.getReader();
  await reader.read();
  const first = performance.now() - started;
  while (!(await reader.read()).done);
  return { first, total: performance.now() - started };
}

async function measure(forceBuffered: boolean) {
  return withGateway([{ path: '/s', code: HANDLER }], { forceBuffered }, async (url) => {
    await ttfb(url); // warm
    const runs = [];
    for (let i = 0; i < 5; i++) runs.push(await ttfb(url));
    return { first: median(runs.map((r) => r.first)), total: median(runs.map((r) => r.total)) };
  });
}

void (async () => {
  const streamed = await measure(false);
  const buffered = await measure(true);
  console.log(`STREAM:   first byte ${streamed.first.toFixed(1)} ms, total ${streamed.total.toFixed(1)} ms (median of 5)`);
  console.log(`BUFFERED: first byte ${buffered.first.toFixed(1)} ms, total ${buffered.total.toFixed(1)} ms (median of 5)`);
  const ratio = streamed.first / buffered.first;
  console.log(`TTFB ratio streamed/buffered: ${ratio.toFixed(4)} (target <= 0.07) -> ${ratio <= 0.07 ? 'within target' : 'OVER TARGET'}`);
})();
