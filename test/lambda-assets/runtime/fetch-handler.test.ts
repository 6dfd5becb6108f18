import { Hono } from 'hono';
import { streamSSE, streamText } from 'hono/streaming';
import { fetchHandler } from '../../../lambda-assets/runtime';
import { createAwsLambda } from '../../../local-gateway/lambda/sandbox/awslambda';
import { invoke, parseStreamedResponse } from '../../../local-gateway/lambda/sandbox/invoke';
import { restProxyEvent } from '../../support/events';

const runtime = createAwsLambda();
const NUL8 = '\0'.repeat(8);

afterEach(() => jest.restoreAllMocks());

/**
 * A sink that records what reaches the "client", and a promise for the first payload byte (after
 * the metadata and delimiter): a body that waits on it before its next chunk proves the first chunk
 * was sent on, not buffered until the end (a buffering adapter would never end).
 */
function client() {
  const received: Buffer[] = [];
  let firstByte!: () => void;
  const firstPayload = new Promise<void>((resolve) => (firstByte = resolve));
  const sink = {
    write(chunk: Buffer, done: () => void) {
      received.push(chunk);
      const all = Buffer.concat(received);
      const at = all.indexOf(Buffer.alloc(8));
      if (at >= 0 && all.length > at + 8) firstByte();
      done();
    },
  };
  return { sink, firstPayload, text: () => Buffer.concat(received).toString() };
}

const echo = async (request: Request) => Response.json({
  method: request.method,
  url: request.url,
  accept: request.headers.get('accept'),
  cookie: request.headers.get('cookie'),
  body: await request.text(),
});

describe('the request', () => {
  test('method, absolute URL with the stage and multi-value query, multi-value headers, cookies, base64 body', async () => {
    // GIVEN
    const handler = fetchHandler(echo, { runtime });
    const event = restProxyEvent({
      httpMethod: 'POST',
      path: '/mcp/items',
      headers: { 'Host': 'abc.execute-api.us-east-1.amazonaws.com', 'X-Forwarded-Proto': 'https', 'Accept': 'ignored when multi-value', 'Cookie': 'a=1' },
      multiValueHeaders: { Accept: ['application/json', 'text/event-stream'], Cookie: ['a=1', 'b=2'] },
      queryStringParameters: { tag: 'y', q: 'a b' },
      multiValueQueryStringParameters: { tag: ['x', 'y'], q: ['a b'] },
      body: Buffer.from('{"hello":"wörld"}').toString('base64'),
      isBase64Encoded: true,
    });
    event.requestContext.path = '/prod/mcp/items';
    // WHEN
    const { metadata, body } = parseStreamedResponse((await invoke(handler, event)).body);
    // THEN
    expect(metadata.statusCode).toBe(200);
    expect(JSON.parse(body.toString())).toEqual({
      method: 'POST',
      url: 'https://abc.execute-api.us-east-1.amazonaws.com/prod/mcp/items?tag=x&tag=y&q=a+b',
      accept: 'application/json, text/event-stream',
      cookie: 'a=1; b=2',
      body: '{"hello":"wörld"}',
    });
  });

  test('the stage when the event has no requestContext.path; basePath replaces it (custom domains)', async () => {
    const event = restProxyEvent({ path: '/x', headers: { host: 'api.example.com' } });
    delete event.requestContext.path;
    const url = async (options = {}) => {
      const { body } = parseStreamedResponse((await invoke(fetchHandler(echo, { runtime, ...options }), event)).body);
      return JSON.parse(body.toString()).url;
    };
    expect(await url()).toBe('https://api.example.com/local/x');
    expect(await url({ basePath: '' })).toBe('https://api.example.com/x');
    expect(await url({ basePath: '/v1' })).toBe('https://api.example.com/v1/x');
  });
});

