/**
 * What the local OAuth server remembers: registered clients, authorization codes (single use,
 * 60 seconds) and refresh tokens (rotated on use), in memory.
 */
import * as crypto from 'crypto';
import type * as http from 'http';

export interface Client {
  readonly poolId: string;
  readonly clientId: string;
  readonly secret?: string;
  readonly redirectUris: Set<string>;
}

/** What an authorization code or refresh token stands for. */
export interface Grant {
  readonly poolId: string;
  readonly clientId: string;
  readonly scopes: string[];
  readonly resource?: string;
  readonly username: string;
}

interface Code extends Grant {
  readonly redirectUri: string;
  readonly challenge: string;
  readonly expiresAt: number;
}

const CODE_SECONDS = 60;
const random = () => crypto.randomBytes(24).toString('base64url');
const sameText = (a: string, b: string) => a.length === b.length && crypto.timingSafeEqual(Buffer.from(a), Buffer.from(b));

export class ClientStore {
  private readonly clients = new Map<string, Client>();
  private readonly codes = new Map<string, Code>();
  private readonly refreshTokens = new Map<string, Grant>();

  /** A client for `redirectUris`: the pool's app client when it has one (its redirect URIs added), else a new one. */
  public register(poolId: string, appClientId: string | undefined, redirectUris: string[], method: string): Client {
    const existing = appClientId ? this.clients.get(`${poolId}/${appClientId}`) : undefined;
    if (existing) {
      redirectUris.forEach((u) => existing.redirectUris.add(u));
      return existing;
    }
    const clientId = appClientId ?? `local-${random().slice(0, 16)}`;
    const client: Client = { poolId, clientId, secret: method === 'none' ? undefined : random(), redirectUris: new Set(redirectUris) };
    this.clients.set(`${poolId}/${clientId}`, client);
    return client;
  }

  public get(poolId: string, clientId: string): Client | undefined {
    return this.clients.get(`${poolId}/${clientId}`);
  }

  /** The client of a token request: `client_id` in the form (public clients), or Basic / `client_secret` for those with a secret. */
  public authenticate(poolId: string, authorization: string | undefined, form: URLSearchParams): Client | { error: string } {
    let clientId = form.get('client_id') ?? undefined;
    let secret = form.get('client_secret') ?? undefined;
    const basic = /^Basic\s+(.+)$/i.exec(authorization ?? '');
    if (basic) {
      const [id, pass] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
      clientId = decodeURIComponent(id ?? '');
      secret = decodeURIComponent(pass ?? '');
    }
    const client = clientId ? this.get(poolId, clientId) : undefined;
    if (!client) return { error: `unknown client_id ${JSON.stringify(clientId ?? null)}` };
    if (client.secret && !(secret && sameText(secret, client.secret))) return { error: 'the client secret is missing or wrong' };
    return client;
  }

  public issueCode(code: Omit<Code, 'expiresAt'>): string {
    const value = random();
    this.codes.set(value, { ...code, expiresAt: Date.now() + CODE_SECONDS * 1000 });
    return value;
  }

  /** The grant of a code, once: its client, redirect URI and PKCE verifier must match. */
  public redeemCode(value: string, clientId: string, redirectUri: string | null, verifier: string): Grant | { error: string } {
    const code = this.codes.get(value);
    this.codes.delete(value);
    if (!code || code.expiresAt < Date.now()) return { error: 'the code is unknown, used or expired' };
    if (code.clientId !== clientId) return { error: 'the code was issued to another client' };
    if (redirectUri !== null && redirectUri !== code.redirectUri) return { error: 'redirect_uri differs from the authorization request\'s' };
    const hash = crypto.createHash('sha256').update(verifier).digest('base64url');
    if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) || !sameText(hash, code.challenge)) return { error: 'the PKCE code_verifier does not match the code_challenge' };
    const { poolId, scopes, resource, username } = code;
    return { poolId, clientId, scopes, resource, username };
  }

  public issueRefreshToken(grant: Grant): string {
    const value = random();
    this.refreshTokens.set(value, grant);
    return value;
  }

  /** The grant of a refresh token, once (a new one comes with the new access token). */
  public redeemRefreshToken(value: string, clientId: string): Grant | { error: string } {
    const grant = this.refreshTokens.get(value);
    if (!grant) return { error: 'the refresh token is unknown or used' };
    if (grant.clientId !== clientId) return { error: 'the refresh token was issued to another client' };
    this.refreshTokens.delete(value);
    return grant;
  }
}

/** A request body as text, up to 64 KiB. */
export function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > 65536) reject(new Error('body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
