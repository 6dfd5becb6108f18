import * as http from 'http';
import type { AddressInfo } from 'net';
import { chunkedHandler, TestRoute } from './support/assembly';
import { curl, fetchStream } from './support/clients';
import { serve, until } from './support/serve';

// The gateway against hand-built assemblies and raw handlers: one test per row of the fault matrix
// of API Gateway REST response streaming (the behaviour table of docs/local-gateway.md), with real
// clients on 127.0.0.1.

const SSE = chunkedHandler({ statusCode: 200, headers: { 'content-type': 'text/event-stream' } }, ['data: 1\n\n', 'data: 2\n\n', 'data: 3\n\n', 'data: 4\n\n'], 150);

describe('streaming', () => {
  test('curl --no-buffer receives chunks before the stream ends, with chunked transfer', async () => {
    // GIVEN
    const { url } = await serve([{ path: '/sse', code: SSE }]);
    // WHEN
    const seen = await curl(['-i', `${url}/sse`]);
    // THEN
    expect(seen.exitCode).toBe(0);
    expect(seen.body).toMatch(/^HTTP\/1.1 200/);
    expect(seen.body.toLowerCase()).toContain('transfer-encoding: chunked');
    expect(seen.body).toContain('data: 1\n\ndata: 2\n\ndata: 3\n\ndata: 4\n\n');
    expect(seen.arrivals.length).toBeGreaterThanOrEqual(3);
    expect(seen.arrivals[0]).toBeLessThan(seen.totalMs - 350);
  });

  test('Node fetch reads the chunks as they arrive; the access log records STREAMED and the timings', async () => {
    const { url, logs } = await serve([{ path: '/sse', code: SSE }]);
    const seen = await fetchStream(`${url}/sse`);
    expect(seen.body.toString()).toBe('data: 1\n\ndata: 2\n\ndata: 3\n\ndata: 4\n\n');
    expect(seen.arrivals.length).toBeGreaterThanOrEqual(3);
    expect(seen.arrivals[seen.arrivals.length - 1] - seen.arrivals[0]).toBeGreaterThan(300);
    await until(() => logs.length > 0, 'the access-log entry'); // (written as the response ends)
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ httpMethod: 'GET', resourcePath: '/sse', status: '200', responseTransferMode: 'STREAMED', responseLength: '36' });
    expect(Number(logs[0].timeToFirstContent)).toBeLessThan(Number(logs[0].integrationLatency));
    expect(Number(logs[0].timeToAllHeaders)).toBeLessThanOrEqual(Number(logs[0].timeToFirstContent));
    expect(Object.keys(logs[0])).toEqual(['requestId', 'ip', 'caller', 'user', 'requestTime', 'httpMethod', 'resourcePath', 'status', 'protocol',
      'responseLength', 'integrationLatency', 'responseLatency', 'responseTransferMode', 'timeToAllHeaders', 'timeToFirstContent']);
  });

  test('a BUFFERED route sends everything at the end with Content-Length', async () => {
    const { url, logs } = await serve([{ path: '/sse', code: SSE, mode: 'BUFFERED' }]);
    const seen = await fetchStream(`${url}/sse`);
    expect(seen.headers['content-length']).toBe('36');
    expect(seen.arrivals[0]).toBeGreaterThan(450);
    await until(() => logs.length > 0, 'the access-log entry');
    expect(logs[0].responseTransferMode).toBe('BUFFERED');
  });

  test('forceBuffered serves a STREAM route buffered, to compare', async () => {
    const { url } = await serve([{ path: '/sse', code: SSE }], { forceBuffered: true });
    const seen = await fetchStream(`${url}/sse`);
    expect(seen.headers['content-length']).toBe('36');
    expect(seen.arrivals).toHaveLength(1);
  });
});

