import { BedrockRuntimeClient, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import { chatEvents, converseInput } from '../../../lambda-assets/handlers/bedrock-chat/chat';
import { FakeBedrock, startFakeBedrock } from '../../../local-gateway/stand-ins/bedrock';

// The real AWS SDK client against the local Bedrock stand-in: proves the stand-in speaks the
// event-stream protocol the SDK parses, so the demo and gateway tests exercise the real client.

const clients: BedrockRuntimeClient[] = [];
function client(fake: FakeBedrock): BedrockRuntimeClient {
  const c = new BedrockRuntimeClient({
    endpoint: fake.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  clients.push(c);
  return c;
}

const CONFIG = { modelId: 'amazon.nova-lite-v1:0', maxTokens: 64, maxRequestBytes: 1000, maxMessages: 5, systemPrompt: 'Be brief' };

describe('the local Bedrock stand-in', () => {
  let fake: FakeBedrock;
  afterEach(async () => {
    clients.splice(0).forEach((c) => c.destroy());
    await fake?.close();
  });

  test('streams deltas the SDK decodes, then stop reason and usage', async () => {
    // GIVEN
    fake = await startFakeBedrock({ answer: 'one two three', delayMs: 1 });
    // WHEN
    const response = await client(fake).send(new ConverseStreamCommand(converseInput([{ role: 'user', content: 'count' }], CONFIG)));
    const events = [];
    for await (const e of chatEvents(response.stream!)) events.push(e);
    // THEN
    expect(events.filter((e) => e.event === 'delta').map((e) => e.data.text).join('')).toBe('one two three');
    expect(events[events.length - 1]).toMatchObject({ event: 'done', data: { stopReason: 'end_turn', usage: { outputTokens: 3 } } });
    expect(fake.requests).toEqual([expect.objectContaining({ modelId: 'amazon.nova-lite-v1:0' })]);
    expect(fake.requests[0].body).toMatchObject({ system: [{ text: 'Be brief' }], inferenceConfig: { maxTokens: 64 } });
  });

  test('a [fail] message yields an exception the SDK surfaces mid-stream', async () => {
    fake = await startFakeBedrock({ answer: 'a b c d e', delayMs: 1 });
    const response = await client(fake).send(new ConverseStreamCommand(converseInput([{ role: 'user', content: 'please [fail]' }], CONFIG)));
    const seen: string[] = [];
    let error: unknown;
    try {
      for await (const e of chatEvents(response.stream!)) seen.push(e.event);
    } catch (e) {
      error = e;
    }
    // The SDK either throws the modelled exception or yields it as an event member.
    const failed = seen.includes('error') || (error as Error)?.name === 'ThrottlingException';
    expect(failed).toBe(true);
    expect(seen.filter((e) => e === 'delta')).toHaveLength(2);
  });

  test('aborting the call closes the model stream', async () => {
    fake = await startFakeBedrock({ answer: 'w '.repeat(200), delayMs: 20 });
    const controller = new AbortController();
    const response = await client(fake).send(new ConverseStreamCommand(converseInput([{ role: 'user', content: 'long' }], CONFIG)), { abortSignal: controller.signal });
    let deltas = 0;
    try {
      for await (const e of chatEvents(response.stream!)) {
        if (e.event === 'delta' && ++deltas === 3) controller.abort();
      }
    } catch (e) {
      expect((e as Error).name).toMatch(/Abort/);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(deltas).toBeLessThan(10);
    expect(fake.aborted()).toBe(1);
  });
});
