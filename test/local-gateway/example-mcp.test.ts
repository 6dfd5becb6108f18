// The example app's MCP server (examples/handlers/mcp-tools.ts behind StreamingMcpServer and a
// Cognito pool), synthesized by the aws-cdk CLI and served by the local gateway, tried as a user
// would: the official MCP clients (v2 pinned to 2026-07-28, and v1) with an access token of the
// example's pool as a bearer header list the two tools, call them, and see run_job's progress
// notifications as they arrive, before the result.
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
// eslint-disable-next-line import/no-unresolved -- the resolver does not read the SDK's exports map
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
// eslint-disable-next-line import/no-unresolved
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { MemoryOAuthProvider } from './support/oauth-provider';
import { until } from './support/serve';
import { ExampleMcp, serveExampleMcp } from '../support/example-app';

let mcp: ExampleMcp;

beforeAll(async () => {
  mcp = await serveExampleMcp();
}, 120_000);

afterAll(() => mcp?.close());

type Progress = { progress: number; total?: number; message?: string };
type ToolResult = { content: Array<{ type: string; text?: string }>; isError?: boolean };
interface Connected {
  listTools(): Promise<{ tools: Array<{ name: string; description?: string; inputSchema: { properties?: Record<string, unknown> } }> }>;
  callTool(name: string, args: Record<string, unknown>, onprogress?: (p: Progress) => void): Promise<ToolResult>;
  close(): Promise<void>;
}

async function v2(url: string, headers: Record<string, string>): Promise<Connected> {
  const client = new Client({ name: 'example-test', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return {
    listTools: () => client.listTools() as never,
    callTool: (name, args, onprogress) => client.callTool({ name, arguments: args }, { onprogress, timeout: 20_000 }) as never,
    close: () => client.close(),
  };
}

async function v1(url: string, headers: Record<string, string>): Promise<Connected> {
  const client = new ClientV1({ name: 'example-test', version: '1.0.0' });
  await client.connect(new TransportV1(new URL(url), { requestInit: { headers } }));
  return {
    listTools: () => client.listTools() as never,
    callTool: (name, args, onprogress) => client.callTool({ name, arguments: args }, undefined, { onprogress, timeout: 20_000 }) as never,
    close: () => client.close(),
  };
}

describe.each([
  ['the v2 client pinned to 2026-07-28', v2],
  ['the v1 client', v1],
])('%s with a bearer token', (_name, connect) => {
  let client: Connected;
  beforeAll(async () => {
    client = await connect(mcp.url, { authorization: `Bearer ${mcp.token()}` });
  });
  afterAll(() => client?.close());

  test('lists the two tools, with their descriptions and input schemas', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['run_job', 'word_count']);
    const runJob = tools.find((t) => t.name === 'run_job')!;
    expect(runJob.description).toMatch(/progress/);
    expect(Object.keys(runJob.inputSchema.properties ?? {}).sort()).toEqual(['delayMs', 'steps']);
  });

  test('word_count answers with the counts', async () => {
    const result = await client.callTool('word_count', { text: 'streamed answers\nfor agents' });
    expect(JSON.parse(result.content[0].text!)).toEqual({ words: 4, lines: 2, characters: 27 });
    // the function's structured log names the method and the tool (what CloudWatch would get)
    // (printed output reaches the gateway on its own, after the answer at times)
    const logged = () => mcp.printed.map((line) => JSON.parse(line)).filter((l) => l.mcpMethod === 'tools/call' && l.mcpName === 'word_count');
    await until(() => logged().length > 0, 'the tools/call log line');
    expect(logged()[0]).toEqual({ message: 'mcp request', mcpMethod: 'tools/call', mcpName: 'word_count', jsonRpcId: expect.anything(), awsRequestId: expect.any(String) });
  });

  test('run_job: each progress notification arrives as it is sent, in order, before the result', async () => {
    // GIVEN a log of what reaches the client, stamped on arrival
    const arrivals: Array<{ what: string; at: number }> = [];
    // WHEN
    const result = await client.callTool('run_job', { steps: 4, delayMs: 250 }, (p) => arrivals.push({ what: `${p.progress}/${p.total} ${p.message}`, at: Date.now() }));
    arrivals.push({ what: 'result', at: Date.now() });
    // THEN
    expect(result.isError).toBeFalsy();
    expect(result.content).toEqual([{ type: 'text', text: 'Job done: 4 steps' }]);
    expect(arrivals.map((a) => a.what)).toEqual(['1/4 step 1 of 4', '2/4 step 2 of 4', '3/4 step 3 of 4', '4/4 step 4 of 4', 'result']);
    // Streamed: each notification reached the client before the next step ended (a buffered
    // answer would deliver them all at once, with the result). The last one is sent with the result.
    const at = arrivals.map((a) => a.at);
    for (let i = 1; i < 4; i++) expect(at[i - 1]).toBeLessThan(at[i]);
    expect(at[3]).toBeLessThanOrEqual(at[4]);
  });
});

describe('the Cognito authorizer in front of the example', () => {
  const list = (headers: Record<string, string>) => fetch(mcp.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'accept': 'application/json, text/event-stream', ...headers },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
  });

  test('no token, or a token without the mcp/tools scope: 401, and the client cannot list the tools', async () => {
    expect((await list({})).status).toBe(401);
    expect((await list({ authorization: `Bearer ${mcp.token(['other/scope'])}` })).status).toBe(401);
    const client = new Client({ name: 'example-test', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await expect(client.connect(new StreamableHTTPClientTransport(new URL(mcp.url))).then(() => client.listTools())).rejects.toThrow(/401|Unauthorized/i);
    await client.close();
  });

  test('GET and DELETE are 405, answered by API Gateway', async () => {
    for (const method of ['GET', 'DELETE']) {
      const response = await fetch(mcp.url, { method, headers: { authorization: `Bearer ${mcp.token()}` } });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
    }
  });
});

test('an agent with no token: OAuth from the 401 (the pool\'s local authorization server, PKCE), then run_job', async () => {
  // GIVEN a v2 client that only knows the URL, with an OAuth provider as a client app writes one
  const provider = new MemoryOAuthProvider();
  const authProvider = provider as never;
  await expect(new Client({ name: 'agent', version: '1.0.0' }).connect(new StreamableHTTPClientTransport(new URL(mcp.url), { authProvider })))
    .rejects.toThrow(/Unauthorized/);
  expect(provider.visited[0].pathname).toMatch(/\/oauth2\/authorize$/);
  expect(provider.visited[0].searchParams.get('scope')).toBe('mcp/tools');
  // WHEN it comes back from the authorization server with the code
  const transport = new StreamableHTTPClientTransport(new URL(mcp.url), { authProvider });
  await transport.finishAuth(provider.code!);
  const client = new Client({ name: 'agent', version: '1.0.0' });
  await client.connect(transport);
  try {
    // THEN its token calls the tools through the Cognito authorizer
    const progress: number[] = [];
    const result = await client.callTool({ name: 'run_job', arguments: { steps: 2, delayMs: 50 } }, { onprogress: (p) => progress.push(p.progress), timeout: 20_000 });
    expect(result.content).toEqual([{ type: 'text', text: 'Job done: 2 steps' }]);
    expect(progress).toEqual([1, 2]);
  } finally {
    await client.close();
  }
});
