import { Readable, Writable } from 'stream';
import { HttpError, ndjson, pipe, sse, streamingHandler, encodeSseEvent, encodeSseComment, validateMetadata } from '../../../lambda-assets/runtime';
import type { LambdaResponseStream } from '../../../lambda-assets/runtime';
import { createAwsLambda, installAwsLambda, uninstallAwsLambda } from '../../../local-gateway/lambda/sandbox/awslambda';
import { invoke, parseStreamedResponse } from '../../../local-gateway/lambda/sandbox/invoke';
import { restProxyEvent } from '../../support/events';

const runtime = createAwsLambda();
const NUL8 = '\0'.repeat(8);
const quiet = () => jest.spyOn(console, 'error').mockImplementation(() => undefined);

afterEach(() => jest.restoreAllMocks());

describe('frames', () => {
  test('exact bytes: metadata JSON, 8 NULs, SSE frames', async () => {
    // GIVEN
    const handler = streamingHandler(async (_e, response) => {
      const events = sse(response, { heartbeatMs: 0 });
      await events.send({ event: 'token', id: '1', data: 'Hel' });
      await events.send({ data: { text: 'lo' } });
      await events.send({ data: 'two\nlines', retry: 5000 });
      await events.comment('note');
    }, { runtime });
    // WHEN
    const result = await invoke(handler, restProxyEvent());
    // THEN
    expect(result.body.toString()).toBe(
      '{"statusCode":200,"headers":{"content-type":"text/event-stream; charset=utf-8","cache-control":"no-cache"}}' + NUL8 +
      'event: token\nid: 1\ndata: Hel\n\n' +
      'data: {"text":"lo"}\n\n' +
      'retry: 5000\ndata: two\ndata: lines\n\n' +
      ': note\n\n' +
      'id: ~end\n\n', // the handler returned: the stream is marked finished
    );
    expect(result.outcome).toBe('ended');
  });

  test('an empty body still sends the metadata and the delimiter', async () => {
    const handler = streamingHandler(async (_e, response) => {
      response.status(204);
    }, { runtime });
    const result = await invoke(handler, restProxyEvent());
    expect(result.body.toString()).toBe(`{"statusCode":204,"headers":{}}${NUL8}`);
  });

  test('status, headers, multi-value headers and cookies reach the metadata', async () => {
    const handler = streamingHandler(async (_e, response) => {
      response.status(201).header('X-A', '1').header('x-a', '2').multiValueHeader('x-many', ['a', 'b']).cookie('a=1; Secure').cookie('b=2');
      await response.end('ok');
    }, { runtime });
    const { metadata, body } = parseStreamedResponse((await invoke(handler, restProxyEvent())).body);
    expect(metadata).toEqual({ statusCode: 201, headers: { 'x-a': '2' }, multiValueHeaders: { 'x-many': ['a', 'b'] }, cookies: ['a=1; Secure', 'b=2'] });
    expect(body.toString()).toBe('ok');
  });

  test('NDJSON lines', async () => {
    const handler = streamingHandler(async (_e, response) => {
      const lines = ndjson(response);
      await lines.send({ n: 1 });
      await lines.send([2]);
    }, { runtime });
    const { metadata, body } = parseStreamedResponse((await invoke(handler, restProxyEvent())).body);
    expect(metadata.headers).toEqual({ 'content-type': 'application/x-ndjson' });
    expect(body.toString()).toBe('{"n":1}\n[2]\n');
  });

  test('SSE encoding rejects line breaks in names and ids, and bad retry', () => {
    expect(() => encodeSseEvent({ event: 'a\nb', data: 1 })).toThrow(/SSE event cannot contain line breaks/);
    expect(() => encodeSseEvent({ id: 'a\rb', data: 1 })).toThrow(/SSE id cannot contain line breaks/);
    expect(() => encodeSseEvent({ id: 'a\0b', data: 1 })).toThrow(/NUL/);
    expect(() => encodeSseEvent({ retry: -1, data: 1 })).toThrow(/whole number/);
    expect(encodeSseComment('a\nb')).toBe(': a\n: b\n\n');
  });
});

