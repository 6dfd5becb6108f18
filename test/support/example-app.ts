/**
 * The example app (`examples/`) as a user runs it: synthesized by the aws-cdk CLI with
 * `examples/cdk.json`'s context, and its MCP server served by the local gateway, with access
 * tokens minted by the gateway's token issuer for the example's user pool and app client.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LocalStreamingGateway } from '../../local-gateway/gateway';

const ROOT = path.join(__dirname, '..', '..');

/**
 * The example app synthesized with the aws-cdk CLI, once per test run: the suites that serve it
 * (in jest's worker processes) share one read-only cloud assembly. The first to ask synthesizes
 * it (holding a lock folder); the others wait for its marker, or its failure. Returns the folder.
 */
export function synthExampleApp(): string {
  // (jest's workers are the children of one process: its pid names the run)
  const run = process.env.JEST_WORKER_ID ? process.ppid : process.pid;
  const out = path.join(os.tmpdir(), `example-cdk-out-run-${run}`);
  const done = path.join(out, '.synthesized');
  const failed = path.join(out, '.failed');
  try {
    fs.mkdirSync(out);
  } catch {
    return waitFor(done, failed, out);
  }
  removeStaleRuns(run);
  const synth = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'cdk'), ['synth', '--quiet', '--no-notices', '--output', out], {
    cwd: path.join(ROOT, 'examples'), encoding: 'utf8', env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: 'true' },
  });
  if (synth.status !== 0) {
    fs.writeFileSync(failed, synth.stderr);
    throw new Error(`cdk synth failed: ${synth.stderr}`);
  }
  fs.writeFileSync(done, '');
  return out;
}

function waitFor(done: string, failed: string, out: string): string {
  const limit = Date.now() + 180_000;
  while (!fs.existsSync(done)) {
    if (fs.existsSync(failed)) throw new Error(`cdk synth failed: ${fs.readFileSync(failed, 'utf8')}`);
    if (Date.now() > limit) throw new Error(`the example app's synthesis in ${out} did not finish within 180 s`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  }
  return out;
}

/** The shared assemblies of earlier runs whose process is gone. */
function removeStaleRuns(current: number): void {
  for (const name of fs.readdirSync(os.tmpdir())) {
    const pid = Number(/^example-cdk-out-run-(\d+)$/.exec(name)?.[1]);
    if (!pid || pid === current) continue;
    try {
      process.kill(pid, 0);
    } catch {
      fs.rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
    }
  }
}

export interface ExampleMcp {
  readonly gateway: LocalStreamingGateway;
  /** The MCP endpoint, with the stage: `http://127.0.0.1:<port>/prod/mcp`. */
  readonly url: string;
  /** What the functions printed (their stdout): the handler's structured log lines. */
  readonly printed: string[];
  /** An access token of the example's pool, as its service app client gets one (client credentials). */
  token(scopes?: string[]): string;
  close(): Promise<void>;
}

/** The example app's MCP server on a local gateway (its Cognito authorizer checked against the token issuer). */
export async function serveExampleMcp(assembly = synthExampleApp()): Promise<ExampleMcp> {
  const printed: string[] = [];
  const gateway = LocalStreamingGateway.fromAssembly(assembly, {
    port: 0,
    environment: { NODE_NO_WARNINGS: '1' },
    accessLog: () => undefined,
    log: () => undefined,
    functionOutput: (chunk) => printed.push(...chunk.toString().split('\n').filter(Boolean)),
  });
  const base = (await gateway.start()).replace(/\/$/, '');
  const route = gateway.routes.find((r) => r.httpMethod === 'POST' && r.path === '/mcp');
  const pool = route?.protection?.cognito?.pools[0];
  const clientId = pool?.clientIds.find((id) => id.startsWith('McpUsersServiceClient'));
  if (!pool || !clientId) throw new Error('the example has no POST /mcp route with a Cognito authorizer and a service client');
  return {
    gateway,
    printed,
    url: `${base}/prod/mcp`,
    token: (scopes = ['mcp/tools']) =>
      gateway.tokenIssuer!.mint({ poolId: pool.id, clientId, username: clientId, tokenUse: 'access', scopes }),
    close: () => gateway.stop(),
  };
}
