// The v1 SDK (2025-11-25) served statelessly by mcpHandler.
// eslint-disable-next-line import/no-unresolved -- the resolver does not read the SDK's exports map
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
// eslint-disable-next-line import/no-unresolved
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { registerAll } from './tools';
import { mcpHandler, statelessMcp } from '../../../../lambda-assets/runtime';

const createServer = () => registerAll(new McpServer({ name: 'test-v1', version: '1.0.0' }));

export const handler = mcpHandler(statelessMcp(createServer, WebStandardStreamableHTTPServerTransport), {
  deadlineMarginMs: 1500,
  // (the per-request log line is asserted in test/lambda-assets/runtime/mcp-handler.test.ts; here it
  // would be printed by the gateway's test process)
  log: () => undefined,
});
