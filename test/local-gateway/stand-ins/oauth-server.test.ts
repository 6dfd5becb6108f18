import * as crypto from 'crypto';
import { verifyCognitoToken } from '../../../local-gateway/auth/jwt';
import { startTokenIssuer, TokenIssuer } from '../../../local-gateway/stand-ins/token-issuer';

// The token issuer stand-in as the authorization server MCP clients discover: the whole OAuth
// flow (discovery, registration, authorize with PKCE, token, refresh) with plain fetch, as a
// client that follows RFC 8414 / 7591 / 7636 / 8707 would.

const POOL = 'us-east-1_Mcp';
const REDIRECT = 'http://127.0.0.1:33418/callback';
const RESOURCE = 'http://127.0.0.1:4000/prod/mcp';
let issuer: TokenIssuer;

beforeAll(async () => {
  issuer = await startTokenIssuer({ pools: [POOL], localUser: { username: 'alice', groups: ['admin'], scopes: ['mcp/tools', 'mcp/admin'] } });
});
afterAll(() => issuer.close());

const pkce = () => {
  const verifier = crypto.randomBytes(32).toString('base64url');
  return { verifier, challenge: crypto.createHash('sha256').update(verifier).digest('base64url') };
};

async function discover() {
  // RFC 8414 path-insert form: what the MCP SDKs try first for an issuer with a path
  const res = await fetch(`${issuer.url}/.well-known/oauth-authorization-server/${POOL}`);
  expect(res.status).toBe(200);
  return res.json() as Promise<Record<string, any>>;
}

async function register(metadata: Record<string, any>, extra: object = {}) {
  const res = await fetch(metadata.registration_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_name: 'test agent', redirect_uris: [REDIRECT], ...extra }),
  });
  return { status: res.status, body: await res.json() as Record<string, any> };
}

async function authorize(metadata: Record<string, any>, params: Record<string, string>) {
  const url = new URL(metadata.authorization_endpoint);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const res = await fetch(url, { redirect: 'manual' });
  return { status: res.status, location: res.headers.get('location'), body: res.status === 302 ? undefined : await res.json() };
}

async function token(metadata: Record<string, any>, form: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await fetch(metadata.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form),
  });
  return { status: res.status, body: await res.json() as Record<string, any> };
}

async function codeFor(metadata: Record<string, any>, clientId: string, challenge: string, extra: Record<string, string> = {}) {
  const { status, location } = await authorize(metadata, {
    response_type: 'code', client_id: clientId, redirect_uri: REDIRECT, code_challenge: challenge, code_challenge_method: 'S256', state: 'xyz', ...extra,
  });
  expect(status).toBe(302);
  const back = new URL(location!);
  expect(back.origin + back.pathname).toBe(REDIRECT);
  expect(back.searchParams.get('state')).toBe('xyz');
  return back.searchParams.get('code')!;
}

test('discovery → register → authorize (PKCE, approved as the local user) → token → refresh', async () => {
  // GIVEN the metadata a client discovers
  const metadata = await discover();
  expect(metadata).toMatchObject({
    issuer: issuer.issuer(POOL),
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
    grant_types_supported: expect.arrayContaining(['authorization_code', 'refresh_token']),
  });
  // the same metadata at the pool's own well-known and in its OpenID configuration
  expect(await (await fetch(`${issuer.url}/${POOL}/.well-known/oauth-authorization-server`)).json()).toEqual(metadata);
  expect(await (await fetch(`${issuer.url}/${POOL}/.well-known/openid-configuration`)).json()).toMatchObject({ token_endpoint: metadata.token_endpoint, jwks_uri: expect.any(String) });

  // WHEN a public client registers, is sent to authorize, and exchanges the code
  const registered = await register(metadata);
  expect(registered.status).toBe(201);
  expect(registered.body).toMatchObject({ client_id: expect.any(String), redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' });
  expect(registered.body.client_secret).toBeUndefined();
  const clientId = registered.body.client_id;
  const { verifier, challenge } = pkce();
  const code = await codeFor(metadata, clientId, challenge, { scope: 'mcp/tools other/scope', resource: RESOURCE });
  const tokens = await token(metadata, { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT, client_id: clientId, resource: RESOURCE });

  // THEN an access token for that client, resource and the scopes the local user may have
  expect(tokens.status).toBe(200);
  expect(tokens.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'mcp/tools', refresh_token: expect.any(String) });
  const verified = verifyCognitoToken(tokens.body.access_token, { issuer: issuer.issuer(POOL), keys: issuer.jwks(POOL), scopes: ['mcp/tools'], clientIds: [clientId] });
  expect('claims' in verified && verified.claims).toMatchObject({ 'aud': RESOURCE, 'client_id': clientId, 'username': 'alice', 'scope': 'mcp/tools', 'cognito:groups': ['admin'] });

  // a code is single use
  const again = await token(metadata, { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT, client_id: clientId });
  expect(again).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });

  // the refresh token gives a new access token, and is rotated
  const refreshed = await token(metadata, { grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token, client_id: clientId });
  expect(refreshed.status).toBe(200);
  expect(refreshed.body.refresh_token).not.toBe(tokens.body.refresh_token);
  expect(verifyCognitoToken(refreshed.body.access_token, { issuer: issuer.issuer(POOL), keys: issuer.jwks(POOL), scopes: ['mcp/tools'] })).toHaveProperty('claims.aud', RESOURCE);
  const reused = await token(metadata, { grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token, client_id: clientId });
  expect(reused).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
});

