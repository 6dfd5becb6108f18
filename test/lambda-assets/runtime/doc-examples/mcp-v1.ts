// eslint-disable-next-line import/no-unresolved -- the resolver does not read the SDK's exports map
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
// eslint-disable-next-line import/no-unresolved
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import * as z from 'zod';
import { mcpHandler, statelessMcp } from '../../../../lambda-assets/runtime';

function createServer() {
  const server = new McpServer({ name: 'calculator', version: '1.0.0' });
  server.registerTool('add', { inputSchema: { a: z.number(), b: z.number() } }, async ({ a, b }) => ({
    content: [{ type: 'text', text: String(a + b) }],
  }));
  return server;
}

export const handler = mcpHandler(statelessMcp(createServer, WebStandardStreamableHTTPServerTransport));
