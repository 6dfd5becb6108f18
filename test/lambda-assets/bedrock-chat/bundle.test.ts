import * as path from 'path';
import { installAwsLambda, uninstallAwsLambda } from '../../../local-gateway/lambda/sandbox/awslambda';
import { invoke, parseStreamedResponse } from '../../../local-gateway/lambda/sandbox/invoke';
import { FakeBedrock, startFakeBedrock } from '../../../local-gateway/stand-ins/bedrock';
import { restProxyEvent } from '../../support/events';

// The bundle StreamingBedrockChat deploys (assets/handlers/bedrock-chat/index.js, built by
// `npx projen bundle:handlers` before the tests), run in the Lambda runtime stand-in against the
// local Bedrock stand-in: the real AWS SDK client, the real event stream.

const BUNDLE = path.join(__dirname, '..', '..', '..', 'assets', 'handlers', 'bedrock-chat', 'index.js');

describe('the deployed bedrock-chat bundle', () => {
  let fake: FakeBedrock;
  let handler: any;
  const saved = { ...process.env };

  beforeAll(async () => {
    fake = await startFakeBedrock({ answer: 'Streaming works fine', delayMs: 5 });
    Object.assign(process.env, {
      BEDROCK_ENDPOINT_URL: fake.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      MODEL_ID: 'amazon.nova-lite-v1:0',
      SYSTEM_PROMPT: 'Be brief',
      MAX_TOKENS: '100',
    });
    installAwsLambda();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    handler = require(BUNDLE).handler;
  });

  afterAll(async () => {
    uninstallAwsLambda();
    process.env = saved;
    await fake.close();
  });

  test('streams the model answer as SSE deltas, then done with usage', async () => {
    // WHEN
    const result = await invoke(handler, restProxyEvent({ httpMethod: 'POST', path: '/chat', body: JSON.stringify({ messages: [{ role: 'user', content: 'test' }] }) }), { timeoutMs: 10_000 });
    // THEN
    const { metadata, body } = parseStreamedResponse(result.body);
    expect(metadata.statusCode).toBe(200);
    expect(metadata.headers!['content-type']).toBe('text/event-stream; charset=utf-8');
    const events = body.toString().trim().split('\n\n');
    expect(events.slice(0, 3)).toEqual([
      'event: delta\ndata: {"text":"Streaming "}',
      'event: delta\ndata: {"text":"works "}',
      'event: delta\ndata: {"text":"fine"}',
    ]);
    expect(events[3]).toMatch(/^event: done\ndata: \{"stopReason":"end_turn","usage":\{"inputTokens":1,"outputTokens":3,"totalTokens":4\}/);
    expect(fake.requests[fake.requests.length - 1].body).toMatchObject({ system: [{ text: 'Be brief' }], inferenceConfig: { maxTokens: 100 } });
  });

  test('a bad body is a 400 and Bedrock is never called', async () => {
    const before = fake.requests.length;
    const result = await invoke(handler, restProxyEvent({ httpMethod: 'POST', body: '{"messages":[]}' }));
    const { metadata, body } = parseStreamedResponse(result.body);
    expect(metadata.statusCode).toBe(400);
    expect(JSON.parse(body.toString()).message).toMatch(/non-empty array/);
    expect(fake.requests.length).toBe(before);
  });

  test('a model failure mid-stream becomes an error event', async () => {
    const result = await invoke(handler, restProxyEvent({ httpMethod: 'POST', body: JSON.stringify({ messages: [{ role: 'user', content: 'please [fail]' }] }) }), { timeoutMs: 10_000 });
    const body = parseStreamedResponse(result.body).body.toString();
    expect(body).toMatch(/^event: delta\n/);
    expect(body).toMatch(/event: error\ndata: \{"error":"(throttlingException|ThrottlingException)"/);
    expect(result.outcome).toBe('ended');
  });
});
