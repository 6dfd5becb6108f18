/**
 * The example app (`examples/`) as a user runs it: synthesized by the aws-cdk CLI with
 * `examples/cdk.json`'s context, and its MCP server served by the local gateway, with access
 * tokens minted by the gateway's token issuer for the example's user pool and app client.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { tempDir } from './temp-dirs';
import { LocalStreamingGateway } from '../../local-gateway/gateway';

const ROOT = path.join(__dirname, '..', '..');

/** Synthesizes examples/app.ts with the aws-cdk CLI into a temporary folder (removed after the test file); returns it. */
export function synthExampleApp(): string {
  const out = tempDir('example-cdk-out');
  const synth = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'cdk'), ['synth', '--quiet', '--no-notices', '--output', out], {
    cwd: path.join(ROOT, 'examples'), encoding: 'utf8', env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: 'true' },
  });
  if (synth.status !== 0) throw new Error(`cdk synth failed: ${synth.stderr}`);
  return out;
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
