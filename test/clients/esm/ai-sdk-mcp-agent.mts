/**
 * An agent built on the AI SDK, connected to an MCP server as its docs show: `createMCPClient`
 * (`@ai-sdk/mcp`) with the HTTP transport and a bearer token header, its `tools()` handed to
 * `generateText`, and a mock language model (`ai/test`) that asks for both tools in its first step
 * and answers with their results in its second, so the whole agent loop runs offline. Prints the
 * tools listed, the tools the model was offered, the steps' tool calls and results, the final text,
 * and what a client without a token got.
 */
import { createMCPClient } from '@ai-sdk/mcp';
import { generateText, isStepCount } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';

const { url, token } = JSON.parse(await new Response(process.stdin as unknown as ReadableStream).text()) as { url: string; token: string };

const usage = {
  inputTokens: { total: 10, noCache: 10, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 5, text: 5, reasoning: undefined },
};

const client = await createMCPClient({ transport: { type: 'http', url, headers: { Authorization: `Bearer ${token}` } } });
let output: Record<string, unknown>;
try {
  const listed = (await client.listTools()).tools.map((t) => t.name).sort();
  const offered: string[][] = [];
  const model = new MockLanguageModelV4({
    doGenerate: async ({ prompt, tools }) => {
      offered.push((tools ?? []).map((t) => t.name).sort());
      const results = prompt.flatMap((m) => (m.role === 'tool' ? m.content : []));
      if (results.length === 0) {
        // First step: the model calls both tools.
        return {
          content: [
            { type: 'tool-call', toolCallId: 'call-1', toolName: 'word_count', input: JSON.stringify({ text: 'one two three' }) },
            { type: 'tool-call', toolCallId: 'call-2', toolName: 'run_job', input: JSON.stringify({ steps: 3, delayMs: 50 }) },
          ],
          finishReason: { unified: 'tool-calls', raw: 'tool_use' },
          usage,
          warnings: [],
        };
      }
      // Second step: the model answers with what the tools returned.
      return {
        content: [{ type: 'text', text: `The tools said: ${JSON.stringify(results.map((r) => r.type === 'tool-result' ? r.output : r))}` }],
        finishReason: { unified: 'stop', raw: 'end_turn' },
        usage,
        warnings: [],
      };
    },
  });
  const result = await generateText({
    model,
    tools: await client.tools(),
    stopWhen: isStepCount(3),
    prompt: 'Count the words of "one two three", then run a 3-step job.',
  });
  output = {
    listed,
    offered,
    steps: result.steps.map((s) => ({
      toolCalls: s.toolCalls.map((c) => ({ toolName: c.toolName, input: c.input })),
      toolResults: s.toolResults.map((r) => ({ toolName: r.toolName, output: r.output })),
    })),
    text: result.text,
  };
} finally {
  await client.close();
}

// Without a token the API Gateway authorizer answers 401 and the client does not connect.
let unauthorized: string | undefined;
try {
  const anonymous = await createMCPClient({ transport: { type: 'http', url } });
  await anonymous.listTools();
  await anonymous.close();
} catch (error) {
  unauthorized = (error as Error).message;
}
process.stdout.write(JSON.stringify({ ...output, unauthorized }));
