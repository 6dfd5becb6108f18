/**
 * TTFB overhead of the local gateway: the time from the handler's first write to the client's
 * first byte, on a warm worker (median of 200 requests). Target: at most 2 ms.
 * Run: npx ts-node --transpile-only --project bench/tsconfig.json bench/gateway-ttfb.ts
 */
import { median, nowMs, withGateway } from './gateway-support';

const HANDLER = `exports.handler = awslambda.streamifyResponse(async (event, s) => {
  const h = awslambda.HttpResponseStream.from(s, {});
  h.write(String(performance.timeOrigin + performance.now()));
  h.end();
});`;

void withGateway([{ path: '/t', code: HANDLER }], {}, async (url) => {
  const overheads: number[] = [];
  for (let i = 0; i < 220; i++) {
    const response = await fetch(`${url}/t`);
    const reader = response.body!.getReader();
    const { value } = await reader.read();
    const arrived = nowMs();
    const written = Number(Buffer.from(value!).toString());
    while (!(await reader.read()).done);
    if (i >= 20) overheads.push(arrived - written); // the first requests warm the worker and the JIT
  }
  const m = median(overheads);
  console.log(`TTFB overhead (client first byte - handler first write), ${overheads.length} warm requests: median ${m.toFixed(3)} ms, p90 ${[...overheads].sort((a, b) => a - b)[Math.floor(overheads.length * 0.9)].toFixed(3)} ms`);
  console.log(`budget 2 ms -> ${m <= 2 ? 'within budget' : 'OVER BUDGET'}`);
});