describe('the response', () => {
  test('status, headers, several Set-Cookie as cookies, framing headers dropped', async () => {
    const handler = fetchHandler(() => {
      const headers = new Headers({ 'content-type': 'text/plain', 'content-length': '2', 'connection': 'keep-alive', 'x-a': '1' });
      headers.append('set-cookie', 'a=1; Secure');
      headers.append('set-cookie', 'b=2; Expires=Wed, 21 Oct 2026 07:28:00 GMT');
      return new Response('ok', { status: 201, headers });
    }, { runtime });
    const { metadata, body } = parseStreamedResponse((await invoke(handler, restProxyEvent())).body);
    expect(metadata).toEqual({ statusCode: 201, headers: { 'content-type': 'text/plain', 'x-a': '1' }, cookies: ['a=1; Secure', 'b=2; Expires=Wed, 21 Oct 2026 07:28:00 GMT'] });
    expect(body.toString()).toBe('ok');
  });

  test.each([204, 202, 304])('a body-less %i still writes the metadata', async (status) => {
    const handler = fetchHandler(() => new Response(null, { status, headers: { etag: '"1"' } }), { runtime });
    const result = await invoke(handler, restProxyEvent());
    expect(result.outcome).toBe('ended');
    expect(result.body.toString()).toBe(`{"statusCode":${status},"headers":{"etag":"\\"1\\""}}${NUL8}`);
  });

  test('a plain Response stream is sent chunk by chunk', async () => {
    const { sink, firstPayload, text } = client();
    const handler = fetchHandler(() => new Response(new ReadableStream({
      async start(controller) {
        controller.enqueue(new TextEncoder().encode('first;'));
        await firstPayload; // sent on before the rest exists
        controller.enqueue(new TextEncoder().encode('second'));
        controller.close();
      },
    })), { runtime });
    const result = await invoke(handler, restProxyEvent(), { sink });
    expect(result.outcome).toBe('ended');
    expect(parseStreamedResponse(Buffer.from(text())).body.toString()).toBe('first;second');
  });

  test('backpressure: the body is read only as fast as the client takes it', async () => {
    // GIVEN a body of 64 chunks of 64 KiB, made on demand, and a client that takes each chunk later
    const CHUNK = 64 * 1024;
    let produced = 0;
    let delivered = 0;
    let mostAhead = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (produced == 64) return controller.close();
        produced++;
        mostAhead = Math.max(mostAhead, produced * CHUNK - delivered);
        controller.enqueue(new Uint8Array(CHUNK));
      },
    }, { highWaterMark: 0 });
    const sink = { write: (chunk: Buffer, done: () => void) => setImmediate(() => ((delivered += chunk.length), done())) };
    // WHEN
    const result = await invoke(fetchHandler(() => new Response(body), { runtime }), restProxyEvent(), { sink, timeoutMs: 20_000 });
    // THEN: a few chunks ahead at most, never the whole 4 MiB
    expect(result.outcome).toBe('ended');
    expect(delivered).toBeGreaterThanOrEqual(64 * CHUNK);
    expect(mostAhead).toBeLessThanOrEqual(4 * CHUNK);
  });

  test('an error thrown by the fetch function is a JSON 500', async () => {
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const handler = fetchHandler(() => { throw new Error('secret detail'); }, { runtime });
    const { metadata, body } = parseStreamedResponse((await invoke(handler, restProxyEvent())).body);
    expect(metadata).toEqual({ statusCode: 500, headers: { 'content-type': 'application/json' } });
    expect(JSON.parse(body.toString())).toEqual({ message: 'Internal Server Error', errorType: 'Error' });
  });

  test('a body that fails after its first byte ends the stream cleanly, its bytes kept', async () => {
    const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const handler = fetchHandler(() => new Response(new ReadableStream({
      pull(controller) {
        if (logged.mock.calls.length == 0 && !(controller as unknown as { sent?: boolean }).sent) {
          (controller as unknown as { sent?: boolean }).sent = true;
          controller.enqueue(new TextEncoder().encode('partial'));
        } else {
          controller.error(new Error('upstream broke'));
        }
      },
    })), { runtime });
    const result = await invoke(handler, restProxyEvent());
    expect(result.outcome).toBe('ended');
    expect(parseStreamedResponse(result.body).body.toString()).toBe('partial');
    expect(String(logged.mock.calls[0][0])).toMatch(/upstream broke/);
  });
});

