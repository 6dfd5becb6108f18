/**
 * cdk-streaming-rest-api/runtime/jwt: bearer JWT verification for `mcpHandler`, with `jose` (the
 * handler's own dependency: install it beside the MCP SDK). A separate entry point, so handlers
 * that do not verify tokens never bundle it.
 */
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import { McpAuthError } from './mcp-handler';
import type { BearerVerifier, McpAuthInfo } from './mcp-handler';

/** Options of `jwtVerifier()`. */
export interface JwtVerifierOptions {
  /** The issuer (`iss`) tokens must come from. Default: `MCP_AUTH_ISSUER` (which `McpAuth.jwt()` sets). */
  issuer?: string;
  /** The audience (`aud`) a token must name: the MCP server's URL (its `resource`), or a client id. Default: `MCP_AUTH_AUDIENCE`. */
  audience?: string | string[];
  /** The issuer's JWKS URL. Default: `<issuer>/.well-known/jwks.json` (Cognito's). */
  jwksUri?: string;
  /** Keys to verify with instead of `jwksUri` (e.g. `createLocalJWKSet`). */
  keys?: JWTVerifyGetKey;
  /** Accepted signing algorithms. Default: RS256, ES256. */
  algorithms?: string[];
}

/**
 * A `BearerVerifier` for JWT access tokens: signature (JWKS, cached), `iss`, `aud`, `exp`/`nbf`.
 * Scopes come from `scope` (space-separated) or `scp`; `expiresAt` from `exp` (the SDKs need it).
 */
export function jwtVerifier(options: JwtVerifierOptions = {}): BearerVerifier {
  const issuer = options.issuer ?? process.env.MCP_AUTH_ISSUER;
  const audience = options.audience ?? process.env.MCP_AUTH_AUDIENCE;
  if (!issuer || !audience) {
    throw new Error(`jwtVerifier: no ${!issuer ? 'issuer' : 'audience'}: pass it, or set ${!issuer ? 'MCP_AUTH_ISSUER' : 'MCP_AUTH_AUDIENCE'} (StreamingMcpServer with McpAuth.jwt() sets both)`);
  }
  const keys = options.keys ?? createRemoteJWKSet(new URL(options.jwksUri ?? `${issuer.replace(/\/$/, '')}/.well-known/jwks.json`));
  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, { issuer, audience, algorithms: options.algorithms ?? ['RS256', 'ES256'] }));
    } catch (error) {
      throw new McpAuthError(401, 'invalid_token', `The token is not valid: ${(error as Error).message}`);
    }
    const scope = payload.scope ?? payload.scp;
    const info: McpAuthInfo = {
      token,
      clientId: String(payload.client_id ?? payload.azp ?? payload.sub ?? ''),
      scopes: Array.isArray(scope) ? scope.map(String) : typeof scope == 'string' ? scope.split(' ').filter(Boolean) : [],
      expiresAt: payload.exp,
      extra: { sub: payload.sub },
    };
    return info;
  };
}
