import { basePathOf, fetchHandler } from './fetch-handler';
import type { FetchHandlerOptions } from './fetch-handler';
import { guardStream, JsonRpcId, jsonRpcError, pendingIds } from './mcp-jsonrpc';
import type { LambdaContext, RawStreamingHandler, RestProxyEvent } from './types';

/** The `AuthInfo` the MCP SDKs pass to tools (`extra.authInfo`). */
export interface McpAuthInfo {
  token: string;
  clientId: string;
  scopes: string[];
  /** Seconds since the epoch. */
  expiresAt?: number;
  resource?: URL;
  extra?: Record<string, unknown>;
}

/** What serves one MCP request: v2 `createMcpHandler(factory)` (or its `fetch`), or `statelessMcp(...)` for v1. */
export type McpFetch = (request: Request, options: { authInfo?: McpAuthInfo }) => Promise<Response>;

/** Verifies a bearer token: resolves with its `AuthInfo`, or throws (an `McpAuthError`, or anything for 401). */
export type BearerVerifier = (token: string, request: Request) => Promise<McpAuthInfo>;

/** A token rejected: 401 `invalid_token` or 403 `insufficient_scope`, answered with the RFC 9728 challenge. */
export class McpAuthError extends Error {
  constructor(public readonly statusCode: 401 | 403, public readonly code: 'invalid_token' | 'insufficient_scope', message: string) {
    super(message);
    this.name = 'McpAuthError';
  }
}

/** Options of `mcpHandler()`. */
export interface McpHandlerOptions extends FetchHandlerOptions {
  /** Verifies `Authorization: Bearer` tokens (see `jwtVerifier` in `cdk-streaming-rest-api/runtime/jwt`). Default: no verification. */
  verifyBearer?: BearerVerifier;
  /** Scopes a token must carry (else 403 `insufficient_scope`). Default: `MCP_AUTH_SCOPES` (space-separated, which `McpAuth.jwt()` sets), else none. */
  requiredScopes?: string[];
  /** The protected-resource document's `authorization_servers`. Default: none (no document is served). */
  authorizationServers?: string[];
  /** Bytes of a request body (the MCP SDKs' limit is 4 MiB). Default: 4194304. */
  maxBodyBytes?: number;
  /** Where the per-request JSON log line goes. Default: `console.log` (one JSON line). */
  log?: (entry: Record<string, unknown>) => void;
}

const WELL_KNOWN = '/.well-known/oauth-protected-resource';
const JSON_HEADERS = { 'content-type': 'application/json' };
/** JSON-RPC method not found. */
const METHOD_NOT_FOUND = -32601;

/**
 * Serves an MCP server (the official TypeScript SDK, v1 or v2, brought by the user's handler) over
 * stateless Streamable HTTP as a streaming Lambda behind an API Gateway REST API. On top of the
 * SDK: `GET`/`DELETE` are 405 (no stream left open for a whole invocation), `subscriptions/listen`
 * is refused, every request still pending at the deadline gets a JSON-RPC error, bearer tokens are
 * verified with the RFC 9728 challenge, the protected-resource document is served under the stage,
 * oversized bodies are 413, and each request's MCP method and tool name are logged as JSON.
 *
 * @example
 * import { createMcpHandler } from '@modelcontextprotocol/server';
 * export const handler = mcpHandler(createMcpHandler(createServer));
 */
