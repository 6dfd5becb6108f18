import * as http from 'http';
import type { AddressInfo } from 'net';
// eslint-disable-next-line import/no-unresolved -- the resolver does not read the SDK's exports map
import { auth, discoverAuthorizationServerMetadata, exchangeAuthorization, registerClient, startAuthorization } from '@modelcontextprotocol/sdk/client/auth.js';
import { verifyCognitoToken } from '../../../local-gateway/auth/jwt';
import { startTokenIssuer, TokenIssuer } from '../../../local-gateway/stand-ins/token-issuer';
import { MemoryOAuthProvider as MemoryProvider } from '../support/oauth-provider';

// The official MCP SDK (v1, @modelcontextprotocol/sdk) client auth against the token issuer
// stand-in, written the way an MCP client app writes it: an OAuthClientProvider that keeps its
// state in memory and "opens a browser" (here: follows the authorization URL with fetch).

const POOL = 'Users';
let issuer: TokenIssuer;
let resourceServer: http.Server;
let mcpUrl: string;

beforeAll(async () => {
  issuer = await startTokenIssuer({ pools: [POOL], localUser: { username: 'carol', scopes: ['mcp/tools'] } });
  // A stand-in MCP server that publishes only its RFC 9728 document (under the stage, as StreamingMcpServer does)
  resourceServer = http.createServer((req, res) => {
    if (req.url === '/prod/.well-known/oauth-protected-resource/prod/mcp') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
        resource: mcpUrl, authorization_servers: [`${issuer.url}/${POOL}`], scopes_supported: ['mcp/tools'], bearer_methods_supported: ['header'],
      }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => resourceServer.listen(0, '127.0.0.1', resolve));
  mcpUrl = `http://127.0.0.1:${(resourceServer.address() as AddressInfo).port}/prod/mcp`;
});
afterAll(async () => {
  await issuer.close();
  resourceServer.closeAllConnections();
  await new Promise((resolve) => resourceServer.close(resolve));
});

test('auth(): RFC 9728 discovery → RFC 8414 metadata → registration → authorize (PKCE) → token, for the MCP resource', async () => {
  // GIVEN the document URL the client reads from the 401's WWW-Authenticate challenge (the SDK's
  // fallback, /.well-known/oauth-protected-resource/prod/mcp at the root, is outside every stage)
  const provider = new MemoryProvider();
  const resourceMetadataUrl = new URL(mcpUrl.replace('/prod/mcp', '/prod/.well-known/oauth-protected-resource/prod/mcp'));
  await expect(auth(new MemoryProvider(), { serverUrl: mcpUrl })).rejects.toThrow(/404/);
  // WHEN the client starts, it is sent to the authorization endpoint
  expect(await auth(provider, { serverUrl: mcpUrl, resourceMetadataUrl })).toBe('REDIRECT');
  expect(provider.client?.client_id).toEqual(expect.any(String));
  expect(provider.code).toEqual(expect.any(String));
  // and back with the code, it gets tokens
  expect(await auth(provider, { serverUrl: mcpUrl, resourceMetadataUrl, authorizationCode: provider.code })).toBe('AUTHORIZED');
  // THEN the access token is for this client, this MCP server (aud = resource) and the scope
  const verified = verifyCognitoToken(provider.saved!.access_token, { issuer: issuer.issuer(POOL), keys: issuer.jwks(POOL), scopes: ['mcp/tools'], clientIds: [provider.client!.client_id] });
  expect(verified).toHaveProperty('claims.aud', mcpUrl);
  expect(verified).toHaveProperty('claims.username', 'carol');
  // a later auth() refreshes with the refresh token, without a new authorization
  const first = provider.saved!.access_token;
  provider.code = undefined;
  expect(await auth(provider, { serverUrl: mcpUrl, resourceMetadataUrl })).toBe('AUTHORIZED');
  expect(provider.code).toBeUndefined();
  expect(provider.saved!.access_token).not.toBe(first);
});

test('the SDK\'s helpers one by one; a wrong PKCE verifier is refused as the SDK expects', async () => {
  const metadata = await discoverAuthorizationServerMetadata(`${issuer.url}/${POOL}`);
  expect(metadata?.registration_endpoint).toBe(`${issuer.url}/${POOL}/oauth2/register`);
  const clientInformation = await registerClient(`${issuer.url}/${POOL}`, { metadata, clientMetadata: new MemoryProvider().clientMetadata });
  const { authorizationUrl, codeVerifier } = await startAuthorization(`${issuer.url}/${POOL}`, {
    metadata, clientInformation, redirectUrl: new MemoryProvider().redirectUrl, scope: 'mcp/tools', state: 'st', resource: new URL(mcpUrl),
  });
  const location = new URL((await fetch(authorizationUrl, { redirect: 'manual' })).headers.get('location')!);
  expect(location.searchParams.get('state')).toBe('st');
  const code = location.searchParams.get('code')!;
  const redirectUri = new MemoryProvider().redirectUrl;
  const exchange = (verifier: string) => exchangeAuthorization(`${issuer.url}/${POOL}`, {
    metadata, clientInformation, authorizationCode: code, codeVerifier: verifier, redirectUri, resource: new URL(mcpUrl),
  });
  await expect(exchange(`${codeVerifier.slice(1)}x`)).rejects.toThrow(/code_verifier/);
  // (the code is spent by the failed attempt, as single-use codes are)
  await expect(exchange(codeVerifier)).rejects.toThrow(/unknown, used or expired/);
});
