/**
 * Verifies a Cognito user pool token the way a REST API's COGNITO_USER_POOLS authorizer does:
 * RS256 signature against the pool's JWKS, `iss`, `exp` (and `nbf` when present), then the token
 * kind the method asks for: without authorization scopes an ID token, with them an access token
 * carrying at least one. Built on Node's crypto (JWK import, RSA-SHA256 verify): one algorithm,
 * no key fetching, so a JOSE library would add a dependency for little.
 * API Gateway answers every failure with 401 Unauthorized; the error kinds are for logs and tests.
 */
import * as crypto from 'crypto';

/** A JSON Web Key as a JWKS endpoint lists it (RSA public keys for Cognito). */
export interface Jwk {
  readonly kid?: string;
  readonly kty: string;
  readonly alg?: string;
  readonly use?: string;
  readonly n?: string;
  readonly e?: string;
}

export interface Jwks {
  readonly keys: readonly Jwk[];
}

export interface VerifyOptions {
  /** The pool's issuer: `https://cognito-idp.<region>.amazonaws.com/<poolId>` (or the stand-in's). */
  readonly issuer: string;
  readonly keys: Jwks;
  /** App client ids to accept (`aud` of an ID token, `client_id` of an access token). @default - any client of the pool */
  readonly clientIds?: readonly string[];
  /** The method's authorization scopes. @default - none: an ID token is expected */
  readonly scopes?: readonly string[];
  /** The current time in ms since the epoch. @default Date.now() */
  readonly now?: number;
  /** Tolerance for `exp` and `nbf`, in seconds. @default 5 */
  readonly clockSkewSeconds?: number;
}

export type TokenError =
  | 'malformed' | 'unsupported algorithm' | 'unknown key' | 'bad signature' | 'wrong issuer'
  | 'expired' | 'not yet valid' | 'wrong token use' | 'wrong client' | 'missing scope';

export type Claims = Record<string, unknown>;

export type VerifyResult = { readonly claims: Claims } | { readonly error: TokenError };

const SEGMENT = /^[A-Za-z0-9_-]+$/;

function decodeJson(segment: string): Claims | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Claims : undefined;
  } catch {
    return undefined;
  }
}

function signatureValid(jwk: Jwk, signingInput: string, signature: string): boolean {
  try {
    const key = crypto.createPublicKey({ key: jwk as crypto.JsonWebKey, format: 'jwk' });
    return key.asymmetricKeyType === 'rsa'
      && crypto.verify('RSA-SHA256', Buffer.from(signingInput), key, Buffer.from(signature, 'base64url'));
  } catch {
    return false;
  }
}

/** Decodes a token's header and claims without verifying anything (for logs and the authorizer cache key). */
export function decodeToken(token: string): { header: Claims; claims: Claims } | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !SEGMENT.test(parts[0]) || !SEGMENT.test(parts[1])) return undefined;
  const header = decodeJson(parts[0]);
  const claims = decodeJson(parts[1]);
  return header && claims ? { header, claims } : undefined;
}

export function verifyCognitoToken(token: string, options: VerifyOptions): VerifyResult {
  const decoded = decodeToken(token);
  const signature = token.split('.')[2] ?? '';
  if (!decoded) return { error: 'malformed' };
  const { header, claims } = decoded;
  // Only RS256, as Cognito signs: `none`, HS256 (a public key used as an HMAC secret) and others are refused.
  if (header.alg !== 'RS256') return { error: 'unsupported algorithm' };
  if (!SEGMENT.test(signature)) return { error: 'malformed' };
  const jwk = options.keys.keys.find((k) => k.kid === header.kid);
  if (!jwk) return { error: 'unknown key' };
  const [encodedHeader, encodedClaims] = token.split('.');
  if (!signatureValid(jwk, `${encodedHeader}.${encodedClaims}`, signature)) return { error: 'bad signature' };

  if (claims.iss !== options.issuer) return { error: 'wrong issuer' };
  const now = (options.now ?? Date.now()) / 1000;
  const skew = options.clockSkewSeconds ?? 5;
  if (typeof claims.exp !== 'number') return { error: 'malformed' };
  if (now >= claims.exp + skew) return { error: 'expired' };
  if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || now + skew < claims.nbf)) return { error: 'not yet valid' };

  const scopes = options.scopes ?? [];
  const expected = scopes.length > 0 ? 'access' : 'id';
  if (claims.token_use !== expected) return { error: 'wrong token use' };
  const client = expected === 'id' ? claims.aud : claims.client_id;
  if (typeof client !== 'string') return { error: 'malformed' };
  if (options.clientIds && !options.clientIds.includes(client)) return { error: 'wrong client' };
  if (expected === 'access') {
    const granted = typeof claims.scope === 'string' ? claims.scope.split(' ') : [];
    if (!scopes.some((s) => granted.includes(s))) return { error: 'missing scope' };
  }
  return { claims };
}

/** The issuer of a real pool, from its id (`<region>_<suffix>`) or an explicit region. */
export function cognitoIssuer(poolId: string, region = poolId.split('_')[0]): string {
  return `https://cognito-idp.${region}.amazonaws.com/${poolId}`;
}
