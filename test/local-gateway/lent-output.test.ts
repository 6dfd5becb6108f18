import * as http from 'http';
import { serve } from './support/serve';
import { slotChecks } from '../../local-gateway/lambda/channel';

// The gateway writes a function's output to the client straight from the function thread's
// shared batch slots. A slot is written again once the gateway releases it, so a release before
// the socket has sent the bytes would corrupt a stream, most likely one whose client reads slowly
// (its bytes wait longest) while other streams of the same thread write fast. Here every freed
// slot is overwritten at once (poisoned), so a release before the send shows in the output.

beforeAll(() => (slotChecks.poisonFreed = true));
afterAll(() => (slotChecks.poisonFreed = false));

const CHUNK = 64 * 1024;
/** Chunk i of a stream with seed s is filled with (s + i) % 251: a lost, repeated or overwritten chunk shows. */
const PATTERNED = `exports.handler = awslambda.streamifyResponse(async (event, s) => {
  const seed = Number(event.queryStringParameters.seed);
  const chunks = Number(event.queryStringParameters.chunks);
  const h = awslambda.HttpResponseStream.from(s, { headers: { 'content-type': 'application/octet-stream' } });
  for (let i = 0; i < chunks; i++) {
    if (!h.write(Buffer.alloc(${CHUNK}, (seed + i) % 251))) await new Promise((r) => h.once('drain', r));
  }
  h.end();
});`;

interface Received { status?: number; bytes: number; wrong: number; error?: string }

/** Downloads a patterned stream; `slowEvery` pauses reading 60 ms per that many bytes; `abortAfter` leaves. */
function download(url: string, seed: number, chunks: number, opts: { slowEvery?: number; abortAfter?: number } = {}): Promise<Received> {
  return new Promise((resolve) => {
    const got: Received = { bytes: 0, wrong: 0 };
    const req = http.get(`${url}/patterned?seed=${seed}&chunks=${chunks}`, (res) => {
      got.status = res.statusCode;
      let sincePause = 0;
      res.on('data', (chunk: Buffer) => {
        for (let k = 0; k < chunk.length; k += 1024) if (chunk[k] !== (seed + Math.floor((got.bytes + k) / CHUNK)) % 251) got.wrong++;
        got.bytes += chunk.length;
        sincePause += chunk.length;
        if (opts.abortAfter && got.bytes >= opts.abortAfter) {
          req.destroy();
          resolve(got);
        } else if (opts.slowEvery && sincePause >= opts.slowEvery) {
          sincePause = 0;
          res.pause();
          setTimeout(() => res.resume(), 60);
        }
      });
      res.on('end', () => resolve(got));
      res.on('error', (error) => resolve({ ...got, error: error.message }));
    });
    req.on('error', (error) => resolve({ ...got, error: error.message }));
  });
}

describe.each(['shared', 'thread'] as const)('output lent from shared slots (%s isolation)', (isolation) => {
  test('fast, slow and leaving clients of one thread each get their own bytes, whole', async () => {
    // GIVEN one function whose environments share a thread (shared isolation)
    const { url, diagnostics } = await serve([{ path: '/patterned', code: PATTERNED }], { isolation, shaping: false, environmentsPerThread: 8 });
    // WHEN two fast clients, two slow ones and one that leaves after 2 MB download at once
    const chunks = 192; // 12 MB each
    const results = await Promise.all([
      download(url, 1, chunks),
      download(url, 2, chunks),
      download(url, 3, chunks, { slowEvery: 1024 * 1024 }),
      download(url, 4, chunks, { slowEvery: 512 * 1024 }),
      download(url, 5, chunks, { abortAfter: 2 * 1024 * 1024 }),
    ]);
    // THEN every complete stream is exact, and the one that left saw only its own bytes
    for (const r of results.slice(0, 4)) expect(r).toEqual({ status: 200, bytes: chunks * CHUNK, wrong: 0 });
    expect(results[4].wrong).toBe(0);
    // AND the function goes on serving correct streams after the client that left
    const after = await Promise.all([download(url, 6, 64), download(url, 7, 64, { slowEvery: 256 * 1024 })]);
    for (const r of after) expect(r).toEqual({ status: 200, bytes: 64 * CHUNK, wrong: 0 });
    expect(diagnostics.filter((d) => /failed|OutOfMemory/.test(d))).toEqual([]);
  });

  test('the last chunks of a finished stream, held back by shaping, stay intact while other streams write on', async () => {
    // GIVEN shaping after 1 MB at 4 MB/s: each further 64 KB chunk waits about 16 ms, after the
    // function has ended (its output stream ends while its last chunks still wait)
    const { url } = await serve([{ path: '/patterned', code: PATTERNED }], { isolation, environmentsPerThread: 16, shapingFreeBytes: 1024 * 1024, shapingBytesPerSecond: 4 * 1024 * 1024 });
    // WHEN streams of 1.25 MB end while, on the same thread, streams under 1 MB (not shaped)
    // start every 20 ms and write through the thread's slots
    const shaped = [20, 21, 22].map((seed) => download(url, seed, 20));
    const others: Array<Promise<Received>> = [];
    for (let i = 0; i < 15; i++) {
      others.push(download(url, 30 + i, 14));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // THEN every stream is exact
    for (const r of await Promise.all(shaped)) expect(r).toEqual({ status: 200, bytes: 20 * CHUNK, wrong: 0 });
    for (const r of await Promise.all(others)) expect(r).toEqual({ status: 200, bytes: 14 * CHUNK, wrong: 0 });
  }, 30_000);

  test('chunks held back by bandwidth shaping stay intact while later ones arrive', async () => {
    // GIVEN shaping after 1 MB at 24 MB/s (chunks wait in timers while the function writes on)
    const { url } = await serve([{ path: '/patterned', code: PATTERNED }], { isolation, shapingFreeBytes: 1024 * 1024, shapingBytesPerSecond: 24 * 1024 * 1024 });
    // WHEN two clients download 4 MB each at once
    const results = await Promise.all([download(url, 10, 64), download(url, 11, 64, { slowEvery: 1024 * 1024 })]);
    // THEN both are exact
    for (const r of results) expect(r).toEqual({ status: 200, bytes: 64 * CHUNK, wrong: 0 });
  });
});
