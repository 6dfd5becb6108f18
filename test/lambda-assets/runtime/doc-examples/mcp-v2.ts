import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import * as z from 'zod';
import { mcpHandler } from '../../../../lambda-assets/runtime';
import { jwtVerifier } from '../../../../lambda-assets/runtime/jwt';

/** A fresh server per request (stateless): register tools, resources and prompts here. */
function createServer() {
  const server = new McpServer({ name: 'weather', version: '1.0.0' });
  server.registerTool('forecast', { inputSchema: z.object({ city: z.string() }) }, async ({ city }, ctx) => {
    const progressToken = ctx.mcpReq._meta?.progressToken;
    for (let day = 1; day <= 3; day++) {
      // Streamed to the client as it is sent (the answer becomes an SSE stream).
      if (progressToken !== undefined) {
        await ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken, progress: day, total: 3 } });
      }
    }
    return { content: [{ type: 'text', text: `Sunny in ${city} for 3 days` }] };
  });
  return server;
}

const issuer = process.env.ISSUER!; // e.g. https://cognito-idp.<region>.amazonaws.com/<poolId>

export const handler = mcpHandler(createMcpHandler(createServer), {
  verifyBearer: jwtVerifier({ issuer, audience: process.env.MCP_URL! }),
  requiredScopes: ['mcp/tools'],
  authorizationServers: [issuer],
});
