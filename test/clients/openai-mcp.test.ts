import * as http from 'http';
import type { AddressInfo } from 'net';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import OpenAI from 'openai';
import type { ChatCompletion, ChatCompletionCreateParams, ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { ExampleMcp, serveExampleMcp } from '../support/example-app';

// An agent on the `openai` package using the example app's MCP server, run from the agent's own
// process (the Responses API's `{ type: 'mcp' }` tool needs a server OpenAI can reach): the MCP
// client lists the tools, they become chat completion `tools`, and each tool call the model makes
// is executed through the local gateway with the example pool's token. The model is a tiny
// OpenAI-compatible stub: it calls both tools, then answers with what they returned.

/** The stub model: records each request, answers with tool calls until it has seen tool results. */
function startStubModel() {
  const requests: ChatCompletionCreateParams[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const request = JSON.parse(body) as ChatCompletionCreateParams;
      requests.push(request);
      const results = request.messages.filter((m) => m.role === 'tool').map((m) => m.content);
      const toolCalls: ChatCompletion.Choice['message']['tool_calls'] = [
        { id: 'call_1', type: 'function', function: { name: 'word_count', arguments: JSON.stringify({ text: 'hello agents' }) } },
        { id: 'call_2', type: 'function', function: { name: 'run_job', arguments: JSON.stringify({ steps: 3, delayMs: 100 }) } },
      ];
      const message: ChatCompletion.Choice['message'] = results.length === 0
        ? { role: 'assistant', content: null, refusal: null, tool_calls: toolCalls }
        : { role: 'assistant', content: `Done. ${results.join(' | ')}`, refusal: null };
      const choice: ChatCompletion.Choice = { index: 0, message, finish_reason: results.length === 0 ? 'tool_calls' : 'stop', logprobs: null };
      const completion: ChatCompletion = { id: `chatcmpl-${requests.length}`, object: 'chat.completion', created: 0, model: request.model, choices: [choice] };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(completion));
    });
  });
  return new Promise<{ url: string; requests: ChatCompletionCreateParams[]; close: () => Promise<void> }>((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
      requests,
      close: () => new Promise((done) => server.close(() => done())),
    }));
  });
}

/** The agent loop: MCP tools offered to the model, its tool calls run on the MCP server, until it answers. */
async function runAgent(openai: OpenAI, mcp: Client, question: string, onProgress: (tool: string, progress: number) => void): Promise<string> {
  const { tools } = await mcp.listTools();
  const offered: ChatCompletionTool[] = tools.map((t) => ({
    type: 'function', function: { name: t.name, description: t.description, parameters: t.inputSchema as Record<string, unknown> },
  }));
  const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: question }];
  for (let turn = 0; turn < 5; turn++) {
    const { message } = (await openai.chat.completions.create({ model: 'stub-model', messages, tools: offered })).choices[0];
    messages.push(message);
    if (!message.tool_calls?.length) return message.content ?? '';
    for (const call of message.tool_calls) {
      if (call.type !== 'function') continue;
      const result = await mcp.callTool({ name: call.function.name, arguments: JSON.parse(call.function.arguments) }, {
        onprogress: (p) => onProgress(call.function.name, p.progress),
      });
      const text = (result.content as Array<{ type: string; text?: string }>).map((c) => c.text ?? '').join('\n');
      messages.push({ role: 'tool', tool_call_id: call.id, content: text });
    }
  }
  throw new Error('the model did not answer within 5 turns');
}

let mcp: ExampleMcp;
let model: Awaited<ReturnType<typeof startStubModel>>;

beforeAll(async () => {
  [mcp, model] = await Promise.all([serveExampleMcp(), startStubModel()]);
}, 120_000);

afterAll(async () => {
  await mcp?.close();
  await model?.close();
});

test('the openai agent loop: the model gets the MCP tools, its tool calls run through the gateway, it answers with their results', async () => {
  // GIVEN an MCP client with the example pool's token, and the openai client on the stub model
  const client = new Client({ name: 'openai-agent', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(mcp.url), { requestInit: { headers: { authorization: `Bearer ${mcp.token()}` } } }));
  const openai = new OpenAI({ baseURL: model.url, apiKey: 'stub', maxRetries: 0, timeout: 20_000 });
  const progress: string[] = [];
  try {
    // WHEN
    const answer = await runAgent(openai, client, 'Count the words of "hello agents" and run a short job.', (tool, p) => progress.push(`${tool} ${p}`));
    // THEN the model was offered both tools, with the MCP input schemas as parameters
    expect(model.requests).toHaveLength(2);
    const offered = model.requests[0].tools!.map((t) => (t as ChatCompletionTool & { type: 'function' }).function);
    expect(offered.map((f) => f.name).sort()).toEqual(['run_job', 'word_count']);
    expect(offered.find((f) => f.name === 'word_count')!.parameters).toMatchObject({ type: 'object', properties: { text: { type: 'string' } }, required: ['text'] });
    // the tool calls ran on the MCP server (run_job's progress reached the agent), and their results went back to the model
    expect(progress).toEqual(['run_job 1', 'run_job 2', 'run_job 3']);
    expect(model.requests[1].messages.filter((m) => m.role === 'tool')).toEqual([
      { role: 'tool', tool_call_id: 'call_1', content: JSON.stringify({ words: 2, lines: 1, characters: 12 }) },
      { role: 'tool', tool_call_id: 'call_2', content: 'Job done: 3 steps' },
    ]);
    expect(answer).toBe(`Done. ${JSON.stringify({ words: 2, lines: 1, characters: 12 })} | Job done: 3 steps`);
  } finally {
    await client.close();
  }
});
