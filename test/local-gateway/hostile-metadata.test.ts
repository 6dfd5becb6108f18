import * as http from 'http';
import * as fc from 'fast-check';
import { serve } from './support/serve';

// Handlers are code people are still writing: whatever metadata a handler sends, the gateway
// answers like API Gateway (its status and headers, or 500 with a log line that says what was
// wrong) and keeps serving everyone else. The handler here sends the prelude it is given.

const ECHO_PRELUDE = `exports.handler = awslambda.streamifyResponse(async (event, s) => {
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString() : event.body;
  s.write(Buffer.from(text, 'base64'));
  s.write(Buffer.alloc(8));
  s.write('body');
  s.end();
});`;

/** POSTs a prelude (as base64 text) for the handler to send; resolves with what a Node client saw (raw headers too). */
function send(url: string, prelude: Buffer, agent: http.Agent, path = '/echo'): Promise<{ status: number; rawHeaders: string[]; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}${path}`, { method: 'POST', agent, headers: { 'content-type': 'text/plain' } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString('latin1')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, rawHeaders: res.rawHeaders, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(prelude.toString('base64'));
  });
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

test.each([
  ['a header value with CR/LF', { headers: { 'x-a': 'one\r\nx-injected: two' } }, /headers\['x-a'\] must be a string without control characters \(CR, LF, NUL/],
  ['a non-Latin-1 header value', { headers: { 'x-a': '日本語' } }, /in Latin-1/],
  ['an invalid header name', { headers: { 'bad name': 'v' } }, /name 'bad name' is invalid/],
  ['a cookie with a line feed', { cookies: ['a=1\nb=2'] }, /cookies\[0\] must be a string without control characters/],
  ['a control character in a header value', { headers: { 'x-a': 'a\u0001b' } }, /headers\['x-a'\] must be a string without control characters/],
  ['DEL in a cookie', { cookies: ['a=1\u007f'] }, /cookies\[0\] must be a string without control characters/],
  ['multiValueHeaders given a string', { multiValueHeaders: { 'x-a': 'v' } }, /multiValueHeaders\['x-a'\] must be an array/],
  ['multiValueHeaders given null', { multiValueHeaders: null }, /multiValueHeaders is not an object/],
  ['cookies given a string', { cookies: 'a=1' }, /cookies must be an array of strings/],
  ['a status of 101', { statusCode: 101 }, /statusCode 101 is not 200..599/],
  ['a status of 600', { statusCode: 600 }, /statusCode 600 is not 100..599/],
  ['a status of "200"', { statusCode: '200' }, /statusCode "200" is not 100..599/],
])('%s is a 500 with a log line that says what is wrong, and the gateway keeps serving', async (_name, metadata, why) => {
  // GIVEN
  const { url, diagnostics } = await serve([{ path: '/echo', method: 'POST', code: ECHO_PRELUDE }]);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  // WHEN
  const bad = await send(url, json(metadata), agent);
  const good = await send(url, json({ statusCode: 201, headers: { 'x-ok': 'yes' } }), agent);
  agent.destroy();
  // THEN
  expect(bad.status).toBe(500);
  expect(JSON.parse(bad.body)).toEqual({ message: 'Internal server error' });
  expect(diagnostics.join('\n')).toMatch(why);
  expect(good).toMatchObject({ status: 201, body: 'body' });
});

test('framing headers in the metadata are dropped: a Content-Length that the body overruns cannot corrupt the next response', async () => {
  // GIVEN: metadata that declares 2 bytes for a 4-byte body, and a bogus one
  const { url, diagnostics } = await serve([{ path: '/echo', method: 'POST', code: ECHO_PRELUDE }]);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  // WHEN: three requests on one keep-alive connection
  const first = await send(url, json({ headers: { 'content-length': '2', 'connection': 'close', 'transfer-encoding': 'gzip' } }), agent);
  const second = await send(url, json({ headers: { 'Content-Length': 'abc' } }), agent);
  const third = await send(url, json({ statusCode: 202 }), agent);
  agent.destroy();
  // THEN: each response is whole and its own
  expect(first).toMatchObject({ status: 200, body: 'body' });
  expect(second).toMatchObject({ status: 200, body: 'body' });
  expect(third).toMatchObject({ status: 202, body: 'body' });
  expect(first.rawHeaders.map((h) => h.toLowerCase())).not.toContain('content-length');
  expect(diagnostics.join('\n')).toMatch(/dropped the framing header\(s\) content-length, connection, transfer-encoding/);
});

test('property: random metadata, header names and values never take the gateway down, and every request is answered', async () => {
  const { url } = await serve([{ path: '/echo', method: 'POST', code: ECHO_PRELUDE }]);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('a\r\nb', 'x\0y', '日本語', 'é', ' ', ''));
  const headerName = fc.oneof(fc.string({ minLength: 1 }), fc.constantFrom('content-length', 'Transfer-Encoding', 'connection', 'set-cookie', 'bad name', 'x-ok'));
  const value = fc.oneof(text, fc.integer(), fc.constant(null), fc.array(text), fc.dictionary(text, text), fc.boolean());
  const metadata = fc.oneof(
    fc.record({
      statusCode: fc.oneof(fc.integer({ min: -1, max: 1000 }), text, fc.constant(null), fc.double()),
      headers: fc.oneof(fc.dictionary(headerName, value), value),
      multiValueHeaders: fc.oneof(fc.dictionary(headerName, fc.oneof(fc.array(text), value)), value),
      cookies: fc.oneof(fc.array(text), value),
    }, { requiredKeys: [] }),
    fc.dictionary(text, value),
    value,
  );
  const prelude = fc.oneof(metadata.map(json), fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)));
  await fc.assert(fc.asyncProperty(prelude, async (bytes) => {
    const seen = await send(url, bytes, agent);
    expect([200, 201, 202, 204, 500].includes(seen.status) || (seen.status >= 200 && seen.status <= 599)).toBe(true);
    if (seen.status === 500) expect(['body', '{"message":"Internal server error"}']).toContain(seen.body);
  }), { numRuns: 150, seed: 11 });
  // THEN: still serving
  const after = await send(url, json({ statusCode: 200 }), agent);
  agent.destroy();
  expect(after).toMatchObject({ status: 200, body: 'body' });
});

describe('classic (buffered) results are held to the same rules', () => {
  // A classic handler's result, given as JSON in the request body (base64, as `send` posts it).
  const RESULT = 'exports.handler = async (event) => JSON.parse(Buffer.from(event.body, "base64").toString());';
  // A streaming handler on the classic URI: API Gateway reads its metadata, without the body.
  const STREAMING = `exports.handler = awslambda.streamifyResponse(async (event, s) => {
    const h = awslambda.HttpResponseStream.from(s, JSON.parse(Buffer.from(event.body, 'base64').toString()));
    h.write('body');
    h.end();
  });`;
  const post = (url: string, path: string, result: unknown, agent: http.Agent) => send(url, Buffer.from(JSON.stringify(result)), agent, path);

  test.each([
    ['Content-Length and Transfer-Encoding', { statusCode: 200, headers: { 'transfer-encoding': 'chunked', 'Content-Length': '1', 'connection': 'close' }, body: 'hello world' }],
    ['a Content-Length the body overruns', { statusCode: 200, multiValueHeaders: { 'content-length': ['2'] }, body: 'hello world' }],
  ])('%s in a result are dropped: the response is framed once, and the next one on the connection is intact', async (_name, result) => {
    const { url, diagnostics } = await serve([{ path: '/r', method: 'POST', code: RESULT, uri: 'classic', mode: 'BUFFERED' }]);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const first = await post(url, '/r', result, agent);
    const second = await post(url, '/r', { statusCode: 201, body: 'next' }, agent);
    agent.destroy();
    expect(first).toMatchObject({ status: 200, body: 'hello world' });
    const names = first.rawHeaders.filter((_h, i) => i % 2 === 0).map((h) => h.toLowerCase());
    expect(names.filter((n) => n === 'content-length')).toHaveLength(1);
    expect(first.rawHeaders[first.rawHeaders.findIndex((h) => h.toLowerCase() === 'content-length') + 1]).toBe('11');
    expect(names).not.toContain('transfer-encoding');
    expect(second).toMatchObject({ status: 201, body: 'next' });
    expect(diagnostics.join('\n')).toMatch(/dropped the framing header\(s\) .*content-length.* of the function's result/);
    // Node's fetch, strict about framing, reads it too
    const seen = await fetch(`${url}/r`, { method: 'POST', body: Buffer.from(JSON.stringify(result)).toString('base64') });
    expect(await seen.text()).toBe('hello world');
  });

  test.each([
    ['an informational status', { statusCode: 100, body: 'x' }, /statusCode 100 is not 200..599 \(an informational status/],
    ['a status of 101', { statusCode: '101' }, /statusCode "101" is not 200..599/],
    ['a header value with CR/LF', { statusCode: 200, headers: { 'x-a': 'one\r\nx-injected: two' } }, /headers\['x-a'\] must be a string without control characters/],
    ['a non-Latin-1 header value', { statusCode: 200, headers: { 'x-a': '日本語' } }, /in Latin-1/],
    ['an invalid header name', { statusCode: 200, multiValueHeaders: { 'bad name': ['v'] } }, /name 'bad name' is invalid/],
  ])('%s is a 502 (a malformed proxy response) that says why, and the connection goes on', async (_name, result, why) => {
    const { url, diagnostics } = await serve([{ path: '/r', method: 'POST', code: RESULT, uri: 'classic', mode: 'BUFFERED' }]);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const bad = await post(url, '/r', result, agent);
    const good = await post(url, '/r', { statusCode: 200, headers: { 'x-tab': 'a\tb', 'x-n': 1 }, body: 'fine' }, agent);
    agent.destroy();
    expect(bad.status).toBe(502);
    expect(JSON.parse(bad.body)).toEqual({ message: 'Internal server error' });
    expect(diagnostics.join('\n')).toMatch(why);
    expect(good).toMatchObject({ status: 200, body: 'fine' });
    expect(good.rawHeaders).toEqual(expect.arrayContaining(['x-tab', 'a\tb', 'x-n', '1']));
  });

  test('a 204 or 304 with a body is sent without body or Content-Length, and the next response on the connection is intact', async () => {
    const { url } = await serve([
      { path: '/r', method: 'POST', code: RESULT, uri: 'classic', mode: 'BUFFERED' },
      { path: '/s', method: 'POST', code: STREAMING, uri: 'classic', mode: 'BUFFERED' },
    ]);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const seen = [
      await post(url, '/r', { statusCode: 204, body: 'not sent' }, agent),
      await post(url, '/r', { statusCode: 304, body: 'not sent' }, agent),
      await post(url, '/s', { statusCode: 204, headers: { 'transfer-encoding': 'chunked' } }, agent),
      await post(url, '/r', { statusCode: 200, body: 'after' }, agent),
    ];
    agent.destroy();
    expect(seen.map((r) => [r.status, r.body])).toEqual([[204, ''], [304, ''], [204, ''], [200, 'after']]);
    for (const r of seen.slice(0, 3)) expect(r.rawHeaders.map((h) => h.toLowerCase())).not.toContain('content-length');
    expect(seen[2].rawHeaders.map((h) => h.toLowerCase())).not.toContain('transfer-encoding');
  });
});
