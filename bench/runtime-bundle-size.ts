/**
 * Bundle-size budget of the handler runtime: a minimal SSE handler written with the runtime vs the
 * same handler written on raw `awslambda.streamifyResponse`, both minified by esbuild.
 * Target: the runtime adds at most 6 KB; each chat protocol handler at most 16 KiB over a raw one.
 * Run: npx ts-node --transpile-only bench/runtime-bundle-size.ts
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildSync } from 'esbuild';

const RUNTIME = path.join(__dirname, '..', 'lambda-assets', 'runtime');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-size-'));

const withRuntime = `
import { sse, streamingHandler } from ${JSON.stringify(RUNTIME)};
export const handler = streamingHandler(async (_event, response) => {
  const events = sse(response);
  for (const text of ['Hello', 'world']) await events.data({ text });
});`;

const raw = `
export const handler = awslambda.streamifyResponse(async (_event, responseStream) => {
  const stream = awslambda.HttpResponseStream.from(responseStream, {
    statusCode: 200, headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' },
  });
  for (const text of ['Hello', 'world']) stream.write('data: ' + JSON.stringify({ text }) + '\\n\\n');
  stream.end();
});`;

function size(name: string, source: string): number {
  const entry = path.join(dir, `${name}.ts`);
  fs.writeFileSync(entry, source);
  const result = buildSync({ entryPoints: [entry], bundle: true, minify: true, platform: 'node', format: 'cjs', write: false, target: 'node22' });
  return result.outputFiles[0].contents.length;
}

const a = size('runtime', withRuntime);
const b = size('raw', raw);
fs.rmSync(dir, { recursive: true, force: true });
console.log(`minified SSE handler with the runtime: ${a} bytes`);
console.log(`minified SSE handler on raw streamifyResponse: ${b} bytes`);
console.log(`runtime overhead: ${a - b} bytes (${((a - b) / 1024).toFixed(2)} KiB; budget 6 KB = 6144 bytes) -> ${a - b <= 6144 ? 'within budget' : 'OVER BUDGET'}`);

// The chat handlers StreamingBedrockChat deploys, one bundle per protocol, against the same Bedrock
// call written on raw streamifyResponse (the AWS SDK client dominates both): what the runtime, the
// conversation checks and each protocol add. Budget: at most 16 KB per protocol.
const CHAT = path.join(__dirname, '..', 'lambda-assets', 'handlers', 'bedrock-chat');
const rawChat = `
import { BedrockRuntimeClient, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
const client = new BedrockRuntimeClient({});
export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
  const stream = awslambda.HttpResponseStream.from(responseStream, { statusCode: 200, headers: { 'content-type': 'text/event-stream' } });
  const { messages } = JSON.parse(event.body);
  const output = await client.send(new ConverseStreamCommand({ modelId: process.env.MODEL_ID, messages: messages.map((m) => ({ role: m.role, content: [{ text: m.content }] })) }));
  for await (const item of output.stream) {
    const text = item.contentBlockDelta?.delta?.text;
    if (text) stream.write('data: ' + JSON.stringify({ text }) + '\\n\\n');
  }
  stream.end();
});`;

function bundleSize(entry: string): number {
  const result = buildSync({ entryPoints: [entry], bundle: true, minify: true, platform: 'node', format: 'cjs', write: false, target: 'node22', legalComments: 'none' });
  return result.outputFiles[0].contents.length;
}

// Inside the repository (.bench/ is ignored) so the raw handler resolves the SDK from node_modules.
fs.mkdirSync(path.join(__dirname, '..', '.bench'), { recursive: true });
const chatDir = fs.mkdtempSync(path.join(__dirname, '..', '.bench', 'chat-size-'));
fs.writeFileSync(path.join(chatDir, 'raw-chat.ts'), rawChat);
const baseline = bundleSize(path.join(chatDir, 'raw-chat.ts'));
fs.rmSync(chatDir, { recursive: true, force: true });
console.log(`minified raw Bedrock chat handler (SDK client, no checks, one protocol): ${baseline} bytes`);
for (const [name, entry] of [['simple', 'index.ts'], ['openAiChatCompletions', 'openai.ts'], ['aiSdkUiMessageStream', 'ui-message-stream.ts']]) {
  const bytes = bundleSize(path.join(CHAT, entry));
  const extra = bytes - baseline;
  console.log(`chat handler ${name}: ${bytes} bytes, ${extra} bytes (${(extra / 1024).toFixed(2)} KiB) over the raw handler; budget 16 KiB -> ${extra <= 16_384 ? 'within budget' : 'OVER BUDGET'}`);
}
