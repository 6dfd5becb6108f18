/**
 * Cognito user pool authorizers, offline: the token (the identity source, `Authorization` by
 * default; a `Bearer ` prefix is taken off, which API Gateway is not documented to do) is verified
 * as API Gateway verifies it (signature, issuer, expiry, token use, app client, the method's
 * scopes) against the local token issuer's keys for the authorizer's pools, whose tokens
 * `POST <issuer>/<pool>/token` mints. Its claims reach the integration as
 * `requestContext.authorizer.claims`.
 */
import { identityValues } from './identity';
import { verifyCognitoToken } from './jwt';
import { ANSWERS } from '../gateway-responses';
import type { RequestContext } from '../request';
import type { CognitoSpec } from '../route';
import type { TokenIssuer } from '../stand-ins/token-issuer';

export type CognitoAuthorization =
  | { readonly claims: Record<string, string> }
  | { readonly refused: typeof ANSWERS.unauthorized; readonly why: string };

export function authorizeCognito(
  ctx: RequestContext, spec: CognitoSpec, scopes: readonly string[] | undefined, issuer: TokenIssuer,
): CognitoAuthorization {
  const headers = Object.fromEntries(Object.entries(ctx.req.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(',') : value]));
  const identity = identityValues(spec.identitySource, { headers });
  if ('missing' in identity) return { refused: ANSWERS.unauthorized, why: `the Cognito authorizer's identity source ${identity.missing} is missing` };
  const token = identity.values[0].replace(/^Bearer\s+/i, '');
  const errors: string[] = [];
  for (const pool of spec.pools) {
    const verified = verifyCognitoToken(token, {
      issuer: issuer.issuer(pool.id),
      keys: issuer.jwks(pool.id),
      clientIds: pool.clientIds.length > 0 ? pool.clientIds : undefined,
      scopes: scopes?.length ? scopes : undefined,
    });
    if ('claims' in verified) return { claims: stringClaims(verified.claims) };
    errors.push(`${pool.id}: ${verified.error}`);
  }
  return { refused: ANSWERS.unauthorized, why: `the token is not valid for the authorizer's user pools (${errors.join('; ')})` };
}

/** Claims as a proxy integration sees them: every value a string (lists joined with commas, *unverified*). */
function stringClaims(claims: Record<string, unknown>): Record<string, string> {
  const text = (value: unknown) => (Array.isArray(value) ? value.join(',') : typeof value === 'object' ? JSON.stringify(value) : String(value));
  return Object.fromEntries(Object.entries(claims).map(([name, value]) => [name, text(value)]));
}