describe('metadata', () => {
  test('status, headers; multiValueHeaders win over headers; each cookie its own Set-Cookie; no compression', async () => {
    const code = chunkedHandler({
      statusCode: 201,
      headers: { 'x-one': 'single', 'x-both': 'from-headers', 'content-type': 'text/plain' },
      multiValueHeaders: { 'x-both': ['from-multi-1', 'from-multi-2'] },
      cookies: ['a=1; Path=/', 'b=2; HttpOnly'],
    }, ['hello']);
    const { url } = await serve([{ path: '/m', code }]);
    const seen = await curl(['-i', '-H', 'Accept-Encoding: gzip', `${url}/m`]);
    expect(seen.body).toMatch(/^HTTP\/1.1 201/);
    expect(seen.body).toMatch(/x-one: single/i);
    expect(seen.body).toMatch(/x-both: from-multi-1\r\nx-both: from-multi-2/i);
    expect(seen.body).not.toMatch(/from-headers/);
    expect(seen.body).toMatch(/set-cookie: a=1; Path=\/\r\nset-cookie: b=2; HttpOnly/i);
    expect(seen.body).not.toMatch(/content-encoding/i);
    expect(seen.body.endsWith('hello')).toBe(true);
  });

  test('empty metadata means 200', async () => {
    const { url } = await serve([{ path: '/m', code: chunkedHandler({}, ['ok']) }]);
    const seen = await fetchStream(`${url}/m`);
    expect(seen.status).toBe(200);
    expect(seen.body.toString()).toBe('ok');
  });

  test.each([
    ['no delimiter in the first 16 KB', 'exports.handler = awslambda.streamifyResponse(async (e, s) => { s.write(\'x\'.repeat(20000)); s.end(); });', /no metadata delimiter/],
    ['invalid JSON', 'exports.handler = awslambda.streamifyResponse(async (e, s) => { s.write(\'{not json\'); s.write(Buffer.alloc(8)); s.write(\'body\'); s.end(); });', /invalid response metadata/],
    ['an unknown key', chunkedHandler({ statusCode: 200, body: 'x' }, ['body']), /unknown key 'body'/],
    ['end(data) without write (the runtime trap)', 'exports.handler = awslambda.streamifyResponse(async (e, s) => { awslambda.HttpResponseStream.from(s, { statusCode: 200 }).end(\'lost\'); });', /without metadata|no metadata delimiter/],
  ])('a response with %s is a 500', async (_name, code, why) => {
    const { url, diagnostics } = await serve([{ path: '/bad', code }]);
    const seen = await fetchStream(`${url}/bad`);
    expect(seen.status).toBe(500);
    expect(JSON.parse(seen.body.toString())).toEqual({ message: 'Internal server error' });
    expect(diagnostics.join('\n')).toMatch(why);
  });
});

