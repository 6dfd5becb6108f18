// The v2 SDK (2026-07-28, with the stateless 2025 fallback) served by mcpHandler; JWT auth when
// MCP_AUTH_ISSUER is set, read as StreamingMcpServer's McpAuth.jwt() sets it (MCP_AUTH_ISSUER,
// MCP_AUTH_AUDIENCE, MCP_AUTH_SCOPES: the verifier's and the handler's defaults).
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { registerAll } from './tools';
import { mcpHandler } from '../../../../lambda-assets/runtime';
import { jwtVerifier } from '../../../../lambda-assets/runtime/jwt';

const issuer = process.env.MCP_AUTH_ISSUER;

export const handler = mcpHandler(createMcpHandler(() => registerAll(new McpServer({ name: 'test-v2', version: '1.0.0' }))), {
  deadlineMarginMs: 1500,
  // (the per-request log line is asserted in test/lambda-assets/runtime/mcp-handler.test.ts; here it
  // would be printed by the gateway's test process)
  log: () => undefined,
  verifyBearer: issuer ? jwtVerifier({ jwksUri: process.env.MCP_JWKS }) : undefined,
  authorizationServers: issuer ? [issuer] : undefined,
});
