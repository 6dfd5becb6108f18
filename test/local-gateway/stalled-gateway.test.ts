import * as http from 'http';
import { serve } from './support/serve';

// A gateway whose own thread stalls (a long synchronous task, a breakpoint, a GC pause) while a
// handler writes as fast as it can. The handler's thread must stop at a bounded amount of unread
// output, not pile messages up, and what it sent must not count against the function's memory:
// the stream arrives whole and the function does not fail with Runtime.OutOfMemory.

const CHUNK = 64 * 1024;
const CHUNKS = 1536; // 96 MB
/**
 * A first chunk, a pause (the client stalls the gateway on that chunk, before any backpressure),
 * then 96 MB as fast as it can; chunk i is filled with i % 251, so a lost, repeated or reordered
 * chunk shows.
 */
const FAST_WRITER = `exports.handler = awslambda.streamifyResponse(async (event, s) => {
  const h = awslambda.HttpResponseStream.from(s, { headers: { 'content-type': 'application/octet-stream' } });
  h.write(Buffer.alloc(${CHUNK}, 0));
  await new Promise((r) => setTimeout(r, 50));
  for (let i = 1; i < ${CHUNKS}; i++) {
    if (!h.write(Buffer.alloc(${CHUNK}, i % 251))) await new Promise((r) => h.once('drain', r));
  }
  h.end();
});`;

/** Busy-waits: the gateway (this process's main thread) handles nothing meanwhile. */
function stall(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) { /* stalled */ }
}

describe.each(['shared', 'thread'] as const)('a stalled gateway (%s isolation)', (isolation) => {
  test('bounds what the handler\'s thread sends ahead, and the stream arrives whole without a memory failure', async () => {
    // GIVEN a 128 MB function that writes 96 MB as fast as it can
    const { url, diagnostics } = await serve([{ path: '/fast', code: FAST_WRITER, memorySize: 128 }], { isolation, shaping: false });
    // WHEN the gateway's thread stalls for 800 ms on the first bytes, before the fast writes begin
    let rssGrowthMb = 0;
    let bytes = 0;
    let wrong = 0;
    const status = await new Promise<number | undefined>((resolve, reject) => {
      http.get(`${url}/fast`, (res) => {
        let stalled = false;
        res.on('data', (chunk: Buffer) => {
          for (let k = 0; k < chunk.length; k += 4096) if (chunk[k] !== Math.floor((bytes + k) / CHUNK) % 251) wrong++;
          bytes += chunk.length;
          if (!stalled) {
            stalled = true;
            const before = process.memoryUsage().rss;
            stall(800);
            rssGrowthMb = (process.memoryUsage().rss - before) / 1024 / 1024;
          }
        });
        res.on('end', () => resolve(res.statusCode));
        res.on('error', reject);
      }).on('error', reject);
    });
    // THEN every byte arrived, in order
    expect(status).toBe(200);
    expect(bytes).toBe(CHUNK * CHUNKS);
    expect(wrong).toBe(0);
    // the function did not fail (a sent batch is not the function's memory)
    expect(diagnostics.filter((d) => /OutOfMemory|failed/.test(d))).toEqual([]);
    // and the thread stopped a few MB ahead (unbounded, it sends hundreds of MB in 800 ms)
    expect(rssGrowthMb).toBeLessThan(64);
  });
});
