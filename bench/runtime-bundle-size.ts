/**
 * Bundle-size budget of the handler runtime, measured on the packed npm tarball as users get it:
 * an SSE handler and an NDJSON handler importing `cdk-streaming-rest-api/runtime`, bundled and
 * minified by esbuild, against the same handlers written on raw `awslambda.streamifyResponse`.
 * `import` resolves to the ES module build (tree-shaken: a handler keeps only what it uses);
 * `require` to the CommonJS build, bundled whole (what every handler carried when the package
 * shipped CommonJS only). Target: the SSE handler's runtime overhead at most 3 KB (3072 bytes).
 * fetchHandler (and mcpHandler on top of it) against a raw handler sending the same web Response by
 * hand: fetchHandler's overhead at most FETCH_BUDGET bytes.
 * Then each chat protocol handler (from source) at most 16 KiB over a raw one.
 * Run: npx ts-node --transpile-only bench/runtime-bundle-size.ts
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { buildSync } from 'esbuild';
import { installPackedRuntime } from '../test/support/packed-runtime';

const SSE_BUDGET = 3072;
/** fetchHandler's overhead (event to Request, Response to the stream, on top of streamingHandler) over the same Response sent by hand. */
const FETCH_BUDGET = 6144;

/** A raw handler sending a web `Response` by hand: the baseline of the fetchHandler and mcpHandler cases. */
const RAW_FETCH = `awslambda.streamifyResponse(async (event, responseStream) => {
  const response = await answer(new Request('https://' + event.headers.host + event.path, { method: event.httpMethod }));
  const stream = awslambda.HttpResponseStream.from(responseStream, { statusCode: response.status, headers: Object.fromEntries(response.headers) });
  stream.write('');
  if (response.body) for await (const chunk of response.body) stream.write(chunk);
  stream.end();
})`;
const ANSWER = 'const answer = async (request) => new Response(new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode(request.url)); c.close(); } }));\n';

const handlers = {
  sse: {
    body: `streamingHandler(async (_event, response) => {
  const events = sse(response);
  for (const text of ['Hello', 'world']) await events.data({ text });
})`,
    names: 'sse, streamingHandler',
    raw: `awslambda.streamifyResponse(async (_event, responseStream) => {
  const stream = awslambda.HttpResponseStream.from(responseStream, {
    statusCode: 200, headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' },
  });
  for (const text of ['Hello', 'world']) stream.write('data: ' + JSON.stringify({ text }) + '\\n\\n');
  stream.end();
})`,
  },
  ndjson: {
    body: `streamingHandler(async (_event, response) => {
  const lines = ndjson(response);
  for (const step of [1, 2, 3]) await lines.send({ step });
})`,
    names: 'ndjson, streamingHandler',
    raw: `awslambda.streamifyResponse(async (_event, responseStream) => {
  const stream = awslambda.HttpResponseStream.from(responseStream, { statusCode: 200, headers: { 'content-type': 'application/x-ndjson' } });
  for (const step of [1, 2, 3]) stream.write(JSON.stringify({ step }) + '\\n');
  stream.end();
})`,
  },
  fetch: {
    body: 'fetchHandler(answer)',
    names: 'fetchHandler',
    raw: RAW_FETCH,
    prelude: ANSWER,
  },
  mcp: {
    body: 'mcpHandler(answer)',
    names: 'mcpHandler',
    raw: RAW_FETCH,
    prelude: ANSWER,
  },
};

const kb = (bytes: number) => `${(bytes / 1024).toFixed(2)} KiB`;
const gz = (bytes: Buffer) => zlib.gzipSync(bytes).length;

const pkg = installPackedRuntime('always');
try {
  for (const [name, h] of Object.entries(handlers) as Array<[string, { body: string; names: string; raw: string; prelude?: string }]>) {
    const prelude = h.prelude ?? '';
    const raw = pkg.bundle(`${name}-raw`, `${prelude}export const handler = ${h.raw};\n`).bytes;
    const esm = pkg.bundle(`${name}-import`, `import { ${h.names} } from 'cdk-streaming-rest-api/runtime';\n${prelude}export const handler = ${h.body};\n`).bytes;
    const cjs = pkg.bundle(`${name}-require`, `const { ${h.names} } = require('cdk-streaming-rest-api/runtime');\n${prelude}export const handler = ${h.body};\n`).bytes;
    const [afterMin, beforeMin] = [esm.length - raw.length, cjs.length - raw.length];
    const [afterGz, beforeGz] = [gz(esm) - gz(raw), gz(cjs) - gz(raw)];
    console.log(`${name.toUpperCase()} handler, minified: raw streamifyResponse ${raw.length} B; with the runtime via import (ES modules) ${esm.length} B, ` +
      `via require (CommonJS) ${cjs.length} B`);
    console.log(`  runtime overhead: import ${afterMin} B (${kb(afterMin)}, ${afterGz} B gzipped), require ${beforeMin} B (${kb(beforeMin)}, ${beforeGz} B gzipped); ` +
      `import/require ${(afterMin / beforeMin).toFixed(2)}x minified, ${(afterGz / beforeGz).toFixed(2)}x gzipped`);
    if (name === 'sse') {
      console.log(`  budget: SSE overhead via import <= ${SSE_BUDGET} B -> ${afterMin <= SSE_BUDGET ? 'within budget' : 'OVER BUDGET'}`);
    }
    if (name === 'fetch') {
      console.log(`  budget: fetchHandler overhead via import <= ${FETCH_BUDGET} B -> ${afterMin <= FETCH_BUDGET ? 'within budget' : 'OVER BUDGET'}`);
    }
  }
} finally {
  pkg.close();
}

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
