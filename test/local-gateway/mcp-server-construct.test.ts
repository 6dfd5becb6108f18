import { App, Duration, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LocalStreamingGateway } from '../../local-gateway/gateway';
import { McpAuth, StreamingMcpServer } from '../../src';
import { tempDir } from '../support/temp-dirs';

// StreamingMcpServer served by the local gateway: what API Gateway answers itself (405 for GET and
// DELETE, the protected-resource document under the stage, the Cognito authorizer's 401) runs
// without the function; a POST with a token from the token issuer stand-in reaches it. The handler
// is a tiny streaming one with a fixed JSON-RPC answer (the real mcpHandler is tested elsewhere).

const HANDLER = `exports.handler = awslambda.streamifyResponse(async (event, stream) => {
  const out = awslambda.HttpResponseStream.from(stream, { statusCode: 200, headers: { 'content-type': 'application/json' } });
  const request = JSON.parse(event.body);
  out.write(JSON.stringify({ jsonrpc: '2.0', id: request.id, result: {
    tools: [{ name: 'echo', inputSchema: { type: 'object' } }],
    resourcePath: process.env.MCP_RESOURCE_PATH,
    user: event.requestContext.authorizer ? event.requestContext.authorizer.claims.username : null,
  } }));
  out.end();
});`;

function synth(auth: (stack: Stack) => McpAuth): string {
  const app = new App({ outdir: tempDir('mcp-server-app') });
  const stack = new Stack(app, 'Mcp', { env: { account: '123456789012', region: 'us-east-1' } });
  const handler = new lambda.Function(stack, 'Tools', {
    runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline(HANDLER), timeout: Duration.minutes(1),
  });
  new StreamingMcpServer(stack, 'Server', { handler, auth: auth(stack) });
  return app.synth().directory;
}

const LIST = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} });

describe.each([
  ['McpAuth.none()', () => McpAuth.none()],
  ['McpAuth.jwt()', () => McpAuth.jwt({ issuer: 'https://auth.example.com', audience: 'https://mcp.example.com/prod/mcp', scopes: ['mcp/tools'] })],
])('%s on the local gateway', (_name, auth) => {
  let gateway: LocalStreamingGateway;
  let url: string;
  beforeAll(async () => {
    gateway = LocalStreamingGateway.fromAssembly(synth(auth), { port: 0, accessLog: () => undefined, log: () => undefined });
    url = await gateway.start();
  });
  afterAll(() => gateway.stop());

  test('GET and DELETE are 405 with Allow: POST, and no function runs', async () => {
    for (const method of ['GET', 'DELETE']) {
      const res = await fetch(`${url}/prod/mcp`, { method, headers: { accept: 'text/event-stream' } });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('POST');
      expect(await res.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32000 } });
    }
    expect(gateway.workerCount).toBe(0);
  });

  test('the protected-resource document is served under the stage, naming the URL the client used', async () => {
    const res = await fetch(`${url}/prod/.well-known/oauth-protected-resource/prod/mcp`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const doc = await res.json();
    expect(doc.resource).toBe(`${url}/prod/mcp`);
    expect(doc.bearer_methods_supported).toEqual(['header']);
    expect(doc.authorization_servers).toEqual(_name.startsWith('McpAuth.jwt') ? ['https://auth.example.com'] : []);
  });

  test('a POST reaches the handler, with MCP_RESOURCE_PATH', async () => {
    const res = await fetch(`${url}/prod/mcp`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: LIST });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ jsonrpc: '2.0', id: 1, result: { tools: [{ name: 'echo', inputSchema: { type: 'object' } }], resourcePath: '/mcp', user: null } });
  });
});

describe('McpAuth.cognito() on the local gateway', () => {
  let gateway: LocalStreamingGateway;
  let url: string;
  beforeAll(async () => {
    const dir = synth((stack) => McpAuth.cognito(new cognito.UserPool(stack, 'Users'), { scopes: ['mcp/tools'] }));
    gateway = LocalStreamingGateway.fromAssembly(dir, { port: 0, accessLog: () => undefined, log: () => undefined });
    url = await gateway.start();
  });
  afterAll(() => gateway.stop());

  test('without a token: 401 from the authorizer, no function runs', async () => {
    const res = await fetch(`${url}/prod/mcp`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: LIST });
    expect(res.status).toBe(401);
    expect(gateway.workerCount).toBe(0);
  });

  test('with an access token from the stand-in, carrying the scope: the POST reaches the handler with the claims', async () => {
    const issuer = gateway.tokenIssuer!;
    const poolId = 'Users0A0EEA89';
    const token = issuer.mint({ poolId, clientId: 'any', username: 'dana', tokenUse: 'access', scopes: ['mcp/tools'] });
    const res = await fetch(`${url}/prod/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', 'authorization': `Bearer ${token}` }, body: LIST });
    expect(res.status).toBe(200);
    expect((await res.json()).result.user).toBe('dana');
    // a token without the scope is refused
    const other = issuer.mint({ poolId, clientId: 'any', username: 'dana', tokenUse: 'access', scopes: ['other'] });
    expect((await fetch(`${url}/prod/mcp`, { method: 'POST', headers: { authorization: `Bearer ${other}` }, body: LIST })).status).toBe(401);
  });
});
