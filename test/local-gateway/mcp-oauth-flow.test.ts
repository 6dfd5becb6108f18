// A StreamingMcpServer with McpAuth.cognito(), served by the local gateway, and the official MCP
// clients doing what they do against a deployed one: POST without a token → API Gateway's 401 with
// the RFC 9728 challenge → the protected-resource document under the stage → the authorization
// server it names (locally: the token issuer stand-in for the user pool) → registration,
// authorization with PKCE, token for the MCP resource → the tools, with progress streamed. The
// deploy-time URLs in the challenge and the document (the execute-api URL, the pool's issuer) are
// answered with the gateway's and the stand-in's addresses.
import * as fs from 'fs';
import * as path from 'path';
import { Client, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
// eslint-disable-next-line import/no-unresolved -- the resolver does not read the SDK's exports map
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
// eslint-disable-next-line import/no-unresolved
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { buildSync } from 'esbuild';
import { MemoryOAuthProvider } from './support/oauth-provider';
import { verifyCognitoToken } from '../../local-gateway/auth/jwt';
import { LocalStreamingGateway } from '../../local-gateway/gateway';
import { McpAuth, StreamingMcpServer } from '../../src';
import { tempDir } from '../support/temp-dirs';

const POOL = 'Users0A0EEA89';
const LIST = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} });

/** An app as a user writes it (env-agnostic: the region is a deploy-time value too), with the gateway tests' MCP server. */
function synth(): string {
  const code = tempDir('mcp-oauth-code');
  const entry = path.join(__dirname, 'apps', 'mcp', 'server-v2.ts');
  buildSync({ entryPoints: [entry], outfile: path.join(code, 'index.js'), bundle: true, platform: 'node', format: 'cjs', target: 'node22', logLevel: 'silent' });
  const app = new App({ outdir: tempDir('mcp-oauth-app') });
  const stack = new Stack(app, 'Mcp');
  const userPool = new cognito.UserPool(stack, 'Users');
  userPool.addResourceServer('Tools', { identifier: 'mcp', scopes: [{ scopeName: 'tools', scopeDescription: 'call the tools' }] });
  const handler = new lambda.Function(stack, 'Tools', {
    runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromAsset(code), timeout: Duration.seconds(30),
  });
  new StreamingMcpServer(stack, 'Server', { handler, auth: McpAuth.cognito(userPool, { scopes: ['mcp/tools'] }) });
  return app.synth().directory;
}

let gateway: LocalStreamingGateway;
let url: string;
let mcp: string;
let documentUrl: string;
let assembly: string;
const log: string[] = [];
beforeAll(async () => {
  assembly = synth();
  gateway = LocalStreamingGateway.fromAssembly(assembly, { port: 0, accessLog: () => undefined, log: (line) => log.push(line) });
  url = await gateway.start();
  mcp = `${url}/prod/mcp`;
  documentUrl = `${url}/prod/.well-known/oauth-protected-resource/prod/mcp`;
});
afterAll(() => gateway.stop());