describe('faults', () => {
  test.each([
    ['times out', 'await new Promise((r) => setTimeout(r, 5000)); return { statusCode: 200, body: "late" };', /the function timed out/],
    ['throws', 'throw new Error("classic failure");', /the function failed: Error: classic failure/],
  ])('on the classic URI, a function that %s is a 502, as API Gateway answers a function error', async (_what, body, why) => {
    const code = `exports.handler = async (event) => { ${body} };`;
    const { url, diagnostics } = await serve([{ path: '/c', code, uri: 'classic', mode: 'BUFFERED', functionTimeoutSeconds: 1 }]);
    const seen = await fetchStream(`${url}/c`);
    expect([seen.status, JSON.parse(seen.body.toString())]).toEqual([502, { message: 'Internal server error' }]);
    expect(diagnostics.join('\n')).toMatch(why);
  });

  test('a throw before the first payload byte is a 500', async () => {
    const code = 'exports.handler = awslambda.streamifyResponse(async (e, s) => { awslambda.HttpResponseStream.from(s, { statusCode: 200 }); throw new Error(\'early\'); });';
    const { url, diagnostics } = await serve([{ path: '/f', code }]);
    const seen = await fetchStream(`${url}/f`);
    expect(seen.status).toBe(500);
    expect(diagnostics.join()).toMatch(/the function failed: Error: early/);
  });

  test('a throw after the first payload byte cuts the connection: curl reports a partial transfer (18)', async () => {
    const code = `exports.handler = awslambda.streamifyResponse(async (e, s) => {
      const h = awslambda.HttpResponseStream.from(s, { statusCode: 200 });
      h.write('partial'); await new Promise((r) => setTimeout(r, 100)); throw new Error('late'); });`;
    const { url } = await serve([{ path: '/f', code }]);
    const seen = await curl([`${url}/f`]);
    expect(seen.body).toBe('partial');
    expect(seen.exitCode).toBe(18);
  });

  test('a handler that never ends is cut at the function timeout', async () => {
    const code = 'exports.handler = awslambda.streamifyResponse(async (e, s) => { awslambda.HttpResponseStream.from(s, {}).write(\'started\'); });';
    const { url, gateway, diagnostics } = await serve([{ path: '/f', code, functionTimeoutSeconds: 1 }]);
    const seen = await curl([`${url}/f`]);
    expect(seen.body).toBe('started');
    expect(seen.exitCode).toBe(18);
    expect(seen.totalMs).toBeGreaterThan(900); // (not before it: a lower bound, which load cannot break)
    expect(diagnostics.join('\n')).toMatch(/GET \/f: the function timed out/); // the function timeout cut it, not another
    expect(gateway.workerCount).toBe(0);
  });

  test('the integration timeout before the first byte is a 504', async () => {
    const code = chunkedHandler({}, ['late'], 0).replace('for (const chunk', 'await new Promise((r) => setTimeout(r, 2000)); for (const chunk');
    const { url } = await serve([{ path: '/f', code, timeoutMs: 300 }]);
    const seen = await fetchStream(`${url}/f`);
    expect(seen.status).toBe(504);
    expect(JSON.parse(seen.body.toString())).toEqual({ message: 'Endpoint request timed out' });
  });

  test('a stream silent for longer than the idle timeout is cut', async () => {
    const { url, diagnostics } = await serve([{ path: '/f', code: chunkedHandler({}, ['a', 'b'], 1500) }], { idleTimeoutMs: 300 });
    const seen = await curl([`${url}/f`]);
    expect(seen.body).toBe('a');
    expect(seen.exitCode).toBe(18);
    expect(diagnostics.join()).toMatch(/idle timeout/);
  });

  test('the idle timeout defaults to 30 s on edge-optimized APIs and 5 minutes otherwise', async () => {
    const edge = await serve([{ path: '/f', code: chunkedHandler({}, ['a']) }], {}, 'EDGE');
    expect(edge.gateway.routes[0].endpointType).toBe('EDGE');
    const regional = await serve([{ path: '/f', code: chunkedHandler({}, ['a']) }]);
    expect(regional.gateway.routes[0].endpointType).toBe('REGIONAL');
  });

  test('the gateway keeps serving after faulty handlers', async () => {
    const bad = 'exports.handler = awslambda.streamifyResponse(async () => { process.exit(3); });';
    const { url } = await serve([{ path: '/bad', code: bad }, { path: '/good', code: chunkedHandler({}, ['fine']) }]);
    for (let i = 0; i < 3; i++) expect((await fetchStream(`${url}/bad`)).status).toBe(500);
    expect((await fetchStream(`${url}/good`)).body.toString()).toBe('fine');
  });

  test('a handler that fails to load is a 500 with the reason logged', async () => {
    const { url, diagnostics } = await serve([{ path: '/f', code: 'throw new Error("syntax of doom")' }]);
    expect((await fetchStream(`${url}/f`)).status).toBe(500);
    expect(diagnostics.join()).toMatch(/Runtime.ImportModuleError: syntax of doom/);
  });
});

