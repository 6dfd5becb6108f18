import { mcpHandler } from '../../../lambda-assets/runtime';
import type { McpFetch } from '../../../lambda-assets/runtime';
import { jwtVerifier } from '../../../lambda-assets/runtime/jwt';
import { createAwsLambda } from '../../../local-gateway/lambda/sandbox/awslambda';
import { invoke, parseStreamedResponse } from '../../../local-gateway/lambda/sandbox/invoke';
import { restProxyEvent } from '../../support/events';

// mcpHandler around stand-in SDK answers (the real SDKs are exercised in test/local-gateway/mcp.test.ts).
const runtime = createAwsLambda();
const post = (body: unknown) => restProxyEvent({ httpMethod: 'POST', path: '/mcp', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const sse = (...events: string[]) => new ReadableStream<Uint8Array>({
  start(controller) {
    for (const event of events) controller.enqueue(new TextEncoder().encode(event));
    // left open: the tool is still running
  },
});

describe('mcpHandler', () => {
  test('an SSE answer still open at the deadline gets a JSON-RPC error event for the pending request, after what was streamed', async () => {
    // GIVEN a server that streamed a progress notification and never sends the result
    const progress = 'event: message\ndata: {"jsonrpc":"2.0","method":"notifications/progress","params":{"progress":1}}\n\n';
    const serve: McpFetch = async () => new Response(sse(progress), { headers: { 'content-type': 'text/event-stream' } });
    const handler = mcpHandler(serve, { runtime, log: () => undefined, deadlineMarginMs: 500, hardStopMarginMs: 100 });
    // WHEN
    const result = await invoke(handler, post({ jsonrpc: '2.0', id: 'call-1', method: 'tools/call', params: { name: 'slow' } }), { timeoutMs: 800 });
    // THEN
    expect(result.outcome).toBe('ended');
    const { metadata, body } = parseStreamedResponse(result.body);
    expect(metadata.statusCode).toBe(200);
    const events = body.toString().split('\n\n').filter(Boolean);
    expect(events[0]).toBe(progress.trim());
    expect(JSON.parse(events[1].replace('event: message\ndata: ', ''))).toEqual({
      jsonrpc: '2.0', id: 'call-1', error: { code: -32001, message: 'The function reached its deadline before the request completed' },
    });
  });

  test('a request already answered in the stream gets no second answer at the deadline', async () => {
    const answer = 'event: message\ndata: {"jsonrpc":"2.0","id":3,"result":{}}\n\n';
    const serve: McpFetch = async () => new Response(sse(answer), { headers: { 'content-type': 'text/event-stream' } });
    const handler = mcpHandler(serve, { runtime, log: () => undefined, deadlineMarginMs: 500, hardStopMarginMs: 100 });
    const result = await invoke(handler, post({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'x' } }), { timeoutMs: 800 });
    expect(parseStreamedResponse(result.body).body.toString()).toBe(answer);
  });

  test('one JSON log line per message: method, tool name or resource URI, id, request id', async () => {
    const entries: Array<Record<string, unknown>> = [];
    const serve: McpFetch = async () => new Response(null, { status: 202 });
    const handler = mcpHandler(serve, { runtime, log: (entry) => entries.push(entry) });
    await invoke(handler, post({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'add' } }));
    await invoke(handler, post({ jsonrpc: '2.0', id: 2, method: 'resources/read', params: { uri: 'greeting://hello' } }));
    expect(entries).toEqual([
      { message: 'mcp request', mcpMethod: 'tools/call', mcpName: 'add', jsonRpcId: 1, awsRequestId: expect.any(String) },
      { message: 'mcp request', mcpMethod: 'resources/read', mcpName: 'greeting://hello', jsonRpcId: 2, awsRequestId: expect.any(String) },
    ]);
  });

  test('a notification answered 202 without a body still writes the metadata', async () => {
    const handler = mcpHandler(async () => new Response(null, { status: 202 }), { runtime, log: () => undefined });
    const result = await invoke(handler, post({ jsonrpc: '2.0', method: 'notifications/initialized' }));
    expect(result.body.toString()).toBe(`{"statusCode":202,"headers":{}}${'\0'.repeat(8)}`);
  });

  test('no protected-resource document without authorizationServers; the server is never called for GET', async () => {
    const serve = jest.fn<ReturnType<McpFetch>, Parameters<McpFetch>>();
    const handler = mcpHandler(serve, { runtime });
    const document = parseStreamedResponse((await invoke(handler, restProxyEvent({ path: '/.well-known/oauth-protected-resource/mcp' }))).body);
    expect(document.metadata.statusCode).toBe(404);
    const get = parseStreamedResponse((await invoke(handler, restProxyEvent({ path: '/mcp' }))).body);
    expect(get.metadata).toEqual({ statusCode: 405, headers: { 'content-type': 'application/json', 'allow': 'POST' } });
    expect(serve).not.toHaveBeenCalled();
  });
});

test('jwtVerifier reads StreamingMcpServer\'s MCP_AUTH_* variables, and says which is missing and how to give it', () => {
  const saved = { issuer: process.env.MCP_AUTH_ISSUER, audience: process.env.MCP_AUTH_AUDIENCE };
  try {
    delete process.env.MCP_AUTH_ISSUER;
    delete process.env.MCP_AUTH_AUDIENCE;
    expect(() => jwtVerifier()).toThrow(/no issuer: pass it, or set MCP_AUTH_ISSUER \(StreamingMcpServer with McpAuth.jwt\(\) sets both\)/);
    process.env.MCP_AUTH_ISSUER = 'https://issuer.example.com';
    expect(() => jwtVerifier()).toThrow(/no audience: pass it, or set MCP_AUTH_AUDIENCE/);
    process.env.MCP_AUTH_AUDIENCE = 'https://api.example.com/prod/mcp';
    expect(typeof jwtVerifier()).toBe('function');
  } finally {
    for (const [name, value] of [['MCP_AUTH_ISSUER', saved.issuer], ['MCP_AUTH_AUDIENCE', saved.audience]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
});
