/**
 * A local stand-in for Amazon Cognito user pools as token issuers, for COGNITO_USER_POOLS
 * authorizers offline: per pool an RS256 key pair made at first use, tokens minted with the
 * claims Cognito puts in ID and access tokens, and the pool's discovery documents served on
 * 127.0.0.1 (`GET /<poolId>/.well-known/jwks.json`, `GET /<poolId>/.well-known/openid-configuration`).
 *
 * A pool declared with a `region` issues tokens whose `iss` is the real pool's
 * (`https://cognito-idp.<region>.amazonaws.com/<poolId>`), so a gateway that derives the issuer
 * from the user pool ARN of a synthesized template accepts them; its keys stay local. Other
 * pools use `<url>/<poolId>`, which a client can discover over HTTP like a real issuer.
 *
 * Each pool is also an OAuth 2.1 authorization server for MCP clients (oauth-server.ts): metadata,
 * dynamic registration, authorize (PKCE, approved at once as `localUser`) and token endpoints.
 */
import * as crypto from 'crypto';
import * as http from 'http';
import type { AddressInfo } from 'net';
import { LocalOAuthServer, LocalUser } from './oauth-server';
import { cognitoIssuer, Jwk, Jwks } from '../auth/jwt';

export interface TokenIssuerPool {
  readonly poolId: string;
  /** Mint with the real pool's issuer URL for this region. @default - the stand-in's own URL */
  readonly region?: string;
}

export interface TokenIssuerOptions {
  /** @default 0 (any free port) */
  readonly port?: number;
  /** Pools to declare up front (a pool is also made on first use). @default [] */
  readonly pools?: ReadonlyArray<string | TokenIssuerPool>;
  /** The client id `POST /<pool>/token` mints for when none is asked, by pool. @default 'local-client' */
  readonly defaultClientIds?: Readonly<Record<string, string>>;
  /** The user the OAuth authorization endpoint approves as, at once. @default - 'local-user', no groups, any scope asked */
  readonly localUser?: LocalUser;
}

export interface MintOptions {
  readonly poolId: string;
  readonly clientId: string;
  readonly username: string;
  readonly tokenUse: 'id' | 'access';
  /** `cognito:groups`. @default - no groups claim */
  readonly groups?: readonly string[];
  /** The access token's `scope`, space-separated in the token. @default ['aws.cognito.signin.user.admin'] */
  readonly scopes?: readonly string[];
  /** Negative for a token that has already expired. @default 3600 */
  readonly expiresInSeconds?: number;
  /** Overrides `aud` (ID tokens carry the client id there; access tokens have none). @default - Cognito's */
  readonly audience?: string;
  /** The ID token's `email`. @default `<username>@example.com` */
  readonly email?: string;
  /** Extra or replaced claims, applied last. @default {} */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** The issue time in ms since the epoch. @default Date.now() */
  readonly now?: number;
}

export interface TokenIssuer {
  readonly url: string;
  issuer(poolId: string): string;
  mint(options: MintOptions): string;
  jwks(poolId: string): Jwks;
  close(): Promise<void>;
}

