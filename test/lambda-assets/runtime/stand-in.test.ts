import { Writable } from 'stream';
import { streamingHandler } from '../../../lambda-assets/runtime';
import type { LambdaResponseStream } from '../../../lambda-assets/runtime';
import { createAwsLambda, METADATA_CONTENT_TYPE } from '../../../local-gateway/lambda/sandbox/awslambda';
import { invoke, parseStreamedResponse } from '../../../local-gateway/lambda/sandbox/invoke';
import { restProxyEvent } from '../../support/events';

// The raw runtime's traps, shown with the stand-in, and the wrapped handler avoiding each one.

const awslambda = createAwsLambda();
const EVENT = restProxyEvent();

describe('raw handlers fall into the runtime traps', () => {
  test('end(data) with no earlier write() sends no metadata (API Gateway: 500)', async () => {
    // GIVEN
    const raw = awslambda.streamifyResponse(async (_e: unknown, stream: LambdaResponseStream) => {
      awslambda.HttpResponseStream.from(stream, { statusCode: 200 }).end('hello');
    });
    // WHEN
    const result = await invoke(raw, EVENT);
    // THEN
    expect(result.body.toString()).toBe('hello');
    expect(() => parseStreamedResponse(result.body)).toThrow(/No metadata delimiter/);
  });

  test('end() with no write() sends nothing at all', async () => {
    const raw = awslambda.streamifyResponse(async (_e: unknown, stream: LambdaResponseStream) => {
      awslambda.HttpResponseStream.from(stream, { statusCode: 204 }).end();
    });
    const result = await invoke(raw, EVENT);
    expect(result.body.length).toBe(0);
    expect(result.contentType).toBe(METADATA_CONTENT_TYPE);
  });

  test('resolving without end() hangs until the function timeout', async () => {
    const raw = awslambda.streamifyResponse(async (_e: unknown, stream: LambdaResponseStream) => {
      awslambda.HttpResponseStream.from(stream, { statusCode: 200 }).write('partial');
    });
    const result = await invoke(raw, EVENT, { timeoutMs: 200 });
    expect(result.outcome).toBe('timeout');
    expect(result.durationMs).toBeGreaterThanOrEqual(190);
  });

  test('a throw ends the stream with error trailers, after any bytes already sent', async () => {
    const raw = awslambda.streamifyResponse(async (_e: unknown, stream: LambdaResponseStream) => {
      awslambda.HttpResponseStream.from(stream, { statusCode: 200 }).write('half');
      throw new TypeError('boom');
    });
    const result = await invoke(raw, EVENT);
    expect(result.outcome).toBe('error');
    expect(result.error).toEqual({ errorType: 'TypeError', errorMessage: 'boom' });
    expect(parseStreamedResponse(result.body).body.toString()).toBe('half');
  });

  test('write() returns false past 16 KiB buffered', async () => {
    let returned: boolean[] = [];
    const raw = awslambda.streamifyResponse(async (_e: unknown, stream: LambdaResponseStream) => {
      const s = awslambda.HttpResponseStream.from(stream, {});
      returned = [s.write(Buffer.alloc(8 * 1024)), s.write(Buffer.alloc(8 * 1024)), s.write(Buffer.alloc(8 * 1024))];
      s.end();
    });
    const slow = new Writable({ highWaterMark: 1, write: (_c, _e, cb) => setTimeout(cb, 5) });
    await invoke(raw, EVENT, { sink: slow });
    expect(returned).toContain(false);
  });

  test('a handler not wrapped with streamifyResponse is refused', async () => {
    await expect(invoke((async () => undefined) as any, EVENT)).rejects.toThrow(/Not a streaming handler/);
  });
});

describe('the wrapped handler avoids them', () => {
  test('a one-shot body via end(data) still starts with the metadata', async () => {
    const handler = streamingHandler(async (_e, response) => {
      await response.header('content-type', 'text/plain').end('hello');
    }, { runtime: awslambda });
    const result = await invoke(handler, EVENT);
    const { metadata, body } = parseStreamedResponse(result.body);
    expect(metadata).toEqual({ statusCode: 200, headers: { 'content-type': 'text/plain' } });
    expect(body.toString()).toBe('hello');
    expect(result.outcome).toBe('ended');
  });

  test('forgetting end() does not hang: the wrapper ends the stream', async () => {
    const handler = streamingHandler(async (_e, response) => {
      await response.write('partial');
    }, { runtime: awslambda });
    const result = await invoke(handler, EVENT, { timeoutMs: 2000 });
    expect(result.outcome).toBe('ended'); // (a hang would be 'timeout')
    expect(parseStreamedResponse(result.body).body.toString()).toBe('partial');
  });
});
