import {
  HttpError, LambdaContext, RestProxyEvent, SSE_END_MARKER, SseOptions, StreamingResponse, isEndedStreamId, sse, streamingHandler,
  StreamingHandlerFunction, StreamingHandlerOptions,
} from '../../../lambda-assets/runtime';
import { runEsm } from '../../clients/support/esm';
import { recordingRuntime } from '../support/recorder';

// Streams that end stay ended: the end marker in the last event's id, and the 204 a reconnecting
// EventSource gets, without the handler running again.

/** Runs a handler once with a recording stand-in of the Lambda runtime: status, headers, body, ended. */
async function run(
  fn: StreamingHandlerFunction<RestProxyEvent>, headers: Record<string, string> = {}, options: StreamingHandlerOptions = {},
) {
  const { sent, raw, runtime } = recordingRuntime();
  const handler = streamingHandler(fn, { ...options, runtime });
  const event = { httpMethod: 'GET', path: '/events', headers } as unknown as RestProxyEvent;
  const context = { awsRequestId: 'r', functionName: 'f', callbackWaitsForEmptyEventLoop: true, getRemainingTimeInMillis: () => 60_000 } as LambdaContext;
  await handler(event, raw, context);
  return { status: sent.status, headers: sent.headers, body: sent.chunks.join(''), ended: sent.ended === 1 };
}

/** What a spec-following SSE parser (eventsource-parser) sees: events, comments, the last id. */
function parse(body: string) {
  return runEsm<{ events: Array<{ event?: string; id?: string; data: string }>; comments: string[]; lastId?: string }>('parse-sse', body);
}

