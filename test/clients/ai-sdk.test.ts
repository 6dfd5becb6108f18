import { ChatGateway, startChatGateway } from './support/chat-gateway';
import { runEsm } from './support/esm';

// The Vercel AI SDK's client side (`ai`: DefaultChatTransport + readUIMessageStream, what useChat
// runs) against StreamingBedrockChat with ChatProtocol.aiSdkUiMessageStream(), through the local
// gateway and the Bedrock stand-in.

interface Seen {
  header: string | null;
  types: string[];
  message?: { role: string; parts: Array<{ type: string; text?: string; state?: string }> };
  error?: { name: string; message: string; statusCode?: number };
}

let chat: ChatGateway;

beforeAll(async () => {
  chat = await startChatGateway();
}, 120_000);

afterAll(async () => {
  await chat?.close();
});

describe('the ai package (UI message stream)', () => {
  test('assembles the streamed answer from start, text-start, text-delta, text-end, finish', async () => {
    // WHEN
    const seen = await runEsm<Seen>('ai-sdk-chat', { api: `${chat.url}/api/chat`, text: 'second question' });
    // THEN
    expect(seen.error).toBeUndefined();
    expect(seen.header).toBe('v1');
    expect(seen.types[0]).toBe('start');
    expect(seen.types.slice(1, 3)).toEqual(['start-step', 'text-start']);
    expect(seen.types.slice(-3)).toEqual(['text-end', 'finish-step', 'finish']);
    expect(seen.types.filter((t) => t === 'text-delta')).toHaveLength(4);
    expect(seen.message?.role).toBe('assistant');
    expect(seen.message?.parts.filter((p) => p.type === 'text')).toEqual([{ type: 'text', text: 'You said: second question', state: 'done' }]);
    // The conversation reached Bedrock as alternating turns made from the parts.
    expect(chat.bedrock.requests[chat.bedrock.requests.length - 1].body.messages).toEqual([
      { role: 'user', content: [{ text: 'first question' }] },
      { role: 'assistant', content: [{ text: 'first answer' }] },
      { role: 'user', content: [{ text: 'second question' }] },
    ]);
  });

  test('an error during the stream is raised by the reader, after the first deltas', async () => {
    const seen = await runEsm<Seen>('ai-sdk-chat', { api: `${chat.url}/api/chat`, text: 'please [fail]' });
    expect(seen.types).toContain('text-delta');
    expect(seen.types).toContain('error');
    expect(seen.error?.message).toMatch(/Too many requests/);
  });

  test('an error before the stream is raised with its status', async () => {
    const before = chat.bedrock.requests.length;
    const seen = await runEsm<Seen>('ai-sdk-chat', { api: `${chat.url}/api/chat`, text: '   ' });
    expect(seen.types).toEqual([]);
    expect(seen.error?.message).toMatch(/messages\[2\]\.content must be a non-empty string/);
    expect(seen.error?.statusCode).toBe(400);
    expect(chat.bedrock.requests.length).toBe(before);
  });
});
