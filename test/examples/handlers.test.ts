import { createHash } from 'crypto';
import { Writable } from 'stream';
import { patternSha256, handler as download } from '../../examples/handlers/large-download';
import { handler as longJob } from '../../examples/handlers/long-job';
import { handler as mcpTools } from '../../examples/handlers/mcp-tools';
import { handler as tokens } from '../../examples/handlers/sse-tokens';
import { installAwsLambda, uninstallAwsLambda } from '../../local-gateway/lambda/sandbox/awslambda';
import { invoke, parseStreamedResponse } from '../../local-gateway/lambda/sandbox/invoke';
import { restProxyEvent } from '../support/events';

beforeAll(() => installAwsLambda());
afterAll(() => uninstallAwsLambda());

describe('sse-tokens', () => {
  test('streams the requested tokens as SSE, then done', async () => {
    const result = await invoke(tokens, restProxyEvent({ queryStringParameters: { words: '3', delay: '0', text: 'a b c d' } }));
    const { metadata, body } = parseStreamedResponse(result.body);
    expect(metadata.headers!['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(body.toString()).toBe(
      'event: token\nid: 0\ndata: {"index":0,"text":"a"}\n\n' +
      'event: token\nid: 1\ndata: {"index":1,"text":"b"}\n\n' +
      'event: token\nid: 2\ndata: {"index":2,"text":"c"}\n\n' +
      'event: done\ndata: {"tokens":3}\n\n' +
      'id: ~end\n\n', // returned: marked finished, so an EventSource does not run it again
    );
  });

  test('echoes a POSTed prompt', async () => {
    const result = await invoke(tokens, restProxyEvent({ httpMethod: 'POST', body: '{"prompt":"hi there"}', queryStringParameters: { delay: '0', words: '2' } }));
    expect(parseStreamedResponse(result.body).body.toString()).toContain('"text":"there"');
  });

  test.each([
    [{ queryStringParameters: { words: 'many' } }, /'words' must be a whole number/],
    [{ queryStringParameters: { delay: '-1' } }, /'delay' must be a whole number/],
    [{ httpMethod: 'POST', body: 'not json' }, /must be JSON/],
  ])('answers 400 to %j', async (overrides, message) => {
    const { metadata, body } = parseStreamedResponse((await invoke(tokens, restProxyEvent(overrides))).body);
    expect(metadata.statusCode).toBe(400);
    expect(JSON.parse(body.toString()).message).toMatch(message);
  });
});

describe('large-download', () => {
  test('streams the pattern whose SHA-256 it announces', async () => {
    // GIVEN: a sink that splits off the metadata and hashes the body as it arrives
    const hash = createHash('sha256');
    let head = Buffer.alloc(0);
    let bodyBytes = 0;
    const sink = new Writable({
      write(chunk: Buffer, _e, cb) {
        if (bodyBytes === 0 && head.indexOf(Buffer.alloc(8)) < 0) {
          head = Buffer.concat([head, chunk]);
          const at = head.indexOf(Buffer.alloc(8));
          if (at >= 0) {
            const rest = head.subarray(at + 8);
            head = head.subarray(0, at + 8);
            bodyBytes += rest.length;
            hash.update(rest);
          }
        } else {
          bodyBytes += chunk.length;
          hash.update(chunk);
        }
        cb();
      },
    });
    // WHEN
    const result = await invoke(download, restProxyEvent({ queryStringParameters: { mb: '3' } }), { sink, timeoutMs: 30_000 });
    // THEN
    const { metadata } = parseStreamedResponse(head);
    expect(result.outcome).toBe('ended');
    expect(bodyBytes).toBe(3 * 1024 * 1024);
    expect(metadata.headers!['x-content-sha256']).toBe(hash.digest('hex'));
    expect(patternSha256(3 * 1024 * 1024)).toBe(metadata.headers!['x-content-sha256']);
  });

  test('rejects a size out of range', async () => {
    const { metadata } = parseStreamedResponse((await invoke(download, restProxyEvent({ queryStringParameters: { mb: '500' } }))).body);
    expect(metadata.statusCode).toBe(400);
  });
});

describe('long-job', () => {
  test('reports each step as an NDJSON line, then the result', async () => {
    const result = await invoke(longJob, restProxyEvent({ pathParameters: { id: 'j1' }, queryStringParameters: { steps: '3', delay: '0' } }));
    const lines = parseStreamedResponse(result.body).body.toString().trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.slice(0, 3)).toEqual([
      { job: 'j1', step: 1, of: 3, percent: 33 },
      { job: 'j1', step: 2, of: 3, percent: 67 },
      { job: 'j1', step: 3, of: 3, percent: 100 },
    ]);
    expect(lines[3]).toMatchObject({ job: 'j1', done: true });
  });
});