interface PoolKeys {
  readonly issuer: string;
  readonly kid: string;
  readonly privateKey: crypto.KeyObject;
  readonly jwk: Jwk;
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A stable `sub` per pool and user, shaped like Cognito's (a UUID). */
function subject(poolId: string, username: string): string {
  const h = crypto.createHash('sha256').update(`${poolId}/${username}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Starts the stand-in on 127.0.0.1. */
export async function startTokenIssuer(options: TokenIssuerOptions = {}): Promise<TokenIssuer> {
  const pools = new Map<string, PoolKeys>();
  const declared = new Map((options.pools ?? []).map((p): [string, TokenIssuerPool] => (typeof p === 'string' ? [p, { poolId: p }] : [p.poolId, p])));
  let url = '';

  function pool(poolId: string): PoolKeys {
    const existing = pools.get(poolId);
    if (existing) return existing;
    if (!/^[\w-]+$/.test(poolId)) throw new Error(`Not a user pool id: ${JSON.stringify(poolId)}`);
    const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const kid = crypto.randomBytes(16).toString('base64');
    const region = declared.get(poolId)?.region;
    const jwk: Jwk = { ...publicKey.export({ format: 'jwk' }) as { kty: string; n: string; e: string }, kid, alg: 'RS256', use: 'sig' };
    const made = { issuer: region ? cognitoIssuer(poolId, region) : `${url}/${poolId}`, kid, privateKey, jwk };
    pools.set(poolId, made);
    return made;
  }

  function mint(o: MintOptions): string {
    const p = pool(o.poolId);
    const iat = Math.floor((o.now ?? Date.now()) / 1000);
    const common: Record<string, unknown> = {
      sub: subject(o.poolId, o.username),
      iss: p.issuer,
      event_id: crypto.randomUUID(),
      origin_jti: crypto.randomUUID(),
      jti: crypto.randomUUID(),
      auth_time: iat,
      iat,
      exp: iat + (o.expiresInSeconds ?? 3600),
    };
    if (o.groups) common['cognito:groups'] = [...o.groups];
    const claims: Record<string, unknown> = o.tokenUse === 'id'
      ? { ...common, token_use: 'id', aud: o.audience ?? o.clientId, email: o.email ?? `${o.username}@example.com`, email_verified: true }
      : { ...common, token_use: 'access', client_id: o.clientId, username: o.username, scope: (o.scopes ?? ['aws.cognito.signin.user.admin']).join(' ') };
    if (o.tokenUse === 'id') claims['cognito:username'] = o.username;
    else if (o.audience) claims.aud = o.audience;
    const signingInput = `${b64({ kid: p.kid, alg: 'RS256' })}.${b64({ ...claims, ...o.claims })}`;
    return `${signingInput}.${crypto.sign('RSA-SHA256', Buffer.from(signingInput), p.privateKey).toString('base64url')}`;
  }

  const oauth = new LocalOAuthServer({
    url: () => url,
    issuer: (poolId) => pool(poolId).issuer,
    poolExists: (poolId) => pools.has(poolId) || declared.has(poolId),
    defaultClientId: (poolId) => options.defaultClientIds?.[poolId],
    mint: (o) => mint(o),
  }, options.localUser);

  const server = http.createServer((req, res) => {
    const send = (status: number, body: object, headers: Record<string, string> = {}) => res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    if (oauth.handle(req, res, send)) return;
    const match = /^\/([\w-]+)\/\.well-known\/(jwks\.json|openid-configuration)$/.exec(req.url ?? '');
    const minting = /^\/([\w-]+)\/token$/.exec(req.url ?? '');
    if (req.method === 'POST' && minting) return mintOver(req, minting[1], send);
    if (req.method !== 'GET' || !match) return send(404, { message: `No such route: ${req.method} ${req.url}` });
    // Like a real issuer, only the pools that exist (declared or minted for) have documents.
    const p = pools.get(match[1]);
    if (!p) return send(404, { message: `No such user pool: ${match[1]}` });
    if (match[2] === 'jwks.json') return send(200, { keys: [p.jwk] });
    return send(200, {
      ...oauth.metadata(match[1]),
      id_token_signing_alg_values_supported: ['RS256'],
      subject_types_supported: ['public'],
    });
  });
  /** `POST /<pool>/token` `{ username, clientId?, tokenUse?, groups?, scopes?, expiresInSeconds? }`: a token, for curl and tests (local only). */
  function mintOver(req: http.IncomingMessage, poolId: string, send: (status: number, body: object) => void): void {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.length + text.length < 65536 ? chunk.toString() : ''));
    req.on('end', () => {
      try {
        const o = JSON.parse(text || '{}');
        if (typeof o.username !== 'string' || !o.username) return send(400, { message: 'username is required' });
        if (!pools.has(poolId) && !declared.has(poolId)) return send(404, { message: `No such user pool: ${poolId}` });
        const tokenUse = o.tokenUse === 'access' ? 'access' : 'id';
        send(200, { token: mint({ ...o, poolId, tokenUse, clientId: typeof o.clientId === 'string' ? o.clientId : options.defaultClientIds?.[poolId] ?? 'local-client' }) });
      } catch (error) {
        send(400, { message: `not a mint request: ${(error as Error).message}` });
      }
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  for (const poolId of declared.keys()) pool(poolId);

  return {
    url,
    issuer: (poolId) => pool(poolId).issuer,
    mint,
    jwks: (poolId) => ({ keys: [pool(poolId).jwk] }),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
