/**
 * The token issuer stand-in as the OAuth 2.1 authorization server MCP clients discover, per user
 * pool, offline: RFC 8414 metadata, dynamic client registration (RFC 7591), an authorization
 * endpoint that approves at once as a configurable local user (no login page; PKCE S256 required),
 * and a token endpoint for `authorization_code` (PKCE verified) and `refresh_token`. Access tokens
 * are the stand-in's Cognito-style JWTs, with the client id, the granted scopes and, when the
 * client names a `resource` (RFC 8707), that resource as `aud`.
 *
 * Paths, under the pool: `/<pool>/oauth2/{register,authorize,token}`; metadata at
 * `/.well-known/oauth-authorization-server/<pool>` (RFC 8414's path-insert form, which the SDK
 * tries first) and `/<pool>/.well-known/oauth-authorization-server`.
 */
import type * as http from 'http';
import { ClientStore, readBody, type Grant } from './oauth-store';

/** The local user the authorization endpoint approves as. */
export interface LocalUser {
  /** @default 'local-user' */
  readonly username?: string;
  /** `cognito:groups` of its tokens. @default - none */
  readonly groups?: readonly string[];
  /** The scopes it may be granted (a request for others gets only these). @default - whatever is asked */
  readonly scopes?: readonly string[];
}

/** What the OAuth server needs of the token issuer (structural: no import of it). */
export interface OAuthIssuerHooks {
  readonly url: () => string;
  readonly issuer: (poolId: string) => string;
  readonly poolExists: (poolId: string) => boolean;
  readonly defaultClientId: (poolId: string) => string | undefined;
  readonly mint: (o: {
    poolId: string;
    clientId: string;
    username: string;
    tokenUse: 'access';
    groups?: readonly string[];
    scopes?: readonly string[];
    audience?: string;
    expiresInSeconds?: number;
  }) => string;
}

type Send = (status: number, body: object, headers?: Record<string, string>) => void;
const ACCESS_TOKEN_SECONDS = 3600;

export class LocalOAuthServer {
  private readonly clients = new ClientStore();

  constructor(private readonly hooks: OAuthIssuerHooks, private readonly user: LocalUser = {}) {}

