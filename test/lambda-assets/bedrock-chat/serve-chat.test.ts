import type { ConverseStreamCommand, ConverseStreamOutput } from '@aws-sdk/client-bedrock-runtime';
import type { ChatConfig } from '../../../lambda-assets/handlers/bedrock-chat/chat';
import { simpleProtocol } from '../../../lambda-assets/handlers/bedrock-chat/protocols/simple';
import { ChatEvent, ConverseStreamClient, serveChat } from '../../../lambda-assets/handlers/bedrock-chat/serve';
import { recorder } from '../support/recorder';

const CONFIG: ChatConfig = { modelId: 'amazon.nova-lite-v1:0', maxTokens: 64, maxRequestBytes: 4096, maxMessages: 10 };
const BODY = JSON.stringify({ messages: [{ role: 'user', content: 'Hi' }] });

/** Serves one request with the simple protocol, then ends the response as streamingHandler does. */
async function serve(event: ChatEvent, client: ConverseStreamClient, config: ChatConfig, controller?: AbortController) {
  const { sent, response } = recorder(controller);
  await serveChat(event, response, client, config, simpleProtocol);
  await response.end();
  return { sent, signal: response.signal };
}

/** A Bedrock client double that streams the given events, optionally failing mid-stream. */
function fakeClient(events: ConverseStreamOutput[], options: { failAfter?: number; rejectWith?: Error } = {}) {
  const calls: Array<{ input: unknown; signal?: AbortSignal }> = [];
  const client: ConverseStreamClient = {
    async send(command: ConverseStreamCommand, opts?: { abortSignal?: AbortSignal }) {
      calls.push({ input: command.input, signal: opts?.abortSignal });
      if (options.rejectWith) throw options.rejectWith;
      async function* stream() {
        for (const [index, event] of events.entries()) {
          if (options.failAfter === index) throw Object.assign(new Error('stream broke'), { name: 'ModelStreamErrorException' });
          if (opts?.abortSignal?.aborted) throw Object.assign(new Error('aborted'), { name: 'AbortError' });
          yield event;
        }
      }
      return { stream: stream() };
    },
  };
  return { client, calls };
}

const DELTAS: ConverseStreamOutput[] = [
  { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Hel' } } },
  { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'lo' } } },
  { messageStop: { stopReason: 'end_turn' } },
  { metadata: { usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 }, metrics: { latencyMs: 5 } } },
] as ConverseStreamOutput[];

describe('serveChat', () => {
  test('streams deltas as SSE frames in order, then done, and ends once', async () => {
    // GIVEN
    const { client, calls } = fakeClient(DELTAS);
    // WHEN
    const { sent } = await serve({ body: BODY, isBase64Encoded: false }, client, CONFIG);
    // THEN
    expect(sent.status).toBe(200);
    expect(sent.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(sent.chunks).toEqual([
      'event: delta\ndata: {"text":"Hel"}\n\n',
      'event: delta\ndata: {"text":"lo"}\n\n',
      'event: done\ndata: {"stopReason":"end_turn","usage":{"inputTokens":1,"outputTokens":2,"totalTokens":3},"latencyMs":5}\n\n',
      'id: ~end\n\n', // the end marker: a reconnecting EventSource is answered 204
    ]);
    expect(sent.ended).toBe(1);
    expect(calls[0].input).toMatchObject({ modelId: 'amazon.nova-lite-v1:0', messages: [{ role: 'user', content: [{ text: 'Hi' }] }] });
  });

  test('a bad body gets a JSON 400 and the model is never called', async () => {
    const { client, calls } = fakeClient(DELTAS);
    const { sent } = await serve({ body: '{"messages":"nope"}', isBase64Encoded: false }, client, CONFIG);
    expect(sent.status).toBe(400);
    expect(JSON.parse(sent.chunks.join(''))).toEqual({ message: '"messages" must be a non-empty array' });
    expect(calls).toHaveLength(0);
    expect(sent.ended).toBe(1);
  });

  test('an error mid-stream becomes an error event after the deltas already sent', async () => {
    const { client } = fakeClient(DELTAS, { failAfter: 1 });
    const { sent } = await serve({ body: BODY, isBase64Encoded: false }, client, CONFIG);
    expect(sent.status).toBe(200);
    expect(sent.chunks).toEqual([
      'event: delta\ndata: {"text":"Hel"}\n\n',
      'event: error\ndata: {"error":"ModelStreamErrorException","message":"stream broke"}\n\n',
      'id: ~end\n\n',
    ]);
    expect(sent.ended).toBe(1);
  });

  test('a model call refused before streaming keeps its HTTP status', async () => {
    const refused = Object.assign(new Error('Too many requests'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 429 } });
    const { client } = fakeClient([], { rejectWith: refused });
    const { sent } = await serve({ body: BODY, isBase64Encoded: false }, client, CONFIG);
    expect(sent.status).toBe(429);
    expect(JSON.parse(sent.chunks.join(''))).toMatchObject({ error: 'ThrottlingException' });
  });

  test('the abort signal reaches the model call and stops the stream', async () => {
    // GIVEN
    const controller = new AbortController();
    const { client, calls } = fakeClient(DELTAS);
    controller.abort();
    // WHEN
    const { sent } = await serve({ body: BODY, isBase64Encoded: false }, client, CONFIG, controller);
    // THEN
    expect(calls[0].signal).toBe(controller.signal);
    expect(sent.chunks.some((c) => c.startsWith('event: delta'))).toBe(false);
    expect(sent.chunks).toEqual(['event: error\ndata: {"error":"AbortError","message":"aborted"}\n\n', 'id: ~end\n\n']);
    expect(sent.ended).toBe(1);
  });
});

describe('serveChat for EventSource (GET) and browsers', () => {
  test('GET ?message= is a single-turn conversation, with the allowed origin', async () => {
    const { client, calls } = fakeClient(DELTAS);
    const { sent } = await serve({ httpMethod: 'GET', queryStringParameters: { message: 'Hi there' }, body: null, isBase64Encoded: false }, client,
      { ...CONFIG, allowOrigin: 'https://app.example.com' });
    expect(sent.status).toBe(200);
    expect(sent.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(calls[0].input).toMatchObject({ messages: [{ role: 'user', content: [{ text: 'Hi there' }] }] });
  });

  test('GET without a message is a 400, and no origin header is sent unless configured', async () => {
    const { client, calls } = fakeClient(DELTAS);
    const { sent } = await serve({ httpMethod: 'GET', queryStringParameters: null, body: null, isBase64Encoded: false }, client, CONFIG);
    expect(sent.status).toBe(400);
    expect(JSON.parse(sent.chunks.join('')).message).toMatch(/non-empty "message" query parameter/);
    expect(sent.headers).not.toHaveProperty('access-control-allow-origin');
    expect(calls).toHaveLength(0);
  });
});
