import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { readAssembly } from '../local-gateway/assembly';

// The example app synthesizes offline through the real aws-cdk CLI (a dev dependency).

const ROOT = path.join(__dirname, '..');
let out: string;
let synth: ReturnType<typeof spawnSync>;

beforeAll(() => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'example-cdk-out-'));
  synth = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'cdk'), ['synth', '--quiet', '--no-notices', '--output', out], {
    cwd: path.join(ROOT, 'examples'),
    encoding: 'utf8',
    env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: 'true' },
  });
});

afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

test('examples/app.ts synthesizes with the aws-cdk CLI and every Lambda route streams', () => {
  // THEN
  expect(synth.stderr).not.toMatch(/Error/);
  expect(synth.status).toBe(0);
  const routes = readAssembly(out);
  const lambdaRoutes = routes.filter((r) => r.integrationType === 'AWS_PROXY');
  expect(lambdaRoutes.length).toBeGreaterThanOrEqual(4);
  for (const route of lambdaRoutes) {
    expect(route).toMatchObject({ transferMode: 'STREAM', lambdaUriKind: 'streaming', unsupported: undefined });
    expect(route.timeoutMs).toBe(['/assistant', '/mcp'].includes(route.path) ? 300_000 : 900_000);
  }
  expect(routes).toContainEqual(expect.objectContaining({ path: '/proxy/{proxy+}', integrationType: 'HTTP_PROXY', transferMode: 'STREAM', url: 'https://backend.example.com/{proxy}' }));
  // The bundled handlers are in the assembly, ready for the local gateway.
  const assets = fs.readdirSync(out).filter((f) => f.startsWith('asset.'));
  expect(assets.length).toBeGreaterThanOrEqual(3);
});

test('the example MCP server: POST /mcp needs a Cognito access token with mcp/tools; the outputs are what an agent is configured with', () => {
  // GIVEN
  const template = Template.fromJSON(JSON.parse(fs.readFileSync(path.join(out, 'StreamingExample.template.json'), 'utf8')));
  // THEN the streamed route is behind the pool's authorizer, with the scope
  template.hasResourceProperties('AWS::ApiGateway::Method', {
    HttpMethod: 'POST', AuthorizationType: 'COGNITO_USER_POOLS', AuthorizationScopes: ['mcp/tools'], Integration: { ResponseTransferMode: 'STREAM' },
  });
  // a pool without self sign-up, MFA required, and two app clients (PKCE for people, client credentials for services)
  template.hasResourceProperties('AWS::Cognito::UserPool', { MfaConfiguration: 'ON', AdminCreateUserConfig: { AllowAdminCreateUserOnly: true }, UserPoolTier: 'PLUS' });
  template.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', { Identifier: 'mcp', Scopes: [{ ScopeName: 'tools', ScopeDescription: Match.anyValue() }] });
  template.hasResourceProperties('AWS::Cognito::UserPoolClient', { AllowedOAuthFlows: ['code'], GenerateSecret: false, AllowedOAuthScopes: [Match.anyValue()] });
  template.hasResourceProperties('AWS::Cognito::UserPoolClient', { AllowedOAuthFlows: ['client_credentials'], GenerateSecret: true, AllowedOAuthScopes: [Match.anyValue()] });
  const outputs = Object.entries(template.findOutputs('*')).filter(([id]) => id.startsWith('Mcp')).map(([id, o]) => [id.replace(/[0-9A-F]{8}$/, ''), o.Value]);
  expect(outputs.map(([id]) => id).sort()).toEqual([
    'McpAgentClientId', 'McpAuthorizationServer', 'McpProtectedResourceMetadataUrl', 'McpScope', 'McpServiceClientId', 'McpTokenEndpoint', 'McpUrl', 'McpUserPoolId',
  ]);
  expect(Object.fromEntries(outputs).McpScope).toBe('mcp/tools');
});