describe('bandwidth shaping', () => {
  const big = `exports.handler = awslambda.streamifyResponse(async (e, s) => {
    const h = awslambda.HttpResponseStream.from(s, {});
    for (let i = 0; i < 20; i++) { if (!h.write(Buffer.alloc(64 * 1024, 97))) await new Promise((r) => h.once('drain', r)); }
    h.end(); });`;

  test('after the free bytes, the rate is capped; switched off, it is not', async () => {
    // 1.25 MiB: 256 KiB free, then 512 KiB/s -> about 2 s
    const shaped = await serve([{ path: '/big', code: big }], { shapingFreeBytes: 256 * 1024, shapingBytesPerSecond: 512 * 1024 });
    const a = await fetchStream(`${shaped.url}/big`);
    expect(a.body.length).toBe(20 * 64 * 1024);
    expect(a.totalMs).toBeGreaterThan(1700);
    const free = await serve([{ path: '/big', code: big }], { shaping: false });
    const b = await fetchStream(`${free.url}/big`);
    expect(b.body.length).toBe(20 * 64 * 1024);
    expect(b.totalMs).toBeLessThan(1500);
  });

  // One write of 1 MiB, patterned (byte i is i % 251), as a download handler writes a whole file.
  const oneWrite = `exports.handler = awslambda.streamifyResponse(async (e, s) => {
    const h = awslambda.HttpResponseStream.from(s, { headers: { 'content-type': 'application/octet-stream' } });
    h.write(Buffer.from(Array.from({ length: 1024 * 1024 }, (_, i) => i % 251))); h.end(); });`;
  const intact = (body: Buffer) => body.length === 1024 * 1024 && body.every((byte, i) => byte === i % 251);

  test('a single write larger than the free bytes starts at once with them; the rest follows at the rate, in slices', async () => {
    // 256 KiB free, then 512 KiB/s: the other 768 KiB take about 1.5 s
    const { url } = await serve([{ path: '/file', code: oneWrite }], { shapingFreeBytes: 256 * 1024, shapingBytesPerSecond: 512 * 1024 });
    const seen = await fetchStream(`${url}/file`);
    expect(intact(seen.body)).toBe(true);
    expect(seen.arrivals[0]).toBeLessThan(500);
    expect(seen.totalMs).toBeGreaterThan(1300);
    expect(seen.arrivals.filter((ms) => ms > 600).length).toBeGreaterThan(5);
  });

  test('bytes that shaping holds back count as traffic: the idle timeout does not cut them', async () => {
    // 64 KiB free, then 320 KiB/s: about 3 s of shaped bytes, against an idle timeout of 1 s
    const { url, diagnostics } = await serve([{ path: '/file', code: oneWrite }], { shapingFreeBytes: 64 * 1024, shapingBytesPerSecond: 320 * 1024, idleTimeoutMs: 1000 });
    const seen = await fetchStream(`${url}/file`);
    expect(intact(seen.body)).toBe(true);
    expect(seen.totalMs).toBeGreaterThan(2500);
    expect(diagnostics.join('\n')).not.toMatch(/idle timeout/);
  });
});

