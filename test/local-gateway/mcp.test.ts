// mcpHandler through the local gateway, with the official MCP clients: v2 pinned to 2026-07-28,
// v2 `auto`, v2 legacy and the v1 client, against a v2 server (and the v1 client against a v1 server).
import * as path from 'path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
// eslint-disable-next-line import/no-unresolved -- the resolver does not read the SDK's exports map
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
// eslint-disable-next-line import/no-unresolved
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { buildSync } from 'esbuild';
import { serve } from './support/serve';
import { startTokenIssuer } from '../../local-gateway/stand-ins/token-issuer';

const APPS = path.join(__dirname, 'apps', 'mcp');
const bundles = new Map<string, string>();
function bundle(file: string): string {
  if (!bundles.has(file)) {
    const out = buildSync({ entryPoints: [path.join(APPS, file)], bundle: true, platform: 'node', format: 'cjs', target: 'node22', write: false, logLevel: 'silent' });
    bundles.set(file, out.outputFiles[0].text);
  }
  return bundles.get(file)!;
}

/** The MCP route (POST, GET, DELETE to the same function) of a gateway serving `file`. */
async function mcpServer(file: string, environment: Record<string, string> = {}) {
  const code = bundle(file);
  const route = { path: '/mcp', code, functionTimeoutSeconds: 5, environment };
  const served = await serve([
    { ...route, method: 'POST' }, { ...route, method: 'GET' }, { ...route, method: 'DELETE' },
    { ...route, path: '/.well-known/oauth-protected-resource/mcp', method: 'GET' },
  ]);
  return { ...served, mcp: `${served.url}/prod/mcp` };
}

type AnyClient = {
  listTools(): Promise<{ tools: Array<{ name: string }> }>;
  readResource(p: { uri: string }): Promise<{ contents: Array<{ text?: unknown }> }>;
  getPrompt(p: { name: string; arguments: Record<string, string> }): Promise<{ messages: Array<{ content: unknown }> }>;
  close(): Promise<void>;
};
type Progress = (p: { progress: number; message?: string }) => void;
type CallTool = (name: string, args: Record<string, unknown>, onprogress?: Progress) => Promise<{ content: Array<{ text?: string }> }>;

const clients: Record<string, (url: string) => Promise<{ client: AnyClient; callTool: CallTool }>> = {
  'v2 pinned to 2026-07-28': (url) => v2(url, { pin: '2026-07-28' }),
  'v2 auto': (url) => v2(url, 'auto'),
  'v2 legacy': (url) => v2(url, 'legacy'),
  'v1': (url) => v1(url),
};

async function v2(url: string, mode: 'auto' | 'legacy' | { pin: string }, headers: Record<string, string> = {}) {
  const client = new Client({ name: 'test', version: '1.0.0' }, { versionNegotiation: { mode } });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  const callTool: CallTool = (name, args, onprogress) => client.callTool({ name, arguments: args }, { onprogress, timeout: 20_000 }) as never;
  return { client: client as unknown as AnyClient, callTool };
}

async function v1(url: string) {
  const client = new ClientV1({ name: 'test', version: '1.0.0' });
  await client.connect(new TransportV1(new URL(url)));
  const callTool: CallTool = (name, args, onprogress) =>
    client.callTool({ name, arguments: args }, undefined, { onprogress, timeout: 20_000 }) as never;
  return { client: client as unknown as AnyClient, callTool };
}

describe.each([
  ...Object.keys(clients).map((name) => [name, 'server-v2.ts'] as const),
  ['v1', 'server-v1.ts'] as const,
])('%s client, %s', (clientName, serverFile) => {
  test('tools, resources, prompts; progress streamed as it is sent', async () => {
    // GIVEN
    const { mcp } = await mcpServer(serverFile);
    const { client, callTool } = await clients[clientName](mcp);
    try {
      // WHEN / THEN
      expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(['add', 'count', 'sleep']);
      expect((await callTool('add', { a: 2, b: 3 })).content[0].text).toBe('5');
      expect((await client.readResource({ uri: 'greeting://hello' })).contents[0].text).toBe('Hello from Lambda');
      expect((await client.getPrompt({ name: 'review', arguments: { code: 'x = 1' } })).messages[0].content).toEqual({ type: 'text', text: 'Review: x = 1' });
      const progress: Array<{ sentAt: number; arrivedAt: number }> = [];
      const result = await callTool('count', { steps: 3 }, (p) => progress.push({ sentAt: Number(p.message), arrivedAt: Date.now() }));
      const { counted, sentAt: resultSentAt } = JSON.parse(result.content[0].text!);
      expect(counted).toBe(3);
      expect(progress).toHaveLength(3);
      // Streamed: each notification reached the client before the handler even produced the result.
      for (const p of progress) expect(p.arrivedAt).toBeLessThan(resultSentAt);
    } finally {
      await client.close();
    }
  });
});

