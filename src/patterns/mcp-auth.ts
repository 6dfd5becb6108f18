import { Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';

/** Options of `McpAuth.cognito()`. */
export interface McpCognitoAuthOptions {
  /**
   * The OAuth scopes a token must carry (at least one of them). API Gateway's Cognito authorizer
   * expects an access token only when the method has scopes: without them it wants an ID token,
   * which MCP clients do not send, so at least one scope is required.
   */
  readonly scopes: string[];
}

/** Options of `McpAuth.jwt()`. */
export interface McpJwtAuthOptions {
  /** The authorization server's issuer URL (`iss` of its tokens), e.g. `https://auth.example.com`. */
  readonly issuer: string;

  /** The audience a token must be issued for (`aud`), usually the MCP server's URL. */
  readonly audience: string;

  /**
   * The scopes a token must carry (all of them).
   *
   * @default - no scope is required
   */
  readonly scopes?: string[];
}

/**
 * Who may call an MCP server, and who checks it.
 *
 * - `McpAuth.cognito(userPool, { scopes })`: API Gateway's Cognito user pool authorizer rejects a
 *   request without a valid access token (401 with the RFC 9728 `WWW-Authenticate` challenge)
 *   before the function runs.
 * - `McpAuth.jwt({ issuer, audience, scopes })`: any OAuth authorization server; the handler
 *   (`mcpHandler` of the runtime) verifies the bearer token with the issuer's JWKS, and reads the
 *   settings from its environment (`MCP_AUTH_ISSUER`, `MCP_AUTH_AUDIENCE`, `MCP_AUTH_SCOPES`).
 * - `McpAuth.none()`: anyone on the internet may call the tools. Explicit on purpose; the
 *   construct adds a warning, and cdk-nag (AwsSolutions-APIG4, -COG4) reports the method.
 */
export class McpAuth {
  /** API Gateway verifies Cognito access tokens of `userPool` carrying one of `options.scopes`. */
  public static cognito(userPool: cognito.IUserPool, options: McpCognitoAuthOptions): McpAuth {
    return new McpAuth('cognito', options.scopes, userPool);
  }

  /** The function verifies JWT bearer tokens of any OAuth authorization server. */
  public static jwt(options: McpJwtAuthOptions): McpAuth {
    return new McpAuth('jwt', options.scopes ?? [], undefined, options.issuer, options.audience);
  }

  /** No authentication: the server is public. */
  public static none(): McpAuth {
    return new McpAuth('none', []);
  }

  private constructor(
    /** `cognito`, `jwt` or `none`. */
    public readonly kind: string,
    /** The scopes a token must carry. */
    public readonly scopes: string[],
    /** @internal */
    public readonly _userPool?: cognito.IUserPool,
    /** @internal */
    public readonly _issuer?: string,
    /** @internal */
    public readonly _audience?: string,
  ) {}

  /** @internal the authorization servers the protected-resource document names. */
  public _authorizationServers(): string[] {
    if (this._userPool) {
      return [`https://cognito-idp.${Stack.of(this._userPool).region}.amazonaws.com/${this._userPool.userPoolId}`];
    }
    return this._issuer ? [this._issuer] : [];
  }
}
