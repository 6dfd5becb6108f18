import * as crypto from 'crypto';
import { cognitoIssuer, decodeToken, verifyCognitoToken, VerifyOptions } from '../../../local-gateway/auth/jwt';
import { startTokenIssuer, TokenIssuer } from '../../../local-gateway/stand-ins/token-issuer';

// Tokens minted by the stand-in, verified as a COGNITO_USER_POOLS authorizer verifies them: each
// check with a token that passes and one that fails it.

const POOL = 'eu-west-1_AbCdEf123';
const CLIENT = '1example23456789';
let issuer: TokenIssuer;
beforeAll(async () => {
  issuer = await startTokenIssuer({ pools: [POOL] });
});
afterAll(() => issuer.close());

const options = (overrides: Partial<VerifyOptions> = {}): VerifyOptions => ({
  issuer: issuer.issuer(POOL), keys: issuer.jwks(POOL), clientIds: [CLIENT], ...overrides,
});
const idToken = (overrides: object = {}) => issuer.mint({ poolId: POOL, clientId: CLIENT, username: 'alice', tokenUse: 'id', groups: ['admins'], ...overrides });
const accessToken = (overrides: object = {}) => issuer.mint({ poolId: POOL, clientId: CLIENT, username: 'alice', tokenUse: 'access', scopes: ['chat/read', 'openid'], ...overrides });

/** Re-encodes a token's header or claims, keeping the original signature. */
function tampered(token: string, edit: { header?: object; claims?: object }): string {
  const [h, c, s] = token.split('.');
  const decoded = decodeToken(token)!;
  const enc = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return [edit.header ? enc({ ...decoded.header, ...edit.header }) : h, edit.claims ? enc({ ...decoded.claims, ...edit.claims }) : c, s].join('.');
}

describe('valid tokens', () => {
  test('an ID token carries the claims Cognito puts there', () => {
    const result = verifyCognitoToken(idToken(), options());
    expect(result).toEqual({ claims: expect.objectContaining({ 'token_use': 'id', 'aud': CLIENT, 'cognito:username': 'alice', 'cognito:groups': ['admins'], 'email': 'alice@example.com', 'iss': `${issuer.url}/${POOL}` }) });
    expect((result as { claims: { sub: string } }).claims.sub).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(decodeToken(idToken())?.header).toEqual({ kid: issuer.jwks(POOL).keys[0].kid, alg: 'RS256' });
  });

  test('an access token with one of the method\'s scopes passes; its claims are Cognito\'s', () => {
    const result = verifyCognitoToken(accessToken(), options({ scopes: ['chat/write', 'chat/read'] }));
    expect(result).toEqual({ claims: expect.objectContaining({ token_use: 'access', client_id: CLIENT, username: 'alice', scope: 'chat/read openid' }) });
    expect(result).not.toHaveProperty('claims.aud');
  });

  test('without clientIds any client of the pool is accepted', () => {
    expect(verifyCognitoToken(idToken({ clientId: 'another-client' }), options({ clientIds: undefined }))).toHaveProperty('claims');
  });
});

