/**
 * Bundle-size budget of the handler runtime: a minimal SSE handler written with the runtime vs the
 * same handler written on raw `awslambda.streamifyResponse`, both minified by esbuild.
 * Target: the runtime adds at most 6 KB. Run: npx ts-node --transpile-only bench/runtime-bundle-size.ts
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
