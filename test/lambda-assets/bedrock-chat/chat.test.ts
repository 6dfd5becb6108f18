import type { ConverseStreamOutput } from '@aws-sdk/client-bedrock-runtime';
import {
  ChatConfig, ChatRequestError, chatConfigFromEnv, chatEvents, converseInput, parseChatRequest,
} from '../../../lambda-assets/handlers/bedrock-chat/chat';

const CONFIG: ChatConfig = { modelId: 'amazon.nova-lite-v1:0', maxTokens: 256, maxRequestBytes: 1024, maxMessages: 3 };

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

async function* streamOf(items: ConverseStreamOutput[]): AsyncGenerator<ConverseStreamOutput> {
  for (const item of items) yield item;
}

describe('chatConfigFromEnv', () => {
  test('reads what the construct sets', () => {
    expect(chatConfigFromEnv({ MODEL_ID: 'm.x-v1:0', MAX_TOKENS: '10', TEMPERATURE: '0.5', SYSTEM_PROMPT: 'Be brief', MAX_REQUEST_BYTES: '99', MAX_MESSAGES: '4' }))
      .toEqual({ modelId: 'm.x-v1:0', maxTokens: 10, temperature: 0.5, systemPrompt: 'Be brief', maxRequestBytes: 99, maxMessages: 4 });
  });
  test('defaults, and errors for a missing model or a bad number', () => {
    expect(chatConfigFromEnv({ MODEL_ID: 'm' })).toEqual({ modelId: 'm', maxTokens: 1024, temperature: undefined, systemPrompt: undefined, maxRequestBytes: 32768, maxMessages: 50 });
    expect(() => chatConfigFromEnv({})).toThrow(/MODEL_ID is not set/);
    expect(() => chatConfigFromEnv({ MODEL_ID: 'm', MAX_TOKENS: 'lots' })).toThrow(/MAX_TOKENS is not a number: lots/);
  });
});

describe('parseChatRequest', () => {
  test('accepts an alternating conversation ending with the user', () => {
    const body = JSON.stringify({ messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello' }, { role: 'user', content: 'Tell me more' }] });
    expect(parseChatRequest(body, false, CONFIG)).toHaveLength(3);
    expect(parseChatRequest(Buffer.from(body).toString('base64'), true, CONFIG)[2]).toEqual({ role: 'user', content: 'Tell me more' });
  });

  test.each([
    ['no body', null, /has no body/],
    ['not JSON', '{nope', /is not JSON/],
    ['no messages', '{}', /"messages" must be a non-empty array/],
    ['empty messages', '{"messages":[]}', /non-empty array/],
    ['too many messages', JSON.stringify({ messages: [1, 2, 3, 4] }), /has 4 entries; the limit is 3/],
    ['first from assistant', JSON.stringify({ messages: [{ role: 'assistant', content: 'x' }] }), /messages\[0\].role must be "user"/],
    ['two users in a row', JSON.stringify({ messages: [{ role: 'user', content: 'a' }, { role: 'user', content: 'b' }] }), /messages\[1\].role must be "assistant"/],
    ['ends with assistant', JSON.stringify({ messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }] }), /last message must be from "user"/],
    ['blank content', JSON.stringify({ messages: [{ role: 'user', content: '  ' }] }), /content must be a non-empty string/],
    ['content not text', JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'a' }] }] }), /content must be a non-empty string/],
    ['too large', JSON.stringify({ messages: [{ role: 'user', content: 'x'.repeat(2000) }] }), /has \d+ bytes; the limit is 1024/],
    ['null message', JSON.stringify({ messages: [null] }), /messages\[0\].role must be "user"/],
  ])('rejects %s with a 400', (_name, body, message) => {
    let error: unknown;
    try {
      parseChatRequest(body as string | null, false, CONFIG);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ChatRequestError);
    expect((error as ChatRequestError).statusCode).toBe(400);
    expect((error as Error).message).toMatch(message);
  });
});

describe('converseInput', () => {
  test('sends the model, the messages, the limits and the system prompt', () => {
    const input = converseInput([{ role: 'user', content: 'Hi' }], { ...CONFIG, temperature: 0.2, systemPrompt: 'Be brief' });
    expect(input).toEqual({
      modelId: 'amazon.nova-lite-v1:0',
      messages: [{ role: 'user', content: [{ text: 'Hi' }] }],
      inferenceConfig: { maxTokens: 256, temperature: 0.2 },
      system: [{ text: 'Be brief' }],
    });
    expect(converseInput([{ role: 'user', content: 'Hi' }], CONFIG)).not.toHaveProperty('system');
  });

  test('a configured guardrail is applied to the conversation', () => {
    const config = chatConfigFromEnv({ MODEL_ID: 'm', GUARDRAIL_ID: 'abc123', GUARDRAIL_VERSION: '2', GUARDRAIL_STREAM_PROCESSING: 'async' });
    expect(converseInput([{ role: 'user', content: 'Hi' }], config).guardrailConfig).toEqual({ guardrailIdentifier: 'abc123', guardrailVersion: '2', streamProcessingMode: 'async' });
    expect(converseInput([{ role: 'user', content: 'Hi' }], CONFIG)).not.toHaveProperty('guardrailConfig');
  });
});

describe('chatEvents', () => {
  test('one delta per text delta, in order, then done with stop reason and usage', async () => {
    const events = await collect(chatEvents(streamOf([
      { messageStart: { role: 'assistant' } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Hel' } } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'lo' } } },
      { contentBlockStop: { contentBlockIndex: 0 } },
      { messageStop: { stopReason: 'end_turn' } },
      { metadata: { usage: { inputTokens: 3, outputTokens: 2, totalTokens: 5 }, metrics: { latencyMs: 42 } } },
    ] as ConverseStreamOutput[])));
    expect(events).toEqual([
      { event: 'delta', data: { text: 'Hel' } },
      { event: 'delta', data: { text: 'lo' } },
      { event: 'done', data: { stopReason: 'end_turn', usage: { inputTokens: 3, outputTokens: 2, totalTokens: 5 }, latencyMs: 42 } },
    ]);
  });

  test('an error event mid-stream becomes an error event and ends the conversation', async () => {
    const events = await collect(chatEvents(streamOf([
      { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Par' } } },
      { throttlingException: { message: 'Too many requests' } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'never' } } },
    ] as unknown as ConverseStreamOutput[])));
    expect(events).toEqual([
      { event: 'delta', data: { text: 'Par' } },
      { event: 'error', data: { error: 'throttlingException', message: 'Too many requests' } },
    ]);
  });

  test('a stream that ends without metadata still ends with done', async () => {
    const events = await collect(chatEvents(streamOf([{ messageStop: { stopReason: 'max_tokens' } }] as ConverseStreamOutput[])));
    expect(events).toEqual([{ event: 'done', data: { stopReason: 'max_tokens' } }]);
  });
});
