import { ExampleMcp, serveExampleMcp } from '../support/example-app';
import { runEsm } from './support/esm';

// An agent on the AI SDK (`@ai-sdk/mcp`'s createMCPClient + `ai`'s generateText, with a mock model
// issuing the tool calls) connected to the example app's MCP server through the local gateway,
// with an access token of the example's Cognito pool as a bearer header.

interface Seen {
  listed: string[];
  offered: string[][];
  steps: Array<{ toolCalls: Array<{ toolName: string; input: unknown }>; toolResults: Array<{ toolName: string; output: any }> }>;
  text: string;
  unauthorized?: string;
}

let mcp: ExampleMcp;

beforeAll(async () => {
  mcp = await serveExampleMcp();
}, 120_000);

afterAll(() => mcp?.close());

test('the agent loop: the model is offered the MCP tools, calls both through the gateway, and answers with their results', async () => {
  // WHEN
  const seen = await runEsm<Seen>('ai-sdk-mcp-agent', { url: mcp.url, token: mcp.token() });
  // THEN the tools were listed and offered to the model in both steps
  expect(seen.listed).toEqual(['run_job', 'word_count']);
  expect(seen.offered).toEqual([['run_job', 'word_count'], ['run_job', 'word_count']]);
  // the first step's tool calls ran on the MCP server
  expect(seen.steps).toHaveLength(2);
  expect(seen.steps[0].toolCalls).toEqual([
    { toolName: 'word_count', input: { text: 'one two three' } },
    { toolName: 'run_job', input: { steps: 3, delayMs: 50 } },
  ]);
  const [count, job] = seen.steps[0].toolResults;
  expect(count.toolName).toBe('word_count');
  expect(JSON.parse(count.output.content[0].text)).toEqual({ words: 3, lines: 1, characters: 13 });
  expect(job.output.content).toEqual([{ type: 'text', text: 'Job done: 3 steps' }]);
  // and the model's answer is built from the results it was sent back
  expect(seen.steps[1].toolCalls).toEqual([]);
  expect(seen.text).toMatch(/^The tools said: .*\\"words\\":3.*Job done: 3 steps/);
  // without a token, the API's Cognito authorizer refuses the client
  expect(seen.unauthorized).toMatch(/401|Unauthorized/i);
});