describe('the REST proxy event', () => {
  const echo = `exports.handler = awslambda.streamifyResponse(async (event, s) => {
    const h = awslambda.HttpResponseStream.from(s, { headers: { 'content-type': 'application/json' } });
    h.write(JSON.stringify(event)); h.end(); });`;

  test('path and query parameters, headers, text body, request context', async () => {
    const { url } = await serve([{ path: '/items/{id}/{rest+}', method: 'POST', code: echo }]);
    const seen = await fetchStream(`${url}/items/42/a/b?x=1&x=2&y=3`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-custom': 'v' }, body: '{"a":1}' });
    const event = JSON.parse(seen.body.toString());
    expect(event).toMatchObject({
      resource: '/items/{id}/{rest+}',
      path: '/items/42/a/b',
      httpMethod: 'POST',
      pathParameters: { id: '42', rest: 'a/b' },
      queryStringParameters: { x: '2', y: '3' },
      multiValueQueryStringParameters: { x: ['1', '2'], y: ['3'] },
      body: '{"a":1}',
      isBase64Encoded: false,
      requestContext: { stage: 'prod', resourcePath: '/items/{id}/{rest+}', httpMethod: 'POST', identity: { sourceIp: '127.0.0.1' } },
    });
    expect(event.headers['x-custom']).toBe('v');
    expect(event.multiValueHeaders['x-custom']).toEqual(['v']);
    expect(typeof event.requestContext.requestId).toBe('string');
    // requestTime in API Gateway's CLF format (dd/MMM/yyyy:HH:mm:ss +0000), the same instant as requestTimeEpoch
    const { requestTime, requestTimeEpoch } = event.requestContext;
    expect(requestTime).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    const [, day, month, year, time] = /^(\d{2})\/(\w{3})\/(\d{4}):(\S+)/.exec(requestTime)!;
    expect(Date.parse(`${day} ${month} ${year} ${time} GMT`)).toBe(Math.floor(requestTimeEpoch / 1000) * 1000);
  });

  test('query parameters and headers named like Object.prototype members are the client\'s own, and cut no other stream', async () => {
    // One function: `?slow` streams for a while; anything else echoes what it was given. Under the
    // default shared isolation both run on one thread, which a throw in the gateway's event code would end.
    const code = `exports.handler = awslambda.streamifyResponse(async (event, s) => {
      const h = awslambda.HttpResponseStream.from(s, { headers: { 'content-type': 'application/json' } });
      if (event.queryStringParameters && event.queryStringParameters.slow) {
        for (let i = 0; i < 5; i++) { h.write('line ' + i + '\\n'); await new Promise((r) => setTimeout(r, 100)); }
      } else {
        const q = event.queryStringParameters, mq = event.multiValueQueryStringParameters;
        h.write(JSON.stringify({ keys: Object.keys(q), q, mq, proto: Object.getPrototypeOf(q) === Object.prototype,
          h: event.headers.constructor, mh: event.multiValueHeaders.constructor, toString: typeof event.headers.toString }));
      }
      h.end(); });`;
    const { url } = await serve([{ path: '/e', code }]);
    // (fetch resolves with the headers, which come with the first line: the slow stream is under way)
    const slow = await fetch(`${url}/e?slow=1`);
    const seen = await curl(['-H', 'constructor: a', `${url}/e?constructor=1&__proto__=2&toString=3&toString=4&hasOwnProperty=5`]);
    const event = JSON.parse(seen.body);
    expect(event.keys).toEqual(['constructor', '__proto__', 'toString', 'hasOwnProperty']);
    expect([event.q.constructor, event.q.__proto__, event.q.toString, event.q.hasOwnProperty]).toEqual(['1', '2', '4', '5']);
    expect([event.mq.constructor, event.mq.__proto__, event.mq.toString]).toEqual([['1'], ['2'], ['3', '4']]);
    expect(event).toMatchObject({ proto: true, h: 'a', mh: ['a'], toString: 'function' });
    expect(await slow.text()).toBe('line 0\nline 1\nline 2\nline 3\nline 4\n');
  });

  test('a GET without a body, and a POST with an empty one, both give a null body', async () => {
    const { url } = await serve([{ path: '/e', method: 'ANY', code: echo }]);
    const get = JSON.parse((await fetchStream(`${url}/e`)).body.toString());
    const post = JSON.parse((await fetchStream(`${url}/e`, { method: 'POST', body: '' })).body.toString());
    const chunked = await curl(['-X', 'POST', '-H', 'transfer-encoding: chunked', '--data-binary', 'abc', `${url}/e`]);
    expect([get.body, post.body]).toEqual([null, null]);
    expect(JSON.parse(chunked.body).body).toBe('abc');
  });

  test('a binary body is base64-encoded', async () => {
    const { url } = await serve([{ path: '/b', method: 'PUT', code: echo }], {}, undefined, { binaryMediaTypes: ['application/octet-stream'] });
    const bytes = Buffer.from([0, 1, 2, 255]);
    const seen = await fetchStream(`${url}/b`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: bytes });
    const event = JSON.parse(seen.body.toString());
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body, 'base64')).toEqual(bytes);
  });

  test('ANY matches every method; a literal route wins over a parameter', async () => {
    const { url } = await serve([
      { path: '/{any}', method: 'ANY', code: chunkedHandler({}, ['param']) },
      { path: '/fixed', method: 'GET', code: chunkedHandler({}, ['literal']) },
    ]);
    expect((await fetchStream(`${url}/fixed`)).body.toString()).toBe('literal');
    expect((await fetchStream(`${url}/other`, { method: 'DELETE' })).body.toString()).toBe('param');
  });
});