export function mcpHandler(server: McpFetch | { fetch: McpFetch }, options: McpHandlerOptions = {}): RawStreamingHandler<RestProxyEvent> {
  const serve: McpFetch = typeof server == 'function' ? server : (request, extra) => server.fetch(request, extra);
  options = { ...options, requiredScopes: options.requiredScopes ?? process.env.MCP_AUTH_SCOPES?.split(' ').filter(Boolean) };
  const log = options.log ?? ((entry) => console.log(JSON.stringify(entry)));
  return fetchHandler(async (request: Request, context: LambdaContext, event: RestProxyEvent) => {
    const url = new URL(request.url);
    const base = url.origin + (options.basePath ?? basePathOf(event));
    const metadataUrl = `${base}${WELL_KNOWN}${event.path}`;
    if (event.path.startsWith(WELL_KNOWN)) {
      if (!options.authorizationServers) return Response.json({ error: 'not_found' }, { status: 404 });
      return Response.json({
        resource: base + (event.path.slice(WELL_KNOWN.length) || '/'),
        authorization_servers: options.authorizationServers,
        scopes_supported: options.requiredScopes,
        bearer_methods_supported: ['header'],
      }, { headers: { 'cache-control': 'max-age=300' } });
    }
    if (request.method != 'POST') {
      return new Response(JSON.stringify(jsonRpcError(null, -32000, 'Method not allowed: stateless MCP serves POST only')), { status: 405, headers: { ...JSON_HEADERS, allow: 'POST' } });
    }
    let authInfo: McpAuthInfo | undefined;
    if (options.verifyBearer) {
      const challenge = (error?: McpAuthError) => unauthorized(metadataUrl, options.requiredScopes, error);
      const token = /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '')?.[1];
      if (!token) return challenge();
      try {
        authInfo = await options.verifyBearer(token, request);
      } catch (error) {
        return challenge(error instanceof McpAuthError ? error : new McpAuthError(401, 'invalid_token', 'The token is not valid'));
      }
      const missing = (options.requiredScopes ?? []).filter((scope) => !authInfo!.scopes.includes(scope));
      if (missing.length) return challenge(new McpAuthError(403, 'insufficient_scope', `Missing scopes: ${missing.join(' ')}`));
    }
    const limit = options.maxBodyBytes ?? 4 * 1024 * 1024;
    const body = new Uint8Array(await request.arrayBuffer());
    if (body.length > limit) {
      return Response.json(jsonRpcError(null, -32600, `Request body too large: ${body.length} bytes, the limit is ${limit}`), { status: 413 });
    }
    const messages = parse(body);
    for (const message of messages) {
      const params = (message.params ?? {}) as { name?: unknown; uri?: unknown };
      log({ message: 'mcp request', mcpMethod: message.method, mcpName: params.name ?? params.uri, jsonRpcId: message.id, awsRequestId: context.awsRequestId });
    }
    const listen = messages.find((message) => message.method == 'subscriptions/listen');
    if (listen) {
      return Response.json(jsonRpcError(listen.id ?? null, METHOD_NOT_FOUND, 'subscriptions/listen is not served: a Lambda function cannot hold a subscription stream; poll instead'));
    }
    const inner = new Request(request.url, { method: 'POST', headers: request.headers, body });
    Object.defineProperty(inner, 'signal', { value: request.signal });
    const pending = pendingIds(messages);
    try {
      const answer = await Promise.race([serve(inner, { authInfo }), aborted(request.signal)]);
      if (!answer) return deadlineAnswer(pending);
      if (!answer.body || !pending.size || !/text\/event-stream/.test(answer.headers.get('content-type') ?? '')) return answer;
      return new Response(guardStream(answer.body, pending, request.signal), answer);
    } catch (error) {
      if (request.signal.aborted) return deadlineAnswer(pending);
      throw error;
    }
  }, options);
}

/** The answer to a request the deadline caught before the SDK answered: a JSON-RPC error per pending request. */
function deadlineAnswer(pending: Set<JsonRpcId>): Response {
  const errors = [...pending].map((id) => jsonRpcError(id, -32001, 'The function reached its deadline before the request completed'));
  return Response.json(errors.length == 1 ? errors[0] : errors);
}

/** 401/403 with `WWW-Authenticate: Bearer resource_metadata="…"` (RFC 9728, RFC 6750). */
function unauthorized(metadataUrl: string, scopes: string[] | undefined, error?: McpAuthError): Response {
  let challenge = `Bearer resource_metadata="${metadataUrl}"`;
  if (error) challenge += `, error="${error.code}", error_description="${error.message.replace(/["\\]/g, '')}"`;
  if (scopes?.length) challenge += `, scope="${scopes.join(' ')}"`;
  const status = error?.statusCode ?? 401;
  return Response.json({ error: error?.code ?? 'invalid_request', error_description: error?.message ?? 'A bearer token is required' }, {
    status, headers: { 'www-authenticate': challenge },
  });
}

/** The JSON-RPC messages of a body (none if it is not JSON: the SDK answers the parse error). */
function parse(body: Uint8Array): Array<{ method?: string; id?: JsonRpcId; params?: Record<string, unknown> }> {
  try {
    const value = JSON.parse(new TextDecoder().decode(body));
    return (Array.isArray(value) ? value : [value]).filter((m) => m && typeof m == 'object');
  } catch {
    return [];
  }
}

/** Resolves (with undefined) when `signal` aborts. */
function aborted(signal: AbortSignal): Promise<undefined> {
  return new Promise((resolve) => (signal.aborted ? resolve(undefined) : signal.addEventListener('abort', () => resolve(undefined), { once: true })));
}