  /** The RFC 8414 metadata of `poolId`'s authorization server. */
  public metadata(poolId: string): Record<string, unknown> {
    const base = `${this.hooks.url()}/${poolId}/oauth2`;
    return {
      issuer: this.hooks.issuer(poolId),
      authorization_endpoint: `${base}/authorize`,
      token_endpoint: `${base}/token`,
      registration_endpoint: `${base}/register`,
      jwks_uri: `${this.hooks.url()}/${poolId}/.well-known/jwks.json`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'client_secret_post'],
      ...(this.user.scopes ? { scopes_supported: [...this.user.scopes] } : {}),
    };
  }

  /** Answers an OAuth request; false when `req` is none (another handler's). */
  public handle(req: http.IncomingMessage, res: http.ServerResponse, send: Send): boolean {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const wellKnown = /^\/(?:\.well-known\/oauth-authorization-server\/([\w-]+)|([\w-]+)\/\.well-known\/oauth-authorization-server)$/.exec(url.pathname);
    const endpoint = /^\/([\w-]+)\/oauth2\/(register|authorize|token)$/.exec(url.pathname);
    const poolId = wellKnown ? wellKnown[1] ?? wellKnown[2] : endpoint?.[1];
    if (!poolId) return false;
    if (!this.hooks.poolExists(poolId)) {
      send(404, { error: 'invalid_request', error_description: `No such user pool: ${poolId}` });
      return true;
    }
    if (wellKnown && req.method === 'GET') send(200, this.metadata(poolId));
    else if (endpoint?.[2] === 'authorize' && req.method === 'GET') this.authorize(poolId, url.searchParams, res, send);
    else if (endpoint?.[2] === 'register' && req.method === 'POST') void readBody(req).then((text) => this.register(poolId, text, send), () => send(400, { error: 'invalid_request' }));
    else if (endpoint?.[2] === 'token' && req.method === 'POST') void readBody(req).then((text) => this.token(poolId, req, text, send), () => send(400, { error: 'invalid_request' }));
    else send(405, { error: 'invalid_request', error_description: `${req.method} is not allowed here` });
    return true;
  }

  private register(poolId: string, text: string, send: Send): void {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text);
    } catch {
      return send(400, { error: 'invalid_client_metadata', error_description: 'the body is not JSON' });
    }
    const uris = body.redirect_uris;
    if (!Array.isArray(uris) || uris.length === 0 || !uris.every((u) => typeof u === 'string' && URL.canParse(u))) {
      return send(400, { error: 'invalid_redirect_uri', error_description: 'redirect_uris must list absolute URLs' });
    }
    const method = typeof body.token_endpoint_auth_method === 'string' ? body.token_endpoint_auth_method : 'none';
    if (!['none', 'client_secret_basic', 'client_secret_post'].includes(method)) {
      return send(400, { error: 'invalid_client_metadata', error_description: `token_endpoint_auth_method ${method} is not supported` });
    }
    // A pool with app clients in the template hands out its first one (its authorizer accepts only
    // those, as Cognito has no dynamic registration); other pools make a client per registration.
    const client = this.clients.register(poolId, this.hooks.defaultClientId(poolId), uris as string[], method);
    send(201, {
      ...body,
      client_id: client.clientId,
      ...(client.secret ? { client_secret: client.secret, client_secret_expires_at: 0 } : {}),
      client_id_issued_at: Math.floor(Date.now() / 1000),
      redirect_uris: [...client.redirectUris],
      token_endpoint_auth_method: method,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
    });
  }

  /** Approves at once as the local user: a redirect with `code` and `state` (errors after the redirect URI is trusted go there). */
  private authorize(poolId: string, q: URLSearchParams, res: http.ServerResponse, send: Send): void {
    const client = this.clients.get(poolId, q.get('client_id') ?? '');
    if (!client) return send(400, { error: 'invalid_client', error_description: `unknown client_id ${JSON.stringify(q.get('client_id'))}` });
    const redirectUri = q.get('redirect_uri') ?? (client.redirectUris.size === 1 ? [...client.redirectUris][0] : '');
    if (!client.redirectUris.has(redirectUri)) return send(400, { error: 'invalid_request', error_description: 'redirect_uri is not one the client registered' });
    const back = (params: Record<string, string>) => {
      const target = new URL(redirectUri);
      for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v);
      const state = q.get('state');
      if (state !== null) target.searchParams.set('state', state);
      res.writeHead(302, { location: target.toString() }).end();
    };
    if (q.get('response_type') !== 'code') return back({ error: 'unsupported_response_type' });
    const challenge = q.get('code_challenge');
    if (!challenge || q.get('code_challenge_method') !== 'S256') {
      return back({ error: 'invalid_request', error_description: 'PKCE is required: code_challenge with code_challenge_method S256' });
    }
    const code = this.clients.issueCode({
      poolId,
      clientId: client.clientId,
      redirectUri,
      challenge,
      scopes: this.grantable(q.get('scope')),
      resource: q.get('resource') ?? undefined,
      username: this.user.username ?? 'local-user',
    });
    back({ code });
  }

  private token(poolId: string, req: http.IncomingMessage, text: string, send: Send): void {
    const form = new URLSearchParams(text);
    const client = this.clients.authenticate(poolId, req.headers.authorization, form);
    if ('error' in client) return send(401, { error: 'invalid_client', error_description: client.error });
    let grant: Grant | { error: string };
    if (form.get('grant_type') === 'authorization_code') {
      grant = this.clients.redeemCode(form.get('code') ?? '', client.clientId, form.get('redirect_uri'), form.get('code_verifier') ?? '');
    } else if (form.get('grant_type') === 'refresh_token') {
      grant = this.clients.redeemRefreshToken(form.get('refresh_token') ?? '', client.clientId);
    } else {
      return send(400, { error: 'unsupported_grant_type' });
    }
    if ('error' in grant) return send(400, { error: 'invalid_grant', error_description: grant.error });
    const resource = form.get('resource') ?? grant.resource;
    if (grant.resource && resource !== grant.resource) return send(400, { error: 'invalid_target', error_description: 'resource differs from the authorization request\'s' });
    const accessToken = this.hooks.mint({
      poolId,
      clientId: client.clientId,
      username: grant.username,
      tokenUse: 'access',
      groups: this.user.groups,
      scopes: grant.scopes,
      audience: resource,
      expiresInSeconds: ACCESS_TOKEN_SECONDS,
    });
    const refreshToken = this.clients.issueRefreshToken({ ...grant, resource });
    send(200, {
      access_token: accessToken, token_type: 'Bearer', expires_in: ACCESS_TOKEN_SECONDS, refresh_token: refreshToken, scope: grant.scopes.join(' '),
    }, { 'cache-control': 'no-store' });
  }

  /** The scopes to grant: those asked for (all of them, or those the local user may have). */
  private grantable(asked: string | null): string[] {
    const wanted = (asked ?? '').split(' ').filter(Boolean);
    if (!this.user.scopes) return wanted;
    return wanted.length === 0 ? [...this.user.scopes] : wanted.filter((s) => this.user.scopes!.includes(s));
  }
}
