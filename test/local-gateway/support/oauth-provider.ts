// eslint-disable-next-line import/no-unresolved -- the resolver does not read the SDK's exports map
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
// eslint-disable-next-line import/no-unresolved
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';

/**
 * An MCP client app's OAuth provider, written as the SDK's examples write one: its state in
 * memory, and a "browser" that follows the authorization URL with fetch (the local stand-in
 * approves at once and redirects back with the code, which it keeps).
 */
export class MemoryOAuthProvider implements OAuthClientProvider {
  public client?: OAuthClientInformationMixed;
  public saved?: OAuthTokens;
  public verifier = '';
  public code?: string;
  /** What discovery found (the authorization server, its metadata), kept with the code verifier. */
  public discovery?: unknown;
  /** The authorization URLs the client was sent to. */
  public readonly visited: URL[] = [];
  constructor(public readonly redirectUrl = 'http://127.0.0.1:33419/callback') {}
  get clientMetadata(): OAuthClientMetadata {
    return { client_name: 'sdk test', redirect_uris: [this.redirectUrl], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'none' };
  }
  clientInformation() { return this.client; }
  saveClientInformation(info: OAuthClientInformationMixed) { this.client = info; }
  tokens() { return this.saved; }
  saveTokens(tokens: OAuthTokens) { this.saved = tokens; }
  async redirectToAuthorization(url: URL) {
    this.visited.push(url);
    const res = await fetch(url, { redirect: 'manual' });
    this.code = new URL(res.headers.get('location')!).searchParams.get('code') ?? undefined;
  }
  saveCodeVerifier(verifier: string) { this.verifier = verifier; }
  codeVerifier() { return this.verifier; }
  saveDiscoveryState(state: unknown) { this.discovery = state; }
  discoveryState() { return this.discovery as never; }
}