test('the 401 challenge and the document name the gateway\'s URLs and the local authorization server', async () => {
  // (the template has only deploy-time URLs: the execute-api URL, the pool's issuer)
  const template = JSON.stringify(JSON.parse(fs.readFileSync(path.join(assembly, 'Mcp.template.json'), 'utf8')));
  expect(template).toMatch(/resource_metadata=\\"https:\/\/",\{"Ref":"ServerApi[0-9A-F]+"\},"\.execute-api\./);
  expect(template).toMatch(/https:\/\/cognito-idp\.",\{"Ref":"AWS::Region"\},"\.amazonaws\.com\/",\{"Ref":"Users0A0EEA89"\}/);
  const refused = await fetch(mcp, { method: 'POST', headers: { 'content-type': 'application/json' }, body: LIST });
  expect(refused.status).toBe(401);
  expect(refused.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${documentUrl}"`);
  expect(await refused.json()).toEqual({ message: 'Unauthorized' });
  const document = await (await fetch(documentUrl)).json();
  expect(document).toEqual({
    resource: mcp,
    authorization_servers: [`${gateway.tokenIssuer!.url}/${POOL}`],
    scopes_supported: ['mcp/tools'],
    bearer_methods_supported: ['header'],
  });
  // the deploy-time URLs follow the address the client used (another loopback name)
  const viaLocalhost = await (await fetch(documentUrl.replace('127.0.0.1', 'localhost'))).json();
  expect(viaLocalhost.resource).toBe(mcp.replace('127.0.0.1', 'localhost'));
  expect(gateway.workerCount).toBe(0);
  // and the start-up log names it
  expect(log).toContain(`OAuth clients (MCP) are sent to the authorization server ${gateway.tokenIssuer!.url}/${POOL}, which approves them at once as 'local-user'`);
});

test('v2 client: 401 → discovery → registration → authorize (PKCE) → token → tools, progress streamed', async () => {
  const provider = new MemoryOAuthProvider();
  // GIVEN a client with no token: connecting sends it to the authorization server
  const first = new Client({ name: 'agent', version: '1.0.0' });
  const authProvider = provider as never;
  await expect(first.connect(new StreamableHTTPClientTransport(new URL(mcp), { authProvider }))).rejects.toThrow(UnauthorizedError);
  expect(provider.visited[0].origin + provider.visited[0].pathname).toBe(`${gateway.tokenIssuer!.url}/${POOL}/oauth2/authorize`);
  expect(provider.visited[0].searchParams.get('resource')).toBe(mcp);
  expect(provider.visited[0].searchParams.get('scope')).toBe('mcp/tools');
  // WHEN it comes back with the code
  const transport = new StreamableHTTPClientTransport(new URL(mcp), { authProvider });
  await transport.finishAuth(provider.code!);
  const client = new Client({ name: 'agent', version: '1.0.0' });
  await client.connect(transport);
  try {
    // THEN its access token is the pool's, for this server, with the scope; and the tools answer
    const verified = verifyCognitoToken(provider.saved!.access_token, {
      issuer: gateway.tokenIssuer!.issuer(POOL), keys: gateway.tokenIssuer!.jwks(POOL), scopes: ['mcp/tools'],
    });
    expect(verified).toHaveProperty('claims.aud', mcp);
    expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(['add', 'count', 'sleep']);
    const arrived: number[] = [];
    const onprogress = () => arrived.push(Date.now());
    const result = await client.callTool({ name: 'count', arguments: { steps: 3 } }, { onprogress, timeout: 20_000 });
    const resultAt = Date.now();
    // (streamed, not buffered: the notifications, sent 300 ms apart, arrive one by one, before the result)
    expect(arrived).toHaveLength(3);
    for (let i = 1; i < 3; i++) expect(arrived[i - 1]).toBeLessThan(arrived[i]);
    expect(arrived[2]).toBeLessThanOrEqual(resultAt);
    expect(result.isError).toBeFalsy();
  } finally {
    await client.close();
  }
});

test('v1 client: the same flow, and a stale token is refused with the challenge', async () => {
  const provider = new MemoryOAuthProvider();
  const first = new ClientV1({ name: 'agent', version: '1.0.0' });
  await expect(first.connect(new TransportV1(new URL(mcp), { authProvider: provider }))).rejects.toThrow(/Unauthorized/);
  const transport = new TransportV1(new URL(mcp), { authProvider: provider });
  await transport.finishAuth(provider.code!);
  const client = new ClientV1({ name: 'agent', version: '1.0.0' });
  await client.connect(transport);
  try {
    expect((await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } })).content).toEqual([{ type: 'text', text: '5' }]);
  } finally {
    await client.close();
  }
  const expired = gateway.tokenIssuer!.mint({ poolId: POOL, clientId: provider.client!.client_id, username: 'local-user', tokenUse: 'access', scopes: ['mcp/tools'], expiresInSeconds: -60 });
  const refused = await fetch(mcp, { method: 'POST', headers: { 'content-type': 'application/json', 'authorization': `Bearer ${expired}` }, body: LIST });
  expect(refused.status).toBe(401);
  expect(refused.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${documentUrl}"`);
});