describe('mcp-tools', () => {
  /** A JSON-RPC request POSTed to /mcp as API Gateway sends it; returns the status and the body's JSON-RPC messages. */
  async function call(method: string, params: Record<string, unknown>, timeoutMs = 10_000) {
    const headers = { 'content-type': 'application/json', 'accept': 'application/json, text/event-stream', 'host': 'abc.example.com', 'x-forwarded-proto': 'https' };
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method, params });
    const result = await invoke(mcpTools, restProxyEvent({ httpMethod: 'POST', path: '/mcp', headers, body }), { timeoutMs });
    const { metadata, body: answer } = parseStreamedResponse(result.body);
    const text = answer.toString();
    const sse = /text\/event-stream/.test(metadata.headers?.['content-type'] ?? '');
    const messages = sse ? text.split('\n').filter((l) => l.startsWith('data: ')).map((l) => JSON.parse(l.slice(6))) : [JSON.parse(text)];
    return { status: metadata.statusCode, sse, messages };
  }
  let log: jest.SpyInstance;
  beforeEach(() => (log = jest.spyOn(console, 'log').mockImplementation(() => undefined)));
  afterEach(() => log.mockRestore());

  test('lists the two tools, and logs the MCP method of each request', async () => {
    const { status, messages } = await call('tools/list', {});
    expect(status).toBe(200);
    expect(messages[0].result.tools.map((t: { name: string }) => t.name)).toEqual(['word_count', 'run_job']);
    expect(JSON.parse(log.mock.calls[0][0])).toMatchObject({ message: 'mcp request', mcpMethod: 'tools/list', jsonRpcId: 1 });
  });

  test('word_count counts an empty text as nothing', async () => {
    const { messages } = await call('tools/call', { name: 'word_count', arguments: { text: '' } });
    expect(JSON.parse(messages[0].result.content[0].text)).toEqual({ words: 0, lines: 0, characters: 0 });
  });

  test('run_job with a progress token answers an SSE stream: a notification per step, then the result', async () => {
    const { sse, messages } = await call('tools/call', { name: 'run_job', arguments: { steps: 2, delayMs: 0 }, _meta: { progressToken: 'p1' } });
    expect(sse).toBe(true);
    expect(messages).toEqual([
      { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 'p1', progress: 1, total: 2, message: 'step 1 of 2' } },
      { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 'p1', progress: 2, total: 2, message: 'step 2 of 2' } },
      { jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: 'Job done: 2 steps' }] } },
    ]);
  });

  test.each([
    [{ steps: 0 }],
    [{ steps: 51 }],
    [{ steps: 2, delayMs: -1 }],
    [{ steps: 'many' }],
  ])('run_job refuses %j with an error the client can show, not a crash', async (args) => {
    const { status, messages } = await call('tools/call', { name: 'run_job', arguments: args });
    expect(status).toBe(200);
    const answer = messages[messages.length - 1];
    expect(answer.id).toBe(1);
    expect(answer.error?.message ?? (answer.result.isError && answer.result.content[0].text)).toMatch(/steps|delayMs/);
  });

  test('a job outliving the function gets a JSON-RPC error before the deadline, not a timeout', async () => {
    // GIVEN a 3 s function (the handler answers 1 s before its deadline) and a job of 5 × 10 s
    const { status, messages } = await call('tools/call', { name: 'run_job', arguments: { steps: 5, delayMs: 10_000 } }, 3000);
    // THEN (the tool stops its steps on the same signal)
    expect(status).toBe(200);
    expect(messages).toEqual([{ jsonrpc: '2.0', id: 1, error: { code: -32001, message: 'The function reached its deadline before the request completed' } }]);
  });
});
