/**
 * Initialization time of the handler runtime, on the packed npm tarball as users get it: an SSE
 * handler importing `cdk-streaming-rest-api/runtime` is bundled as StreamingFunction bundles it,
 * and the median over fresh Node processes of the time to require that bundle and create the
 * handler (what a cold start adds) is compared with the same handler on raw `streamifyResponse`.
 * Target: at most 2 ms.
 * Run: npx ts-node --transpile-only bench/runtime-init.ts
 */
import { execFileSync } from 'child_process';
import { installPackedRuntime } from '../test/support/packed-runtime';

const RUNS = 21;
const BUDGET_MS = 2;

const withRuntime = `import { sse, streamingHandler } from 'cdk-streaming-rest-api/runtime';
export const handler = streamingHandler(async (_event, response) => {
  const events = sse(response);
  for (const text of ['Hello', 'world']) await events.data({ text });
});
`;
const raw = `export const handler = awslambda.streamifyResponse(async (_event, responseStream) => {
  const stream = awslambda.HttpResponseStream.from(responseStream, { statusCode: 200, headers: { 'content-type': 'text/event-stream' } });
  for (const text of ['Hello', 'world']) stream.write('data: ' + JSON.stringify({ text }) + '\\n\\n');
  stream.end();
});
`;

/** Median, min and max ms to require the bundle (which creates the handler) in fresh processes. */
function measure(bundle: string): number[] {
  // The awslambda global of the Node.js managed runtime, as a stand-in that does nothing.
  const probe = `
globalThis.awslambda = { streamifyResponse: (h) => h, HttpResponseStream: { from: (s) => s } };
const t0 = process.hrtime.bigint();
const { handler } = require(${JSON.stringify(bundle)});
const t1 = process.hrtime.bigint();
if (typeof handler !== 'function') throw new Error('no handler');
process.stdout.write(String(Number(t1 - t0) / 1e6));`;
  const times = Array.from({ length: RUNS }, () => Number(execFileSync(process.execPath, ['-e', probe], { encoding: 'utf8' })));
  return times.sort((x, y) => x - y);
}

const pkg = installPackedRuntime('always');
try {
  const runtime = measure(pkg.bundle('sse-import', withRuntime).file);
  const baseline = measure(pkg.bundle('sse-raw', raw).file);
  const median = (times: number[]) => times[Math.floor(RUNS / 2)];
  const line = (name: string, times: number[]) => `${name}: median ${median(times).toFixed(3)} ms, min ${times[0].toFixed(3)} ms, max ${times[RUNS - 1].toFixed(3)} ms`;
  console.log(`require + handler creation over ${RUNS} fresh processes (bundled from the packed tarball, minified)`);
  console.log(`  ${line('SSE handler with the runtime', runtime)}`);
  console.log(`  ${line('SSE handler on raw streamifyResponse', baseline)}`);
  console.log(`budget ${BUDGET_MS} ms (with the runtime) -> ${median(runtime) <= BUDGET_MS ? 'within budget' : 'OVER BUDGET'}`);
} finally {
  pkg.close();
}