test('PKCE: a wrong verifier is invalid_grant; no challenge (or plain) is refused at authorize', async () => {
  const metadata = await discover();
  const clientId = (await register(metadata)).body.client_id;
  const { challenge } = pkce();
  const code = await codeFor(metadata, clientId, challenge);
  const wrong = await token(metadata, { grant_type: 'authorization_code', code, code_verifier: pkce().verifier, redirect_uri: REDIRECT, client_id: clientId });
  expect(wrong).toMatchObject({ status: 400, body: { error: 'invalid_grant', error_description: expect.stringMatching(/code_verifier/) } });

  const attempts: Array<Record<string, string>> = [{}, { code_challenge: challenge, code_challenge_method: 'plain' }];
  for (const params of attempts) {
    const { status, location } = await authorize(metadata, { response_type: 'code', client_id: clientId, redirect_uri: REDIRECT, state: 's', ...params });
    expect(status).toBe(302);
    expect(new URL(location!).searchParams.get('error')).toBe('invalid_request');
    expect(new URL(location!).searchParams.get('code')).toBeNull();
  }
});

test('bad clients: unknown at authorize (no redirect) and at token, an unregistered redirect URI, a wrong secret', async () => {
  const metadata = await discover();
  const unknown = await authorize(metadata, { response_type: 'code', client_id: 'nobody', redirect_uri: REDIRECT, code_challenge: pkce().challenge, code_challenge_method: 'S256' });
  expect(unknown).toMatchObject({ status: 400, location: null, body: { error: 'invalid_client' } });

  const clientId = (await register(metadata)).body.client_id;
  const elsewhere = await authorize(metadata, { response_type: 'code', client_id: clientId, redirect_uri: 'https://evil.example.com/cb', code_challenge: pkce().challenge, code_challenge_method: 'S256' });
  expect(elsewhere).toMatchObject({ status: 400, location: null, body: { error: 'invalid_request' } });

  expect(await token(metadata, { grant_type: 'authorization_code', code: 'x', code_verifier: 'y', client_id: 'nobody' })).toMatchObject({ status: 401, body: { error: 'invalid_client' } });

  // a confidential client gets a secret, and must present it (HTTP Basic)
  const confidential = await register(metadata, { token_endpoint_auth_method: 'client_secret_basic' });
  expect(confidential.body.client_secret).toEqual(expect.any(String));
  const { verifier, challenge } = pkce();
  const code = await codeFor(metadata, confidential.body.client_id, challenge);
  const basic = (secret: string) => ({ authorization: `Basic ${Buffer.from(`${confidential.body.client_id}:${secret}`).toString('base64')}` });
  const form = { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT };
  expect(await token(metadata, form, basic('wrong'))).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
  expect((await token(metadata, form, basic(confidential.body.client_secret))).status).toBe(200);

  // registration without redirect URIs, and an unknown pool
  expect(await register(metadata, { redirect_uris: [] })).toMatchObject({ status: 400, body: { error: 'invalid_redirect_uri' } });
  expect((await fetch(`${issuer.url}/.well-known/oauth-authorization-server/nopool`)).status).toBe(404);
});

test('a pool with an app client (from the template) hands that client out at registration, so its authorizer accepts the tokens', async () => {
  const local = await startTokenIssuer({ pools: ['Pool'], defaultClientIds: { Pool: 'WebClient' } });
  try {
    const res = await fetch(`${local.url}/Pool/oauth2/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ redirect_uris: [REDIRECT] }) });
    expect((await res.json()).client_id).toBe('WebClient');
    // the JSON minting endpoint is still there
    const minted = await fetch(`${local.url}/Pool/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bob' }) });
    expect(verifyCognitoToken((await minted.json()).token, { issuer: local.issuer('Pool'), keys: local.jwks('Pool'), clientIds: ['WebClient'] })).toHaveProperty('claims');
  } finally {
    await local.close();
  }
});