describe('metadata validation', () => {
  test.each([
    [{ statusCode: 99 }, /statusCode 99 is not 100..599/],
    [{ statusCode: 600 }, /statusCode 600 is not 100..599/],
    [{ statusCode: 200.5 }, /statusCode 200.5 is not/],
    [{ headers: { 'x-n': 1 } }, /headers\['x-n'\] must be a string without control characters \(CR, LF, NUL/],
    [{ headers: { 'bad name': 'v' } }, /name 'bad name' is invalid/],
    [{ headers: { a: 'x\r\nInjected: 1' } }, /must be a string without control characters \(CR, LF, NUL/],
    [{ multiValueHeaders: { a: 'x' } }, /multiValueHeaders\['a'\] must be an array/],
    [{ multiValueHeaders: { a: ['ok', 2] } }, /multiValueHeaders\['a'\] must be a string/],
    [{ cookies: 'a=1' }, /cookies must be an array/],
    [{ cookies: [1] }, /cookies\[0\] must be a string/],
    [{ body: 'x' }, /unknown key 'body' \(allowed: statusCode, headers, multiValueHeaders, cookies\)/],
    [null, /not an object/],
  ])('%j is rejected', (metadata, message) => {
    expect(() => validateMetadata(metadata as any)).toThrow(message);
  });

  test('a bad header fails with a clean 500, never a bad frame', async () => {
    quiet();
    const handler = streamingHandler(async (_e, response) => {
      response.header('x-bad', 'a\nb');
      await response.write('never');
    }, { runtime });
    const { metadata, body } = parseStreamedResponse((await invoke(handler, restProxyEvent())).body);
    expect(metadata).toEqual({ statusCode: 500, headers: { 'content-type': 'application/json' } });
    expect(JSON.parse(body.toString())).toEqual({ message: 'Internal Server Error', errorType: 'MetadataError' });
  });
});

describe('errors', () => {
  test('a throw before the first byte answers a JSON error with the HttpError status', async () => {
    const handler = streamingHandler(async () => {
      throw new HttpError(404, 'No such conversation', { id: 'c1' });
    }, { runtime });
    const result = await invoke(handler, restProxyEvent());
    const { metadata, body } = parseStreamedResponse(result.body);
    expect(metadata.statusCode).toBe(404);
    expect(JSON.parse(body.toString())).toEqual({ message: 'No such conversation', errorType: 'HttpError', id: 'c1' });
    expect(result.outcome).toBe('ended');
  });

  test('an unexpected throw before the first byte is a 500 that hides the message', async () => {
    const log = quiet();
    const handler = streamingHandler(async (_e, response) => {
      response.header('x-set-before', 'yes');
      throw new Error('database password is hunter2');
    }, { runtime });
    const { metadata, body } = parseStreamedResponse((await invoke(handler, restProxyEvent())).body);
    expect(metadata).toEqual({ statusCode: 500, headers: { 'content-type': 'application/json' } });
    expect(body.toString()).not.toContain('hunter2');
    expect(log).toHaveBeenCalled();
  });

  test('a throw after the first SSE byte becomes an error event, then a clean end', async () => {
    quiet();
    const handler = streamingHandler(async (_e, response) => {
      const events = sse(response, { heartbeatMs: 0 });
      await events.data('first');
      throw new HttpError(502, 'upstream broke');
    }, { runtime });
    const result = await invoke(handler, restProxyEvent());
    expect(result.outcome).toBe('ended');
    expect(parseStreamedResponse(result.body).body.toString()).toBe('data: first\n\nevent: error\ndata: {"message":"upstream broke","errorType":"HttpError"}\n\nid: ~end\n\n');
  });

  test('a throw after the first NDJSON line becomes an error line', async () => {
    quiet();
    const handler = streamingHandler(async (_e, response) => {
      await ndjson(response).send({ n: 1 });
      throw new Error('secret');
    }, { runtime });
    const body = parseStreamedResponse((await invoke(handler, restProxyEvent())).body).body.toString();
    expect(body).toBe('{"n":1}\n{"error":{"message":"Internal Server Error","errorType":"Error"}}\n');
  });

  test('a throw after the first raw byte cuts the stream with error trailers (documented)', async () => {
    quiet();
    const handler = streamingHandler(async (_e, response) => {
      await response.write('partial');
      throw new RangeError('disk gone');
    }, { runtime });
    const result = await invoke(handler, restProxyEvent());
    expect(result.outcome).toBe('error');
    expect(result.error).toEqual({ errorType: 'RangeError', errorMessage: 'disk gone' });
    expect(parseStreamedResponse(result.body).body.toString()).toBe('partial');
  });

  test('write() after end() and status() after the first byte are refused', async () => {
    const seen: string[] = [];
    const handler = streamingHandler(async (_e, response) => {
      await response.write('a');
      try { response.status(404); } catch (e) { seen.push((e as Error).message); }
      await response.end();
      await response.end();
      try { await response.write('b'); } catch (e) { seen.push((e as Error).message); }
    }, { runtime });
    await invoke(handler, restProxyEvent());
    expect(seen).toEqual(['status() after the first byte', 'write() after end()']);
  });
});

describe('deadline and abort', () => {
  test('a never-ending handler is ended cleanly before the function timeout, and its signal fires', async () => {
    quiet();
    let aborted: unknown;
    const handler = streamingHandler(async (_e, response) => {
      response.signal.addEventListener('abort', () => (aborted = response.signal.reason));
      await sse(response, { heartbeatMs: 0 }).data('started');
      await new Promise(() => undefined);
    }, { runtime, deadlineMarginMs: 2800 });
    // (the signal fires 200 ms in, the function times out at 3 s: 'ended' is the runtime's doing)
    const result = await invoke(handler, restProxyEvent(), { timeoutMs: 3000 });
    expect(result.outcome).toBe('ended');
    expect((aborted as Error).name).toBe('DeadlineError');
    expect(parseStreamedResponse(result.body).body.toString()).toMatch(/data: started\n\nevent: error\ndata: .*"errorType":"DeadlineError"/);
  });

  test('a handler that honours the signal stops its producer', async () => {
    quiet();
    let produced = 0;
    let atAbort: number | undefined;
    let stopped!: () => void;
    const producerStopped = new Promise<void>((resolve) => (stopped = resolve));
    const handler = streamingHandler(async (_e, response) => {
      response.signal.addEventListener('abort', () => (atAbort = produced));
      const events = sse(response, { heartbeatMs: 0 });
      while (!response.signal.aborted) {
        await events.data(produced++);
        await new Promise((r) => setTimeout(r, 10));
      }
      stopped();
    }, { runtime, deadlineMarginMs: 2800 });
    const result = await invoke(handler, restProxyEvent(), { timeoutMs: 3000 });
    expect(result.outcome).toBe('ended');
    await producerStopped;
    expect(atAbort).toBeGreaterThan(0); // it produced until the signal…
    expect(produced).toBe(atAbort); // …and nothing after it
  });

  test('the signal fires when the response ends, so background work can stop', async () => {
    let signal: AbortSignal | undefined;
    const handler = streamingHandler(async (_e, response) => {
      signal = response.signal;
      await response.end('done');
    }, { runtime });
    await invoke(handler, restProxyEvent());
    expect(signal?.aborted).toBe(true);
  });

  test('the heartbeat sends keep-alive comments while the handler is silent, and stops at the end', async () => {
    // The handler stays silent until two keep-alives have gone out, however long the machine takes.
    const chunks: Buffer[] = [];
    let twoSent!: () => void;
    const twoHeartbeats = new Promise<void>((resolve) => (twoSent = resolve));
    const sink = {
      write: (chunk: Buffer, done: () => void) => {
        chunks.push(chunk);
        if ((Buffer.concat(chunks).toString().match(/: keep-alive\n\n/g) ?? []).length >= 2) twoSent();
        done();
      },
    };
    const handler = streamingHandler(async (_e, response) => {
      const events = sse(response, { heartbeatMs: 40 });
      await events.data('a');
      await twoHeartbeats;
      await events.data('b');
    }, { runtime });
    expect((await invoke(handler, restProxyEvent(), { sink })).outcome).toBe('ended');
    const body = parseStreamedResponse(Buffer.concat(chunks)).body.toString();
    expect(body.startsWith('data: a\n\n')).toBe(true);
    expect(body.endsWith('data: b\n\nid: ~end\n\n')).toBe(true);
    expect(body.match(/: keep-alive\n\n/g)!.length).toBeGreaterThanOrEqual(2);
  });

  test('the wrapper sets callbackWaitsForEmptyEventLoop to false', async () => {
    let value: boolean | undefined;
    const handler = streamingHandler(async (_e, response, context) => {
      value = context.callbackWaitsForEmptyEventLoop;
      await response.end();
    }, { runtime });
    await invoke(handler, restProxyEvent());
    expect(value).toBe(false);
  });
});

describe('pipe', () => {
  const expected = 'abc';
  test.each([
    ['an async iterable', () => (async function* () { yield 'a'; yield Buffer.from('b'); yield new TextEncoder().encode('c'); })()],
    ['a Node Readable', () => Readable.from(['a', 'b', 'c'])],
    ['a web ReadableStream', () => new ReadableStream<string>({ start(c) { c.enqueue('a'); c.enqueue('b'); c.enqueue('c'); c.close(); } })],
  ])('from %s', async (_name, source) => {
    const handler = streamingHandler(async (_e, response) => {
      await pipe(response, source() as any);
    }, { runtime });
    expect(parseStreamedResponse((await invoke(handler, restProxyEvent())).body).body.toString()).toBe(expected);
  });
});

describe('backpressure', () => {
  test('50 MB through a slow consumer keeps memory flat', async () => {
    // GIVEN: a consumer that takes 64 KiB at a time, asynchronously
    let received = 0;
    const consumer = new Writable({
      highWaterMark: 64 * 1024,
      write(chunk: Buffer, _e, cb) {
        received += chunk.length;
        setImmediate(cb);
      },
    });
    const chunk = Buffer.alloc(64 * 1024, 120);
    const total = 50 * 1024 * 1024;
    let peak = 0;
    const before = process.memoryUsage().rss;
    const handler = streamingHandler(async (_e, response) => {
      for (let sent = 0; sent < total; sent += chunk.length) {
        await response.write(chunk);
        if (sent % (4 * 1024 * 1024) === 0) peak = Math.max(peak, process.memoryUsage().rss - before);
      }
    }, { runtime });
    // WHEN
    const result = await invoke(handler, restProxyEvent(), { sink: consumer, timeoutMs: 60_000 });
    // THEN
    expect(result.outcome).toBe('ended');
    expect(received).toBeGreaterThanOrEqual(total);
    expect(peak).toBeLessThan(64 * 1024 * 1024);
  });
});

describe('compatibility', () => {
  afterEach(() => uninstallAwsLambda());

  test('plain streamifyResponse handlers work beside wrapped ones on the same global', async () => {
    // GIVEN: the stand-in installed as the global, as in the Lambda runtime
    const awslambda = installAwsLambda();
    const plain = awslambda.streamifyResponse(async (_e: unknown, stream: LambdaResponseStream) => {
      const s = awslambda.HttpResponseStream.from(stream, { statusCode: 200, headers: { 'content-type': 'text/plain' } });
      s.write('plain');
      s.end();
    });
    const wrapped = streamingHandler(async (_e, response) => {
      await response.end('wrapped');
    });
    // WHEN
    const [a, b] = await Promise.all([invoke(plain, restProxyEvent()), invoke(wrapped, restProxyEvent())]);
    // THEN
    expect(parseStreamedResponse(a.body).body.toString()).toBe('plain');
    expect(parseStreamedResponse(b.body).body.toString()).toBe('wrapped');
  });

  test('without any runtime the wrapper can still be created, and says what is missing when invoked', async () => {
    const handler = streamingHandler(async (_e, response) => {
      await response.end('x');
    });
    const stream = new Writable({ write: (_c, _e, cb) => cb() }) as unknown as LambdaResponseStream;
    await expect(handler(restProxyEvent(), stream, { getRemainingTimeInMillis: () => 1000 } as any)).rejects.toThrow(/No Lambda streaming runtime/);
  });
});
