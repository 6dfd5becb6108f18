import * as http from 'http';
import { serve } from './support/serve';

// Code in a handler can reach the thread's `parentPort` (require('worker_threads')), and libraries
// that detect a worker thread do post on it. Whatever it posts, the gateway must stay up, its
// other streams intact, and the function must go on answering.

const JUNK = `[3, 0, 1, 2 ** 20 + 5, 15 * 2 ** 20 + 1, 16 * 2 ** 20, 2 ** 40, -1, 1.5, NaN, Infinity, null, undefined, 'x',
  {}, [], { type: 'end' }, { type: 'end', env: 1 }, { type: 'end', env: 1, end: null }, { type: 'end', env: 1, end: 'x' },
  { type: 'ready' }, { type: 'collected', over: true }, { type: 'signal', signal: 'SIGTERM' }, { type: 'oom-ish' },
  new Uint8Array([0, 0, 0, 1, 255, 255, 255, 255]), new Uint8Array([0, 0, 0]), new Uint8Array(0), new Float64Array(2)]`;

const CHUNK = 64 * 1024;
/** With ?junk: posts junk on parentPort around a short answer; without: 64 patterned chunks. */
const HANDLER = `const { parentPort } = require('worker_threads');
exports.handler = awslambda.streamifyResponse(async (event, s) => {
  if (event.queryStringParameters?.junk) {
    for (const junk of ${JUNK}) parentPort?.postMessage(junk);
    const h = awslambda.HttpResponseStream.from(s, { headers: { 'content-type': 'text/plain' } });
    h.write('still here');
    for (const junk of ${JUNK}) parentPort?.postMessage(junk);
    h.end();
    return;
  }
  const h = awslambda.HttpResponseStream.from(s, { headers: { 'content-type': 'application/octet-stream' } });
  for (let i = 0; i < 64; i++) {
    if (!h.write(Buffer.alloc(${CHUNK}, i % 251))) await new Promise((r) => h.once('drain', r));
    await new Promise((r) => setImmediate(r));
  }
  h.end();
});`;

function get(url: string): Promise<{ status?: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

describe('messages a handler posts on its thread\'s port', () => {
  test('junk numbers, arrays and objects crash nothing and corrupt no other stream', async () => {
    // GIVEN a function whose handler posts junk on parentPort in one invocation and streams in another
    const { url } = await serve([{ path: '/h', code: HANDLER }], { shaping: false });
    // WHEN both run at once, twice
    for (let round = 0; round < 2; round++) {
      const [patterned, poster] = await Promise.all([get(`${url}/h`), new Promise((r) => setTimeout(r, 5)).then(() => get(`${url}/h?junk=1`))]);
      // THEN the poster gets a well-formed answer (its own bytes may be lost: it posted on the gateway's channel)
      expect(poster.status).toBeGreaterThanOrEqual(200);
      // and the other stream arrives whole
      expect(patterned.status).toBe(200);
      expect(patterned.body.length).toBe(64 * CHUNK);
      let wrong = 0;
      for (let k = 0; k < patterned.body.length; k += 1024) if (patterned.body[k] !== Math.floor(k / CHUNK) % 251) wrong++;
      expect(wrong).toBe(0);
    }
  });

  test('well-formed batches and end messages a handler forges reach no client, its own included', async () => {
    // GIVEN a handler that, asked to, forges what a sandbox sends the gateway: bytes, and an `end`;
    // and reports what workerData shows it
    const forger = `const { parentPort, workerData } = require('worker_threads');
    exports.handler = awslambda.streamifyResponse(async (event, s) => {
      const h = awslambda.HttpResponseStream.from(s, { headers: { 'content-type': 'text/plain' } });
      if (!event.queryStringParameters?.forge) {
        for (let i = 0; i < 8; i++) { h.write('line ' + i + '\\n'); await new Promise((r) => setTimeout(r, 50)); }
        h.end();
        return;
      }
      h.write('seen: ' + JSON.stringify(Object.keys(workerData || {}).sort()) + '\\n');
      const payload = Buffer.from('INJECTED\\n');
      for (let env = 0; env < 8; env++) {
        const record = new Uint8Array(8 + payload.length);
        new DataView(record.buffer).setUint32(0, env);
        new DataView(record.buffer).setUint32(4, payload.length);
        record.set(payload, 8);
        parentPort.postMessage(record);
        parentPort.postMessage(payload);
      }
      parentPort.postMessage({ type: 'end', end: { outcome: 'ended' } });
      parentPort.postMessage({ type: 'ready' });
      await new Promise((r) => setTimeout(r, 50));
      h.write('forger done');
      h.end();
    });`;
    const { url } = await serve([{ path: '/f', code: forger }], { shaping: false });
    // WHEN one client streams while another's invocation forges messages
    const victim = get(`${url}/f`);
    await new Promise((r) => setTimeout(r, 120));
    const forged = await get(`${url}/f?forge=1`);
    // THEN neither response took a forged byte or ended early
    expect((await victim).body.toString()).toBe('line 0\nline 1\nline 2\nline 3\nline 4\nline 5\nline 6\nline 7\n');
    // and the handler found neither the thread's port to the gateway nor its wake flag in workerData
    expect(forged.body.toString()).toBe(`seen: ${JSON.stringify(['memoryMb'])}\nforger done`);
  });
});
