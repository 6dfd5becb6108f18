/**
 * `npm run demo`: synthesize the example app with the aws-cdk CLI, serve it with the local
 * streaming gateway, watch a stream arrive token by token, then compare time to first byte and
 * total time of the same route streamed and buffered.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { routesTable } from '../local-gateway/cli';
import { LocalStreamingGateway } from '../local-gateway/gateway';
import { startFakeBedrock } from '../local-gateway/stand-ins/bedrock';

const ROOT = path.join(__dirname, '..');
const EXAMPLES = path.join(ROOT, 'examples');
const ASSEMBLY = path.join(EXAMPLES, 'cdk.out');
const quietLogs = { accessLog: () => undefined, log: () => undefined };

function synth(): void {
  console.log('1. Synthesizing examples/app.ts with the aws-cdk CLI (offline)...');
  const result = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'cdk'), ['synth', '--quiet', '--no-notices', '--output', ASSEMBLY], {
    cwd: EXAMPLES,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: 'true' },
  });
  if (result.status !== 0) throw new Error(`cdk synth failed with exit code ${result.status}`);
}

/** Reads a response as it arrives; reports time to first byte and total time. */
interface Timed { ttfb: number; total: number; status: number; bytes: number }

async function timedFetch(url: string, init: RequestInit = {}, onChunk?: (text: string, ms: number) => void): Promise<Timed> {
  const started = performance.now();
  const response = await fetch(url, init);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let ttfb = -1;
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const now = performance.now() - started;
    if (ttfb < 0) ttfb = now;
    bytes += value.length;
    onChunk?.(decoder.decode(value, { stream: true }), now);
  }
  return { ttfb, total: performance.now() - started, status: response.status, bytes };
}

async function main(): Promise<void> {
  synth();
  const bedrock = await startFakeBedrock({ delayMs: 60, answer: 'Response streaming lets every word reach you the moment the model writes it.' });
  const environment = { BEDROCK_ENDPOINT_URL: bedrock.url, NODE_NO_WARNINGS: '1' };
  const streamed = LocalStreamingGateway.fromAssembly(ASSEMBLY, { port: 0, environment, ...quietLogs });
  const buffered = LocalStreamingGateway.fromAssembly(ASSEMBLY, { port: 0, environment, forceBuffered: true, ...quietLogs });
  try {
    const [url, bufferedUrl] = [await streamed.start(), await buffered.start()];
    console.log(`\n2. The synthesized API, served by the local streaming gateway on ${url}:\n`);
    console.log(routesTable(streamed.routes));

    console.log(`\n3. curl --no-buffer '${url}/chat?words=8&delay=150' — tokens as they arrive:\n`);
    await timedFetch(`${url}/chat?words=8&delay=150`, {}, (text, ms) => {
      for (const line of text.split('\n').filter((l) => l.startsWith('data:'))) console.log(`   +${ms.toFixed(0).padStart(5)} ms  ${line}`);
    });

    console.log(`\n4. POST ${url}/assistant (StreamingBedrockChat, with a local Bedrock stand-in):\n`);
    let answer = '';
    await timedFetch(`${url}/assistant`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'Why stream?' }] }),
    }, (text) => {
      for (const line of text.split('\n').filter((l) => l.startsWith('data:'))) {
        const data = JSON.parse(line.slice(5));
        if (data.text) {
          answer += data.text;
          process.stdout.write(data.text);
        } else if (data.stopReason) {
          process.stdout.write(`\n   [done: ${data.stopReason}, ${data.usage?.outputTokens} output tokens]\n`);
        }
      }
    });

    console.log('\n5. The same route, 20 chunks 100 ms apart, streamed and buffered:\n');
    const route = '/chat?words=20&delay=100';
    await Promise.all([timedFetch(`${url}/chat?words=1&delay=0`), timedFetch(`${bufferedUrl}/chat?words=1&delay=0`)]); // warm both
    const s = await timedFetch(`${url}${route}`);
    const b = await timedFetch(`${bufferedUrl}${route}`);
    const row = (name: string, r: { ttfb: number; total: number; bytes: number }) =>
      `   ${name.padEnd(10)} ${r.ttfb.toFixed(0).padStart(8)} ms ${r.total.toFixed(0).padStart(9)} ms ${String(r.bytes).padStart(7)}`;
    console.log('   mode       first byte     total   bytes');
    console.log(row('STREAM', s));
    console.log(row('BUFFERED', b));
    console.log(`\n   Streaming delivered the first byte ${(b.ttfb / Math.max(1, s.ttfb)).toFixed(0)}x sooner (ratio ${(s.ttfb / b.ttfb).toFixed(3)}).`);
    if (answer.length === 0) throw new Error('the chat route streamed no text');

    await mcpStep(streamed, url);
  } finally {
    await streamed.stop();
    await buffered.stop();
    await bedrock.close();
  }
}

/** The example's MCP server with the official client and an access token of the example's pool, minted by the local token issuer. */
async function mcpStep(gateway: LocalStreamingGateway, url: string): Promise<void> {
  const pool = gateway.routes.find((r) => r.httpMethod === 'POST' && r.path === '/mcp')?.protection?.cognito?.pools[0];
  const clientId = pool?.clientIds.find((id) => id.startsWith('McpUsersServiceClient'));
  if (!pool || !clientId || !gateway.tokenIssuer) throw new Error('the example has no POST /mcp route with a Cognito authorizer');
  const token = gateway.tokenIssuer.mint({ poolId: pool.id, clientId, username: clientId, tokenUse: 'access', scopes: ['mcp/tools'] });
  console.log(`\n6. The MCP server (StreamingMcpServer, Cognito): the official MCP client on ${url}/prod/mcp with a bearer token:\n`);
  const client = new Client({ name: 'demo', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/prod/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  try {
    console.log(`   tools: ${(await client.listTools()).tools.map((t) => t.name).join(', ')}`);
    const started = performance.now();
    const since = () => `+${(performance.now() - started).toFixed(0).padStart(5)} ms`;
    const result = await client.callTool({ name: 'run_job', arguments: { steps: 5, delayMs: 300 } }, {
      onprogress: (p) => console.log(`   ${since()}  progress ${p.progress}/${p.total}: ${p.message}`),
    });
    console.log(`   ${since()}  result: ${(result.content as Array<{ text?: string }>)[0]?.text}`);
  } finally {
    await client.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
