import type { McpAuthInfo, McpFetch } from './mcp-handler';

/** The part of a v1 `McpServer` (`@modelcontextprotocol/sdk/server/mcp.js`) that `statelessMcp` uses. */
export interface McpServerLike {
  connect(transport: never): Promise<void>;
}

/** The part of v1's `WebStandardStreamableHTTPServerTransport` that `statelessMcp` uses. */
export interface McpTransportLike {
  handleRequest(request: Request, options?: { authInfo?: McpAuthInfo }): Promise<Response>;
}

/** v1's `WebStandardStreamableHTTPServerTransport` class (passed in: the SDK is the handler's own dependency). */
export type McpTransportClass = new (options: { sessionIdGenerator: undefined; enableJsonResponse?: boolean }) => McpTransportLike;

/**
 * Serves the v1 SDK (`@modelcontextprotocol/sdk`, 2025-11-25) statelessly for `mcpHandler`: a fresh
 * server from `createServer` and a fresh transport without sessions for each request.
 *
 * @example
 * import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
 * export const handler = mcpHandler(statelessMcp(createServer, WebStandardStreamableHTTPServerTransport));
 */
export function statelessMcp(
  createServer: () => McpServerLike | Promise<McpServerLike>, Transport: McpTransportClass, options: { enableJsonResponse?: boolean } = {},
): McpFetch {
  return async (request, { authInfo }) => {
    const server = await createServer();
    const transport = new Transport({ sessionIdGenerator: undefined, enableJsonResponse: options.enableJsonResponse });
    await server.connect(transport as never);
    return transport.handleRequest(request, { authInfo });
  };
}