describe('Hono', () => {
  // The URL carries the stage (as the client sent it): the app is mounted under any stage.
  const app = new Hono().basePath('/:stage')
    .get('/hello/:name', (c) => c.text(`Hello ${c.req.param('name')} ${c.req.query('x')}`))
    .post('/echo', async (c) => c.json(await c.req.json(), 201))
    .get('/text', (c) => streamText(c, async (stream) => {
      await stream.write('one;');
      await (c.env as { firstPayload: Promise<void> }).firstPayload;
      await stream.write('two');
    }))
    .get('/sse', (c) => streamSSE(c, async (stream) => {
      await stream.writeSSE({ event: 'step', data: '1', id: 'a' });
      await (c.env as { firstPayload: Promise<void> }).firstPayload;
      await stream.writeSSE({ data: 'done' });
    }));

  test('routes, params, query and JSON bodies', async () => {
    const handler = fetchHandler((request) => app.fetch(request), { runtime });
    const hello = parseStreamedResponse((await invoke(handler, restProxyEvent({ path: '/hello/ann', multiValueQueryStringParameters: { x: ['1'] } }))).body);
    expect(hello.body.toString()).toBe('Hello ann 1');
    expect(hello.metadata.headers).toEqual({ 'content-type': expect.stringMatching(/^text\/plain/) });
    const echoed = parseStreamedResponse((await invoke(handler, restProxyEvent({ httpMethod: 'POST', path: '/echo', headers: { 'content-type': 'application/json' }, body: '{"a":[1]}' }))).body);
    expect(echoed.metadata.statusCode).toBe(201);
    expect(JSON.parse(echoed.body.toString())).toEqual({ a: [1] });
  });

  test.each([
    ['/text', 'one;two', 'text/plain; charset=UTF-8'],
    ['/sse', 'event: step\ndata: 1\nid: a\n\ndata: done\n\n', 'text/event-stream'],
  ])('%s streams: the first chunk reaches the client before the next is written', async (path, expected, type) => {
    const { sink, firstPayload, text } = client();
    const handler = fetchHandler((request) => app.fetch(request, { firstPayload }), { runtime });
    const result = await invoke(handler, restProxyEvent({ path }), { sink });
    const { metadata, body } = parseStreamedResponse(Buffer.from(text()));
    expect(result.outcome).toBe('ended');
    expect(metadata.headers!['content-type']).toBe(type);
    expect(metadata.headers!['transfer-encoding']).toBeUndefined();
    expect(body.toString()).toBe(expected);
  });
});

describe('the deadline', () => {
  test('request.signal aborts with a DeadlineError deadlineMarginMs before the deadline; the handler answers', async () => {
    const handler = fetchHandler((request) => new Promise<Response>((resolve) => {
      request.signal.addEventListener('abort', () => resolve(new Response(`aborted: ${(request.signal.reason as Error).name}`)));
    }), { runtime, deadlineMarginMs: 1000 });
    const result = await invoke(handler, restProxyEvent(), { timeoutMs: 1300 });
    expect(result.outcome).toBe('ended');
    expect(parseStreamedResponse(result.body).body.toString()).toBe('aborted: DeadlineError');
  });

  test('a body still open at the hard stop is ended cleanly before the function times out', async () => {
    const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const handler = fetchHandler(() => new Response(new ReadableStream({
      start(controller) { controller.enqueue(new TextEncoder().encode('started')); },
    })), { runtime, deadlineMarginMs: 400, hardStopMarginMs: 300 });
    const result = await invoke(handler, restProxyEvent(), { timeoutMs: 700 });
    expect(result.outcome).toBe('ended');
    expect(parseStreamedResponse(result.body).body.toString()).toBe('started');
    expect(logged).toHaveBeenCalledWith(expect.objectContaining({ name: 'DeadlineError' })); // the function's log says why it was cut
  });

  test('a fetch function that never answers gets a 504 before the function times out', async () => {
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const handler = fetchHandler(() => new Promise<Response>(() => undefined), { runtime, deadlineMarginMs: 400, hardStopMarginMs: 300 });
    const result = await invoke(handler, restProxyEvent(), { timeoutMs: 700 });
    expect(result.outcome).toBe('ended');
    expect(parseStreamedResponse(result.body).metadata.statusCode).toBe(504);
  });
});
