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

describe.each(['thread'] as const)('a stalled gateway (%s isolation)', (isolation) => {
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

  test('a function that ends its thread as it sends its metadata fails its request, not the gateway', async () => {
    // GIVEN a handler that writes its metadata and a chunk, then exits its thread 5 ms later
    const code = `exports.handler = awslambda.streamifyResponse(async (event, s) => {
      await new Promise((r) => setTimeout(r, 100));
      awslambda.HttpResponseStream.from(s, {}).write('x');
      setTimeout(() => process.exit(1), 5);
      await new Promise((r) => setTimeout(r, 1000));
    });`;
    const { url, diagnostics } = await serve([{ path: '/exit', code }, { path: '/ok', code: 'exports.handler = awslambda.streamifyResponse(async (e, s) => { awslambda.HttpResponseStream.from(s, {}).write(\'ok\'); s.end(); });' }], { isolation });
    for (let round = 0; round < 3; round++) {
      // WHEN the gateway's thread is busy while both messages arrive, so it reads them in one turn
      const answer = new Promise<{ status?: number; error?: string }>((resolve) => {
        http.get(`${url}/exit`, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode }));
          res.on('error', (error) => resolve({ status: res.statusCode, error: error.message }));
        }).on('error', (error) => resolve({ error: error.message }));
      });
      await new Promise((r) => setTimeout(r, 50));
      stall(500);
      // THEN that request fails as API Gateway answers a function error (a 500 before the status
      // went out, a cut connection after it), and the gateway goes on
      expect([{ status: 500 }, { status: 200, error: 'aborted' }]).toContainEqual(await answer);
      const ok = await new Promise<string>((resolve, reject) => http.get(`${url}/ok`, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c));
        res.on('end', () => resolve(body));
      }).on('error', reject));
      expect(ok).toBe('ok');
    }
    expect(diagnostics.join('\n')).toMatch(/Runtime.ExitError/);
  });
});