describe('the HTTP surface', () => {
  test('GET and DELETE are 405 with Allow: POST (no stream held open)', async () => {
    const { mcp } = await mcpServer('server-v2.ts');
    for (const method of ['GET', 'DELETE']) {
      const response = await fetch(mcp, { method, headers: { accept: 'text/event-stream' } });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
      expect((await response.json()).error.message).toMatch(/POST only/);
    }
  });

  test('a tool call outliving the deadline gets a JSON-RPC error, not silence', async () => {
    const { mcp } = await mcpServer('server-v2.ts');
    const { client, callTool } = await clients['v2 pinned to 2026-07-28'](mcp);
    try {
      await expect(callTool('sleep', { ms: 30_000 })).rejects.toThrow(/deadline/);
    } finally {
      await client.close();
    }
  });

  test('subscriptions/listen is refused with a JSON-RPC error', async () => {
    const { mcp } = await mcpServer('server-v2.ts');
    const response = await fetch(mcp, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept': 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'subscriptions/listen', params: {} }),
    });
    expect(await response.json()).toEqual({ jsonrpc: '2.0', id: 7, error: { code: -32601, message: expect.stringMatching(/not served/) } });
  });

  test('a body over 4 MiB is a 413 with a JSON-RPC error', async () => {
    const { mcp } = await mcpServer('server-v2.ts');
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'add', arguments: { pad: 'x'.repeat(4.5 * 1024 * 1024) } } });
    const response = await fetch(mcp, { method: 'POST', headers: { 'content-type': 'application/json', 'accept': 'application/json, text/event-stream' }, body });
    expect(response.status).toBe(413);
    expect((await response.json()).error.message).toMatch(/too large: \d+ bytes, the limit is 4194304/);
  });

  test('an event over Lambda\'s 6 MB invocation payload is refused (413) without invoking the function, and the gateway says why', async () => {
    const { mcp, gateway, diagnostics } = await mcpServer('server-v2.ts');
    // (7 MB of body: under API Gateway's 10 MB, over Lambda's 6 MB)
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'add', arguments: { pad: 'x'.repeat(7 * 1024 * 1024) } } });
    const response = await fetch(mcp, { method: 'POST', headers: { 'content-type': 'application/json', 'accept': 'application/json, text/event-stream' }, body });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ message: 'Request Too Long' });
    expect(gateway.workerCount).toBe(0);
    expect(diagnostics.join('\n')).toMatch(/the Lambda event is \d+ bytes, over Lambda's invocation payload limit of 6291456 bytes/);
  });

  test('a body over API Gateway\'s 10 MB is refused by the gateway (413) before the function', async () => {
    const { mcp } = await mcpServer('server-v2.ts');
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'add', arguments: { pad: 'x'.repeat(11 * 1024 * 1024) } } });
    const response = await fetch(mcp, { method: 'POST', headers: { 'content-type': 'application/json', 'accept': 'application/json, text/event-stream' }, body });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ message: 'Request Too Long' });
  });
});

describe('bearer verification (JWT, JWKS of the local token issuer)', () => {
  const POOL = 'mcp-pool';
  const AUDIENCE = 'https://mcp.example.com/prod/mcp';
  let issuer: Awaited<ReturnType<typeof startTokenIssuer>>;
  beforeAll(async () => (issuer = await startTokenIssuer({ pools: [POOL] })));
  afterAll(() => issuer.close());
  const mint = (scopes: string[], audience = AUDIENCE) =>
    issuer.mint({ poolId: POOL, clientId: 'agent', username: 'ann', tokenUse: 'access', scopes, audience });
  const post = (url: string, token?: string) => fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'accept': 'application/json, text/event-stream', ...token ? { authorization: `Bearer ${token}` } : {} },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
  });

  test('401 with the RFC 9728 challenge pointing under the stage; the document there names the resource and the issuer', async () => {
    const { url, mcp } = await mcpServer('server-v2.ts', { MCP_AUTH_ISSUER: issuer.issuer(POOL), MCP_AUTH_AUDIENCE: AUDIENCE, MCP_AUTH_SCOPES: 'mcp/tools' });
    const response = await post(mcp);
    expect(response.status).toBe(401);
    const metadataUrl = `${url}/prod/.well-known/oauth-protected-resource/mcp`;
    expect(response.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${metadataUrl}", scope="mcp/tools"`);
    const document = await (await fetch(metadataUrl)).json();
    expect(document).toEqual({ resource: mcp, authorization_servers: [issuer.issuer(POOL)], scopes_supported: ['mcp/tools'], bearer_methods_supported: ['header'] });
  });

  test('a token for another audience is 401 invalid_token; one without the scope is 403 insufficient_scope', async () => {
    const { mcp } = await mcpServer('server-v2.ts', { MCP_AUTH_ISSUER: issuer.issuer(POOL), MCP_AUTH_AUDIENCE: AUDIENCE, MCP_AUTH_SCOPES: 'mcp/tools' });
    const wrongAudience = await post(mcp, mint(['mcp/tools'], 'https://elsewhere.example.com/mcp'));
    expect(wrongAudience.status).toBe(401);
    expect(wrongAudience.headers.get('www-authenticate')).toMatch(/^Bearer resource_metadata="[^"]+\/prod\/\.well-known\/oauth-protected-resource\/mcp", error="invalid_token"/);
    const noScope = await post(mcp, mint(['other/scope']));
    expect(noScope.status).toBe(403);
    expect(noScope.headers.get('www-authenticate')).toMatch(/error="insufficient_scope", error_description="Missing scopes: mcp\/tools", scope="mcp\/tools"$/);
  });

  test('a valid token with the scope: the v2 client lists and calls tools', async () => {
    const { mcp } = await mcpServer('server-v2.ts', { MCP_AUTH_ISSUER: issuer.issuer(POOL), MCP_AUTH_AUDIENCE: AUDIENCE, MCP_AUTH_SCOPES: 'mcp/tools' });
    const { client, callTool } = await v2(mcp, { pin: '2026-07-28' }, { authorization: `Bearer ${mint(['mcp/tools'])}` });
    try {
      expect((await client.listTools()).tools).toHaveLength(3);
      expect((await callTool('add', { a: 1, b: 1 })).content[0].text).toBe('2');
    } finally {
      await client.close();
    }
  });
});