describe('routes the gateway does not serve', () => {
  test('an unknown path or method is API Gateway\'s 403', async () => {
    const { url } = await serve([{ path: '/a', method: 'GET', code: chunkedHandler({}, ['a']) }]);
    for (const [path, method] of [['/nope', 'GET'], ['/a', 'POST']]) {
      const seen = await fetchStream(`${url}${path}`, { method });
      expect(seen.status).toBe(403);
      expect(JSON.parse(seen.body.toString())).toEqual({ message: 'Missing Authentication Token' });
    }
  });

  test.each([
    [{ path: '/mock', integrationType: 'AWS', code: '' }, /AWS integrations are not emulated/],
    [{ path: '/py', runtime: 'python3.13', code: '' }, /runtime python3.13 is not emulated/],
  ])('an unsupported route is a 501 that says why (%j)', async (route, why) => {
    const { url } = await serve([route as TestRoute]);
    const seen = await fetchStream(`${url}${route.path}`);
    expect(seen.status).toBe(501);
    expect(JSON.parse(seen.body.toString()).message).toMatch(why);
  });

  test('a request body over 10 MB is a 413', async () => {
    const { url } = await serve([{ path: '/a', method: 'POST', code: chunkedHandler({}, ['a']) }]);
    const seen = await fetchStream(`${url}/a`, { method: 'POST', body: Buffer.alloc(10 * 1024 * 1024 + 1) });
    expect(seen.status).toBe(413);
  });
});

describe('HTTP_PROXY', () => {
  let backend: http.Server;
  let backendUrl: string;
  beforeAll(async () => {
    backend = http.createServer((req, res) => {
      res.writeHead(207, { 'content-type': 'text/plain', 'x-backend': req.url ?? '' });
      let n = 0;
      const timer = setInterval(() => {
        res.write(`part ${n}\n`);
        if (++n === 4) {
          clearInterval(timer);
          res.end();
        }
      }, 120);
    });
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
    backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => backend.close(() => r())));

  test('relays status, headers and body as the backend sends them, through a --backend override', async () => {
    const { url } = await serve([{ path: '/p/{proxy+}', method: 'ANY', url: 'https://backend.example.com/{proxy}' }], { backends: { 'https://backend.example.com': backendUrl } });
    const seen = await fetchStream(`${url}/p/deep/path?q=1`);
    expect(seen.status).toBe(207);
    expect(seen.headers['x-backend']).toBe('/deep/path?q=1');
    expect(seen.body.toString()).toBe('part 0\npart 1\npart 2\npart 3\n');
    expect(seen.arrivals.length).toBeGreaterThanOrEqual(3);
  });

  test('an unreachable backend is a 502', async () => {
    const { url, diagnostics } = await serve([{ path: '/p', url: 'http://127.0.0.1:9/' }]);
    const seen = await fetchStream(`${url}/p`);
    expect(seen.status).toBe(502);
    expect(diagnostics.join()).toMatch(/backend http:\/\/127.0.0.1:9 failed/);
  });
});
