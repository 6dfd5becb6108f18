// The v2 SDK (2026-07-28, with the stateless 2025 fallback) served by mcpHandler; JWT auth when MCP_ISSUER is set.
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { registerAll } from './tools';
import { mcpHandler } from '../../../../lambda-assets/runtime';
import { jwtVerifier } from '../../../../lambda-assets/runtime/jwt';

const issuer = process.env.MCP_ISSUER;

export const handler = mcpHandler(createMcpHandler(() => registerAll(new McpServer({ name: 'test-v2', version: '1.0.0' }))), {
  deadlineMarginMs: 1500,
  verifyBearer: issuer ? jwtVerifier({ issuer, audience: process.env.MCP_AUDIENCE!, jwksUri: process.env.MCP_JWKS }) : undefined,
  requiredScopes: issuer ? ['mcp/tools'] : undefined,
  authorizationServers: issuer ? [issuer] : undefined,
});