describe('sse(): ending a stream for good', () => {
  test('end() sends the final event, then an id-only frame carrying the end marker', async () => {
    // WHEN
    const sent = await run(async (_event, response) => {
      const events = sse(response);
      await events.data({ n: 1 });
      await events.end({ event: 'done', data: { total: 1 } });
    });
    // THEN
    expect(sent.status).toBe(200);
    expect(sent.body).toBe('data: {"n":1}\n\nevent: done\ndata: {"total":1}\n\nid: ~end\n\n');
    const { events, lastId } = await parse(sent.body);
    expect(events.map((e) => e.event ?? 'message')).toEqual(['message', 'done']);
    expect(isEndedStreamId(lastId)).toBe(true);
    expect(sent.ended).toBe(true);
  });

  test("the final event's own id is kept in front of the marker", async () => {
    const sent = await run(async (_event, response) => {
      await sse(response).end({ id: '42', data: 'bye' });
    });
    expect(sent.body).toBe('id: 42\ndata: bye\n\nid: 42~end\n\n');
  });

  test('a reconnect with the marked Last-Event-ID gets 204 and the handler does not run', async () => {
    // GIVEN
    let runs = 0;
    const fn: StreamingHandlerFunction<RestProxyEvent> = async (_event, response) => {
      runs += 1;
      await sse(response).end({ data: 'work' });
    };
    // WHEN
    const reconnect = await run(fn, { 'Last-Event-ID': `7${SSE_END_MARKER}`, 'Origin': 'https://app.example.com' });
    const fresh = await run(fn, { 'last-event-id': '7' });
    // THEN
    expect(reconnect.status).toBe(204);
    expect(reconnect.body).toBe('');
    expect(reconnect.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(fresh.status).toBe(200);
    expect(runs).toBe(1);
  });

  test('answerEndedStreams: false lets the handler decide', async () => {
    let runs = 0;
    const sent = await run(async (_event, response) => {
      runs += 1;
      await response.end('again');
    }, { 'last-event-id': SSE_END_MARKER }, { answerEndedStreams: false });
    expect(runs).toBe(1);
    expect(sent.status).toBe(200);
  });

  test('an error after the first byte is sent in the chosen shape, then marked ended; resumable sends only the error', async () => {
    // GIVEN
    const failing = (options: SseOptions) => async (_event: RestProxyEvent, response: StreamingResponse) => {
      const events = sse(response, { ...options, errorEvent: ({ message, errorType }) => ({ data: { error: { message, type: errorType } } }) });
      await events.data('first');
      throw new HttpError(502, 'upstream broke');
    };
    // WHEN
    const marked = await run(failing({}));
    const resumable = await run(failing({ resumable: true }));
    // THEN
    expect(marked.body).toBe('data: first\n\ndata: {"error":{"message":"upstream broke","type":"HttpError"}}\n\nid: ~end\n\n');
    expect(resumable.body).toBe('data: first\n\ndata: {"error":{"message":"upstream broke","type":"HttpError"}}\n\n');
    expect([marked.ended, resumable.ended]).toEqual([true, true]);
  });

  test('a handler that returns without end() is marked ended; resumable: true leaves it for the reconnect', async () => {
    const marked = await run(async (_event, response) => {
      await sse(response).data('x');
    });
    const resumable = await run(async (_event, response) => {
      await sse(response, { resumable: true }).data('x');
    });
    expect(marked.body).toBe('data: x\n\nid: ~end\n\n');
    expect(resumable.body).toBe('data: x\n\n');
    const { lastId } = await parse(marked.body);
    expect(isEndedStreamId(lastId)).toBe(true);
  });

  test('a handler that opens the stream and returns before any event is marked ended too', async () => {
    const sent = await run(async (_event, response) => {
      sse(response);
    });
    expect(sent.status).toBe(200);
    expect(sent.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(sent.body).toBe('id: ~end\n\n');
  });

  test('a stream cut at the deadline: an error event, then the end marker; resumable: the error event only', async () => {
    // GIVEN: 60 s left, the signal fires 50 ms in
    const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const endless = (options: SseOptions) => async (_event: RestProxyEvent, response: StreamingResponse) => {
      const events = sse(response, { ...options, heartbeatMs: 0 });
      await events.send({ id: '1', data: 'tick' });
      await new Promise((resolve) => response.signal.addEventListener('abort', resolve));
    };
    // WHEN
    const marked = await run(endless({}), {}, { deadlineMarginMs: 59_950 });
    const resumable = await run(endless({ resumable: true }), {}, { deadlineMarginMs: 59_950 });
    // THEN
    const error = 'event: error\ndata: {"message":"The function is about to time out","errorType":"DeadlineError"}\n\n';
    expect(marked.body).toBe(`id: 1\ndata: tick\n\n${error}id: ~end\n\n`);
    expect(resumable.body).toBe(`id: 1\ndata: tick\n\n${error}`);
    expect((await parse(resumable.body)).lastId).toBe('1'); // what the reconnect resumes from
    expect(logged.mock.calls.map(([reported]) => (reported as Error).name)).toEqual(['DeadlineError', 'DeadlineError']);
    logged.mockRestore();
  });

  test('the deprecated stayEnded keeps working: false is resumable, true is the default', async () => {
    const open = await run(async (_event, response) => {
      await sse(response, { stayEnded: false }).data('x');
    });
    const ended = await run(async (_event, response) => {
      await sse(response, { stayEnded: true }).data('x');
    });
    expect(open.body).toBe('data: x\n\n');
    expect(ended.body).toBe('data: x\n\nid: ~end\n\n');
  });

  test('heartbeats stay comments, which parsers do not dispatch', async () => {
    const sent = await run(async (_event, response) => {
      const events = sse(response, { heartbeatMs: 10 });
      await new Promise((resolve) => setTimeout(resolve, 60));
      await events.end({ data: 'done' });
    });
    expect(sent.body).toMatch(/^: keep-alive\n\n/);
    const parsed = await parse(sent.body);
    expect(parsed.events.map((e) => e.data)).toEqual(['done']);
    expect(parsed.comments[0]).toBe('keep-alive');
  });
});
