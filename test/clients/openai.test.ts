import OpenAI, { APIError, NotFoundError, BadRequestError } from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { ALLOWED_MODELS, ChatGateway, startChatGateway } from './support/chat-gateway';

// The `openai` package, unchanged but for baseURL, against StreamingBedrockChat with
// ChatProtocol.openAiChatCompletions() through the local gateway and the Bedrock stand-in.

let chat: ChatGateway;
let client: OpenAI;

beforeAll(async () => {
  chat = await startChatGateway();
  client = new OpenAI({ baseURL: `${chat.url}/v1`, apiKey: 'unused-the-api-has-no-key', maxRetries: 0, timeout: 20_000 });
}, 120_000);

afterAll(async () => {
  await chat?.close();
});

describe('the openai package', () => {
  test('streams a completion: role first, the deltas, a final chunk with finish_reason, the usage chunk', async () => {
    // WHEN
    const stream = await client.chat.completions.create({
      model: 'nova-lite',
      messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hello there' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    // THEN
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.model === 'nova-lite' && c.id === chunks[0].id)).toBe(true);
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    const text = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
    expect(text).toBe('You said: hello there');
    const finals = chunks.filter((c) => c.choices[0]?.finish_reason);
    expect(finals.map((c) => c.choices[0].finish_reason)).toEqual(['stop']);
    const last = chunks[chunks.length - 1];
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual({ prompt_tokens: 2, completion_tokens: 4, total_tokens: 6 });
    // The request's system message follows the construct's (none here); the model is the construct's.
    const sent = chat.bedrock.requests[chat.bedrock.requests.length - 1];
    expect(sent.modelId).toBe('amazon.nova-lite-v1:0');
    expect(sent.body.system).toEqual([{ text: 'Be brief.' }]);
  });

  test('without include_usage no usage chunk is sent; without stream one chat.completion comes back', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'a b' }], stream: true });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.some((c) => c.usage)).toBe(false);
    expect(chunks[chunks.length - 1].choices[0].finish_reason).toBe('stop');

    const completion = await client.chat.completions.create({ model: 'nova-lite', messages: [{ role: 'user', content: 'a b' }] });
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0].message).toMatchObject({ role: 'assistant', content: 'You said: a b' });
    expect(completion.usage?.completion_tokens).toBe(4);
  });

  test('an error before the stream is the SDK APIError with OpenAI fields', async () => {
    // A model outside the allow-list: 404 model_not_found, and Bedrock is never called.
    const before = chat.bedrock.requests.length;
    const notFound = await client.chat.completions.create({ model: 'gpt-5', messages: [{ role: 'user', content: 'hi' }], stream: true }).catch((e) => e);
    expect(notFound).toBeInstanceOf(NotFoundError);
    expect(notFound).toMatchObject({ status: 404, code: 'model_not_found', param: 'model', type: 'invalid_request_error' });
    expect(notFound.message).toContain(ALLOWED_MODELS.join(', '));

    // A conversation Bedrock would refuse: 400 with the field at fault.
    const bad = await client.chat.completions.create({
      model: 'nova-lite', messages: [{ role: 'assistant', content: 'I start' }], stream: true,
    }).catch((e) => e);
    expect(bad).toBeInstanceOf(BadRequestError);
    expect(bad).toMatchObject({ status: 400, param: 'messages[0].role', type: 'invalid_request_error' });
    expect(chat.bedrock.requests.length).toBe(before);
  });

  test('an error during the stream is raised by the SDK as an APIError, after the first deltas', async () => {
    // GIVEN: the stand-in fails with a throttling exception after two words
    const stream = await client.chat.completions.create({ model: 'nova-lite', messages: [{ role: 'user', content: 'please [fail]' }], stream: true });
    const texts: string[] = [];
    // WHEN
    const error = await (async () => {
      for await (const chunk of stream) texts.push(chunk.choices[0]?.delta?.content ?? '');
    })().catch((e) => e);
    // THEN
    expect(error).toBeInstanceOf(APIError);
    expect(error.error).toMatchObject({ type: 'server_error', code: expect.stringMatching(/throttlingException/i) });
    expect(error.message).toMatch(/Too many requests/);
    expect(texts.join('')).toBe('You said: ');
  });
});
