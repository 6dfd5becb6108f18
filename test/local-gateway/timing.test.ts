import * as http from 'http';
import type { AddressInfo } from 'net';
import { gzipSync } from 'zlib';
import { curl } from './support/clients';
import { serve } from './support/serve';

// API Gateway sends status and headers as soon as the integration's headers are complete, not
// with the first body byte; the access log's timeToAllHeaders and timeToFirstContent tell the two
// apart. A Content-Encoding the handler set passes through.

/** When the response head and the first body byte reached a Node client, in ms after the request. */
async function headThenBody(url: string): Promise<{ head: number; firstByte: number; body: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      const head = performance.now() - started;
      let firstByte = -1;
      let body = '';
      res.on('data', (chunk: Buffer) => {
        if (firstByte < 0) firstByte = performance.now() - started;
        body += chunk.toString();
      });
      res.on('end', () => resolve({ head, firstByte, body }));
    }).on('error', reject);
  });
}

test('Lambda: status and headers reach the client when the metadata is complete, before the first body byte', async () => {
  // GIVEN: a handler that writes its metadata prelude, then waits before the body
  const code = `exports.handler = awslambda.streamifyResponse(async (e, s) => {
    s.write(JSON.stringify({ statusCode: 202, headers: { 'x-early': 'yes' } }));
    s.write(Buffer.alloc(8));
    await new Promise((r) => setTimeout(r, 600));
    s.write('late body');
    s.end();
  });`;
  const { url, logs } = await serve([{ path: '/t', code }]);
  // WHEN
  const seen = await headThenBody(`${url}/t`);
  // THEN
  expect(seen.body).toBe('late body');
  expect(seen.firstByte - seen.head).toBeGreaterThan(400);
  await new Promise((r) => setTimeout(r, 50));
  expect(logs[0].status).toBe('202');
  expect(Number(logs[0].timeToFirstContent) - Number(logs[0].timeToAllHeaders)).toBeGreaterThan(400);
});

test('HTTP_PROXY: status and headers reach the client when the backend sent them, before the body', async () => {
  // GIVEN: a backend that sends its head, then the body later
  const backend = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.flushHeaders();
    setTimeout(() => res.end('late body'), 600);
  });
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  try {
    const { url, logs } = await serve([{ path: '/p', url: `http://127.0.0.1:${(backend.address() as AddressInfo).port}/` }]);
    // WHEN
    const seen = await headThenBody(`${url}/p`);
    // THEN
    expect(seen.body).toBe('late body');
    expect(seen.firstByte - seen.head).toBeGreaterThan(400);
    await new Promise((r) => setTimeout(r, 50));
    expect(Number(logs[0].timeToFirstContent) - Number(logs[0].timeToAllHeaders)).toBeGreaterThan(400);
  } finally {
    await new Promise<void>((r) => backend.close(() => r()));
  }
});

test('a Content-Encoding set by the handler passes through: curl --compressed decodes the body', async () => {
  // GIVEN: a handler that gzips its own body
  const gz = gzipSync('compressed by the handler').toString('base64');
  const code = `exports.handler = awslambda.streamifyResponse(async (e, s) => {
    const h = awslambda.HttpResponseStream.from(s, { headers: { 'content-type': 'text/plain', 'content-encoding': 'gzip' } });
    h.write(Buffer.from('${gz}', 'base64'));
    h.end();
  });`;
  const { url } = await serve([{ path: '/z', code }]);
  // WHEN
  const seen = await curl(['-i', '--compressed', `${url}/z`]);
  // THEN
  expect(seen.exitCode).toBe(0);
  expect(seen.body).toMatch(/content-encoding: gzip/i);
  expect(seen.body.endsWith('compressed by the handler')).toBe(true);
});
