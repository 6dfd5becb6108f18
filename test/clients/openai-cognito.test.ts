import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import OpenAI, { AuthenticationError } from 'openai';
import { FakeBedrock, LocalStreamingGateway, startFakeBedrock } from '../../local-gateway';
import { BedrockChatModel, ChatProtocol, StreamingBedrockChat, StreamingRestApi } from '../../src';

// A chat protected as people deploy it: StreamingBedrockChat (OpenAI protocol) behind a Cognito
// user pool authorizer. Locally, the gateway verifies tokens against its token issuer stand-in;
// the `openai` package sends the token as its API key (`Authorization: Bearer <token>`), as a
// front end that signed in with Cognito would.

let out: string;
let bedrock: FakeBedrock;
let gateway: LocalStreamingGateway;
let url: string;
let mintUrl: string;
const log: string[] = [];

beforeAll(async () => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-cognito-'));
  const app = new App({ outdir: out, context: { 'aws:cdk:enable-asset-metadata': true } });
  const stack = new Stack(app, 'Chat', { env: { account: '123456789012', region: 'us-east-1' } });
  const users = new cognito.UserPool(stack, 'Users');
  users.addClient('Web');
  const authorizer = new apigateway.CognitoUserPoolsAuthorizer(stack, 'Auth', { cognitoUserPools: [users] });
  new StreamingBedrockChat(stack, 'Chat', {
    api: new StreamingRestApi(stack, 'Api'),
    model: BedrockChatModel.foundationModel('amazon.nova-lite-v1:0'),
    protocol: ChatProtocol.openAiChatCompletions({ allowedModels: ['nova-lite'] }),
    authorizer,
  });
  app.synth();
  bedrock = await startFakeBedrock({ delayMs: 5 });
  gateway = LocalStreamingGateway.fromAssembly(out, {
    port: 0,
    environment: { BEDROCK_ENDPOINT_URL: bedrock.url, NODE_NO_WARNINGS: '1' },
    accessLog: () => undefined,
    log: (m) => log.push(m),
  });
  url = (await gateway.start()).replace(/\/$/, '');
  // The start-up log says how to get a token (a curl command): take its URL, as a user would.
  mintUrl = /curl -s -X POST (\S+)/.exec(log.join('\n'))![1];
}, 120_000);

afterAll(async () => {
  await gateway?.stop();
  await bedrock?.close();
  fs.rmSync(out, { recursive: true, force: true });
});

async function mint(body: Record<string, unknown>): Promise<string> {
  const res = await fetch(mintUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  return (await res.json()).token;
}

const ask = (apiKey: string) => new OpenAI({ baseURL: `${url}/prod/v1`, apiKey, maxRetries: 0, timeout: 20_000 })
  .chat.completions.create({ model: 'nova-lite', messages: [{ role: 'user', content: 'hello cognito' }], stream: true });

test('a signed-in user\'s ID token: the openai client streams the answer', async () => {
  const token = await mint({ username: 'alice', groups: ['chat'] });
  const stream = await ask(token);
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  expect(text).toBe('You said: hello cognito');
});

test.each([
  ['no token at all (a key that is no JWT)', async () => 'sk-not-a-token', /not a JWT|malformed|three/i],
  ['an expired token', async () => mint({ username: 'alice', expiresInSeconds: -60 }), /expired/i],
  ['a token for another app client (wrong audience)', async () => mint({ username: 'alice', clientId: 'some-other-client' }), /client/i],
])('%s: 401 Unauthorized, raised by the SDK as AuthenticationError, and Bedrock is not called', async (_what, token, why) => {
  const before = bedrock.requests.length;
  log.length = 0;
  const error = await ask(await token()).catch((e) => e);
  expect(error).toBeInstanceOf(AuthenticationError);
  expect(error.status).toBe(401);
  expect(bedrock.requests.length).toBe(before);
  expect(log.join('\n')).toMatch(why);
});