describe('rejected tokens', () => {
  test('expired: past exp plus the skew; within the skew it still passes', () => {
    const now = Date.now();
    const token = idToken({ now, expiresInSeconds: 60 });
    expect(verifyCognitoToken(token, options({ now: now + 63_000 }))).toHaveProperty('claims');
    expect(verifyCognitoToken(token, options({ now: now + 66_000 }))).toEqual({ error: 'expired' });
    expect(verifyCognitoToken(idToken({ expiresInSeconds: -3600 }), options())).toEqual({ error: 'expired' });
  });

  test('not yet valid: an nbf in the future', () => {
    const nbf = Math.floor(Date.now() / 1000) + 600;
    expect(verifyCognitoToken(idToken({ claims: { nbf } }), options())).toEqual({ error: 'not yet valid' });
    expect(verifyCognitoToken(idToken({ claims: { nbf: nbf - 1200 } }), options())).toHaveProperty('claims');
  });

  test('wrong issuer: another pool of the same stand-in, verified with this pool\'s keys', () => {
    const other = issuer.mint({ poolId: 'eu-west-1_Other', clientId: CLIENT, username: 'alice', tokenUse: 'id' });
    const otherOptions = options({ issuer: issuer.issuer('eu-west-1_Other'), keys: issuer.jwks('eu-west-1_Other') });
    expect(verifyCognitoToken(other, otherOptions)).toHaveProperty('claims');
    expect(verifyCognitoToken(other, options({ keys: issuer.jwks('eu-west-1_Other') }))).toEqual({ error: 'wrong issuer' });
  });

  test('wrong client: aud of an ID token, client_id of an access token', () => {
    expect(verifyCognitoToken(idToken({ clientId: 'someone-else' }), options())).toEqual({ error: 'wrong client' });
    expect(verifyCognitoToken(accessToken({ clientId: 'someone-else' }), options({ scopes: ['openid'] }))).toEqual({ error: 'wrong client' });
  });

  test('missing scope: an access token without any of the method\'s scopes', () => {
    expect(verifyCognitoToken(accessToken(), options({ scopes: ['chat/write'] }))).toEqual({ error: 'missing scope' });
    // scope is a space-separated list: a prefix of a granted scope is not a scope
    expect(verifyCognitoToken(accessToken(), options({ scopes: ['chat'] }))).toEqual({ error: 'missing scope' });
  });

  test('wrong token use: an access token where no scopes are set, an ID token where they are', () => {
    expect(verifyCognitoToken(accessToken(), options())).toEqual({ error: 'wrong token use' });
    expect(verifyCognitoToken(idToken(), options({ scopes: ['openid'] }))).toEqual({ error: 'wrong token use' });
  });

  test('a tampered payload fails the signature', () => {
    expect(verifyCognitoToken(tampered(idToken(), { claims: { 'cognito:groups': ['root'] } }), options())).toEqual({ error: 'bad signature' });
  });

  test('a token signed with another key under the same kid fails; an unknown kid is refused', () => {
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const [h, c] = idToken().split('.');
    const forged = `${h}.${c}.${crypto.sign('RSA-SHA256', Buffer.from(`${h}.${c}`), privateKey).toString('base64url')}`;
    expect(verifyCognitoToken(forged, options())).toEqual({ error: 'bad signature' });
    expect(verifyCognitoToken(tampered(idToken(), { header: { kid: 'nope' } }), options())).toEqual({ error: 'unknown key' });
  });

  test('alg none and HS256 (the public key as an HMAC secret) are refused', () => {
    const none = tampered(idToken(), { header: { alg: 'none' } }).replace(/[^.]+$/, '');
    expect(verifyCognitoToken(none, options())).toEqual({ error: 'unsupported algorithm' });
    const [, c] = idToken().split('.');
    const h = Buffer.from(JSON.stringify({ kid: issuer.jwks(POOL).keys[0].kid, alg: 'HS256' })).toString('base64url');
    const secret = JSON.stringify(issuer.jwks(POOL).keys[0]);
    const hs = `${h}.${c}.${crypto.createHmac('sha256', secret).update(`${h}.${c}`).digest('base64url')}`;
    expect(verifyCognitoToken(hs, options())).toEqual({ error: 'unsupported algorithm' });
  });

  test.each([
    ['an empty string', ''],
    ['one segment', 'abc'],
    ['four segments', 'a.b.c.d'],
    ['a header that is not JSON', `${Buffer.from('nope').toString('base64url')}.e30.sig`],
    ['a header that is a JSON array', `${Buffer.from('[1]').toString('base64url')}.e30.sig`],
    ['base64 with padding and +', 'ab+c=.e30.sig'],
    ['a Bearer prefix', 'Bearer x.y.z'],
  ])('malformed: %s', (_name, token) => {
    expect(verifyCognitoToken(token, options())).toEqual({ error: 'malformed' });
  });

  test('malformed: a signed token without exp', () => {
    expect(verifyCognitoToken(idToken({ claims: { exp: undefined } }), options())).toEqual({ error: 'malformed' });
    expect(verifyCognitoToken(idToken({ claims: { exp: 'tomorrow' } }), options())).toEqual({ error: 'malformed' });
  });
});

describe('the stand-in', () => {
  test('serves the pool\'s JWKS and OpenID configuration; a fetched JWKS verifies its tokens', async () => {
    const config = await (await fetch(`${issuer.url}/${POOL}/.well-known/openid-configuration`)).json() as { issuer: string; jwks_uri: string };
    expect(config.issuer).toBe(`${issuer.url}/${POOL}`);
    const response = await fetch(config.jwks_uri);
    expect(response.headers.get('content-type')).toBe('application/json');
    const jwks = await response.json() as VerifyOptions['keys'];
    expect(jwks.keys).toEqual([expect.objectContaining({ kty: 'RSA', alg: 'RS256', use: 'sig', e: 'AQAB', kid: expect.any(String), n: expect.any(String) })]);
    expect(jwks.keys[0]).not.toHaveProperty('d');
    expect(verifyCognitoToken(idToken(), options({ issuer: config.issuer, keys: jwks }))).toHaveProperty('claims');
  });

  test('answers 404 for a pool it does not have and for other paths', async () => {
    expect((await fetch(`${issuer.url}/eu-west-1_Unknown/.well-known/jwks.json`)).status).toBe(404);
    expect((await fetch(`${issuer.url}/${POOL}/oauth2/userInfo`)).status).toBe(404);
    // (the OAuth token endpoint exists, for POST only: see stand-ins/oauth-server.test.ts)
    expect((await fetch(`${issuer.url}/${POOL}/oauth2/token`)).status).toBe(405);
  });

  test('a pool declared with a region mints with the real issuer string, verified with the local keys', async () => {
    const regional = await startTokenIssuer({ pools: [{ poolId: 'us-east-2_Real1', region: 'us-east-2' }] });
    try {
      const token = regional.mint({ poolId: 'us-east-2_Real1', clientId: CLIENT, username: 'bob', tokenUse: 'id' });
      expect(regional.issuer('us-east-2_Real1')).toBe('https://cognito-idp.us-east-2.amazonaws.com/us-east-2_Real1');
      expect(cognitoIssuer('us-east-2_Real1')).toBe(regional.issuer('us-east-2_Real1'));
      expect(verifyCognitoToken(token, { issuer: cognitoIssuer('us-east-2_Real1'), keys: regional.jwks('us-east-2_Real1') })).toHaveProperty('claims.cognito:username', 'bob');
      // each pool (and each stand-in) has its own keys
      expect(verifyCognitoToken(token, { issuer: cognitoIssuer('us-east-2_Real1'), keys: { keys: [{ ...issuer.jwks(POOL).keys[0], kid: regional.jwks('us-east-2_Real1').keys[0].kid }] } })).toEqual({ error: 'bad signature' });
    } finally {
      await regional.close();
    }
  });
});
