import type { ConverseStreamOutput } from '@aws-sdk/client-bedrock-runtime';
import type { ChatConfig } from '../../../lambda-assets/handlers/bedrock-chat/chat';
import { openAiProtocol } from '../../../lambda-assets/handlers/bedrock-chat/protocols/openai';
import { uiMessageStreamProtocol } from '../../../lambda-assets/handlers/bedrock-chat/protocols/ui-message-stream';
import { ChatEvent, ChatProtocolHandler, ConverseStreamClient, serveChat } from '../../../lambda-assets/handlers/bedrock-chat/serve';
import { recorder } from '../support/recorder';

// The OpenAI and AI SDK protocols on their own (the real clients read them in test/clients/):
// what they refuse before any model call, and the exact frames they write.

const CONFIG: ChatConfig = { modelId: 'amazon.nova-lite-v1:0', maxTokens: 64, maxRequestBytes: 4096, maxMessages: 10 };

function client(events: ConverseStreamOutput[]) {
  const calls: unknown[] = [];
  const double: ConverseStreamClient = {
    async send(command) {
      calls.push(command.input);
      async function* stream() {
        for (const event of events) yield event;
      }
      return { stream: stream() };
    },
  };
  return { client: double, calls };
}

const ANSWER = [
  { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Hi' } } },
  { messageStop: { stopReason: 'max_tokens' } },
  { metadata: { usage: { inputTokens: 3, outputTokens: 1, totalTokens: 4 }, metrics: { latencyMs: 1 } } },
] as ConverseStreamOutput[];

async function serve(protocol: ChatProtocolHandler, event: Partial<ChatEvent>, config: ChatConfig = CONFIG) {
  const { sent, response } = recorder();
  const { client: double, calls } = client(ANSWER);
  await serveChat({ httpMethod: 'POST', body: null, isBase64Encoded: false, ...event }, response, double, config, protocol);
  await response.end();
  const body = sent.chunks.join('');
  return { sent, calls, body, json: () => JSON.parse(body) };
}

const post = (body: unknown) => ({ body: JSON.stringify(body) });

describe('OpenAI Chat Completions protocol', () => {
  test.each([
    ['GET', { httpMethod: 'GET' }, 405, /GET is not supported/, null],
    ['not an object', post([1]), 400, /must be a JSON object/, null],
    ['n=2', post({ messages: [{ role: 'user', content: 'a' }], n: 2 }), 400, /Only n=1/, 'n'],
    ['an image part', post({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }] }), 400, /not a text part/, 'messages[0].content'],
    ['a model as a number', post({ model: 4, messages: [{ role: 'user', content: 'a' }] }), 400, /"model" must be a string/, 'model'],
    ['no messages', post({ model: 'x' }), 400, /"messages" must be a non-empty array/, 'messages'],
  ])('refuses %s with an OpenAI error and no model call', async (_name, event, status, message, param) => {
    const { sent, calls, json } = await serve(openAiProtocol, event);
    expect(sent.status).toBe(status);
    expect(json().error).toMatchObject({ message: expect.stringMatching(message), type: 'invalid_request_error', param });
    expect(calls).toHaveLength(0);
  });

  test('a model outside the allow-list is a 404 model_not_found; one inside is echoed', async () => {
    const config = { ...CONFIG, allowedModels: ['nova-lite'] };
    const refused = await serve(openAiProtocol, post({ model: 'gpt-5', messages: [{ role: 'user', content: 'a' }] }), config);
    expect(refused.sent.status).toBe(404);
    expect(refused.json().error).toMatchObject({ code: 'model_not_found', param: 'model' });
    const served = await serve(openAiProtocol, post({ model: 'nova-lite', messages: [{ role: 'user', content: 'a' }] }), config);
    expect(served.json()).toMatchObject({ object: 'chat.completion', model: 'nova-lite', choices: [{ finish_reason: 'length', message: { content: 'Hi' } }] });
  });

  test('system and developer messages follow the configured prompt; text parts are joined', async () => {
    const { calls } = await serve(openAiProtocol, post({
      messages: [{ role: 'developer', content: 'Dev' }, { role: 'system', content: [{ type: 'text', text: 'Sys' }] }, { role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] }],
      stream: true,
    }), { ...CONFIG, systemPrompt: 'Operator' });
    expect(calls[0]).toMatchObject({ system: [{ text: 'Operator' }, { text: 'Dev' }, { text: 'Sys' }], messages: [{ role: 'user', content: [{ text: 'ab' }] }] });
  });

  test('the stream: role chunk, deltas, finish_reason, usage when asked, [DONE]; no end marker', async () => {
    const { sent, body } = await serve(openAiProtocol, post({ model: 'm', messages: [{ role: 'user', content: 'a' }], stream: true, stream_options: { include_usage: true } }));
    expect(sent.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    const frames = body.trim().split('\n\n');
    expect(frames[frames.length - 1]).toBe('data: [DONE]');
    const chunks = frames.slice(0, -1).map((f) => JSON.parse(f.replace(/^data: /, '')));
    expect(chunks.map((c) => c.choices[0]?.delta ?? null)).toEqual([{ role: 'assistant', content: '', refusal: null }, { content: 'Hi' }, {}, null]);
    expect(chunks[2].choices[0].finish_reason).toBe('length');
    expect(chunks[3].usage).toEqual({ prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 });
    expect(chunks.slice(0, 3).every((c) => c.usage === null)).toBe(true);
    expect(body).not.toContain('~end');
  });
});

describe('AI SDK UI message stream protocol', () => {
  test.each([
    ['GET', { httpMethod: 'GET' }, 405, /GET is not supported/],
    ['messages without parts', post({ messages: [{ role: 'user', content: 'a' }] }), 400, /messages\[0\]\.parts must be an array/],
    ['a user message with no text part', post({ messages: [{ role: 'user', parts: [{ type: 'file', url: 'x' }] }] }), 400, /content must be a non-empty string/],
  ])('refuses %s with a JSON error and no model call', async (_name, event, status, message) => {
    const { sent, calls, json } = await serve(uiMessageStreamProtocol, event);
    expect(sent.status).toBe(status);
    expect(json().error).toMatch(message);
    expect(calls).toHaveLength(0);
  });

  test('the stream: its header, the parts in order, the finish reason, [DONE]', async () => {
    const { sent, body } = await serve(uiMessageStreamProtocol, post({ messages: [{ id: '1', role: 'user', parts: [{ type: 'text', text: 'a' }] }] }));
    expect(sent.headers['x-vercel-ai-ui-message-stream']).toBe('v1');
    const frames = body.trim().split('\n\n').map((f) => f.replace(/^data: /, ''));
    expect(frames[frames.length - 1]).toBe('[DONE]');
    const parts = frames.slice(0, -1).map((f) => JSON.parse(f));
    expect(parts.map((p) => p.type)).toEqual(['start', 'start-step', 'text-start', 'text-delta', 'text-end', 'finish-step', 'finish']);
    expect(parts[3]).toEqual({ type: 'text-delta', id: parts[2].id, delta: 'Hi' });
    expect(parts[6]).toEqual({ type: 'finish', finishReason: 'length' });
  });
});
