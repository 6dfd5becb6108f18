import { App, Duration, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { readAssembly } from '../../local-gateway/assembly';
import { routesTable } from '../../local-gateway/cli';
import { LocalStreamingGateway } from '../../local-gateway/gateway';
import { StreamingRestApi } from '../../src';
import { gatewayForSuite } from './support/suite-gateway';
import { tempDir } from '../support/temp-dirs';

// Nothing is served open silently: a method protected by an authorizer or an API key, whose
// protection the gateway does not emulate, is refused (and said so at start, and in `routes`),
// unless --skip-auth serves it open on purpose, with a warning.

const HANDLER = 'exports.handler = awslambda.streamifyResponse(async (e, s) => { const h = awslambda.HttpResponseStream.from(s, {}); h.write(e.requestContext.authorizer ? JSON.stringify(e.requestContext.authorizer) : "streamed"); h.end(); });';

/**
 * A TOKEN authorizer written as AWS's documentation writes one (its generatePolicy helper, a policy
 * for the method ARN it was called for): 'allow', 'deny', 'unauthorized' (its `Unauthorized`
 * error), or anything else (a malformed answer). It counts its invocations in its context.
 */
const AUTHORIZER = `let calls = 0;
const generatePolicy = (principalId, effect, resource) => ({
  principalId,
  policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }] },
  context: { stringKey: 'value', numberKey: 123, booleanKey: true, calls: ++calls },
});
exports.handler = async (event) => {
  switch (event.authorizationToken) {
    case 'allow': return generatePolicy('user', 'Allow', event.methodArn);
    case 'deny': return generatePolicy('user', 'Deny', event.methodArn);
    case 'unauthorized': throw new Error('Unauthorized');
    default: return { principalId: 'user', policyDocument: 'not a policy' };
  }
};`;

/** A REQUEST authorizer: allows a request whose header and query string agree, with a wildcard policy. */
const REQUEST_AUTHORIZER = `exports.handler = async (event) => {
  const ok = event.headers.HeaderAuth1 === 'headerValue1' && event.queryStringParameters.QueryString1 === 'queryValue1';
  const arn = event.methodArn.split('/').slice(0, 2).join('/') + '/*';
  return { principalId: 'me', policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: ok ? 'Allow' : 'Deny', Resource: arn }] }, context: { path: event.path } };
};`;

function synthProtectedApp(): string {
  const app = new App({ outdir: tempDir('protected-app') });
  const stack = new Stack(app, 'Protected');
  const api = new StreamingRestApi(stack, 'Api');
  const fn = new lambda.Function(stack, 'Chat', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline(HANDLER) });
  const authFn = new lambda.Function(stack, 'Auth', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline(AUTHORIZER) });
  const requestFn = new lambda.Function(stack, 'RequestAuth', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline(REQUEST_AUTHORIZER) });
  const token = new apigateway.TokenAuthorizer(stack, 'Token', { handler: authFn, validationRegex: '^(allow|deny|unauthorized|malformed)$' });
  const pool = new cognito.UserPool(stack, 'Users');
  pool.addClient('Web');
  const poolAuthorizer = new apigateway.CognitoUserPoolsAuthorizer(stack, 'Pool', { cognitoUserPools: [pool] });
  api.addStreamingLambda('/open', fn, { httpMethod: 'GET' });
  api.addStreamingLambda('/token', fn, { httpMethod: 'GET', authorizer: token });
  api.addStreamingLambda('/token/other', fn, { httpMethod: 'GET', authorizer: token });
  api.addStreamingLambda('/request', fn, {
    httpMethod: 'GET',
    authorizer: new apigateway.RequestAuthorizer(stack, 'Request', {
      handler: requestFn, identitySources: [apigateway.IdentitySource.header('HeaderAuth1'), apigateway.IdentitySource.queryString('QueryString1')], resultsCacheTtl: Duration.seconds(0),
    }),
  });
  api.addStreamingLambda('/cognito', fn, { httpMethod: 'GET', authorizer: poolAuthorizer });
  api.addStreamingLambda('/scoped', fn, { httpMethod: 'GET', authorizer: poolAuthorizer, authorizationScopes: ['chat/read'] });
  api.addStreamingLambda('/keyed', fn, { httpMethod: 'GET', apiKeyRequired: true });
  api.addStreamingLambda('/iam', fn, { httpMethod: 'GET', authorizationType: apigateway.AuthorizationType.IAM });
  return app.synth().directory;
}

const dir = synthProtectedApp();

test('each protected method is read with its protection, and `routes` says it is refused', () => {
  const routes = readAssembly(dir);
  const byPath = Object.fromEntries(routes.map((r) => [r.path, r.protection]));
  expect(byPath['/open']).toBeUndefined();
  expect(byPath['/token']).toMatchObject({ authorizationType: 'CUSTOM', authorizerId: expect.any(String), apiKeyRequired: false });
  expect(byPath['/cognito']).toMatchObject({ authorizationType: 'COGNITO_USER_POOLS' });
  expect(byPath['/keyed']).toMatchObject({ authorizationType: 'NONE', apiKeyRequired: true });
  expect(byPath['/iam']).toMatchObject({ authorizationType: 'AWS_IAM' });
  expect(byPath['/token']?.authorizer).toMatchObject({ type: 'TOKEN', identitySources: ['method.request.header.Authorization'], ttlSeconds: 300 });
  expect(byPath['/request']?.authorizer).toMatchObject({ type: 'REQUEST', identitySources: ['method.request.header.HeaderAuth1', 'method.request.querystring.QueryString1'], ttlSeconds: 0 });
  const table = routesTable(routes, false);
  expect(byPath['/cognito']?.cognito).toMatchObject({ pools: [{ id: expect.stringMatching(/^Users/), clientIds: [expect.stringMatching(/^UsersWeb/)] }] });
  expect(table).toMatch(/\/keyed\s+GET\s+an API key\s+AWS_PROXY.*Lambda Chat/);
  expect(table).toMatch(/\/iam\s+GET.*no: protected by IAM \(SigV4\), not emulated yet \(--skip-auth serves it open\)/);
  expect(table).toMatch(/\/prod\/token\s+\/token\s+GET.*Lambda Chat/);
});

test('protected methods are refused with the reason, the open one streams, and the start-up log lists them', async () => {
  const log: string[] = [];
  // (no AWS credentials to verify IAM signatures with, whatever the shell has: auth/iam.test.ts verifies them)
  const gateway = LocalStreamingGateway.fromAssembly(dir, { port: 0, accessLog: () => undefined, log: (m) => log.push(m), iamCredentials: [] });
  const url = await gateway.start();
  try {
    expect(await (await fetch(`${url}/prod/open`)).text()).toBe('streamed');
    const iamRoute = await fetch(`${url}/prod/iam`, { headers: { Authorization: 'Bearer anything' } });
    expect(iamRoute.status).toBe(501);
    expect((await iamRoute.json()).message).toMatch(/protected by IAM \(SigV4\), which the local gateway does not emulate yet: it is refused rather than served open/);
    // An API key is emulated: with no key (and this app has no usage plan), API Gateway's 403.
    const keyed = await fetch(`${url}/prod/keyed`);
    expect([keyed.status, await keyed.json()]).toEqual([403, { message: 'Forbidden' }]);
    expect(log.join('\n')).toMatch(/1 protected method\(s\) are refused \(501\).*GET \/iam \(IAM \(SigV4\)\)/);
  } finally {
    await gateway.stop();
  }
});

test('--skip-auth serves them open, on purpose, with a warning', async () => {
  const log: string[] = [];
  const gateway = LocalStreamingGateway.fromAssembly(dir, { port: 0, accessLog: () => undefined, log: (m) => log.push(m), skipAuth: true });
  const url = await gateway.start();
  try {
    expect(await (await fetch(`${url}/prod/keyed`)).text()).toBe('streamed');
    expect(await (await fetch(`${url}/prod/token`)).text()).toBe('streamed'); // (its authorizer is skipped too)
    expect(await (await fetch(`${url}/prod/cognito`)).text()).toBe('streamed');
    expect(log.join('\n')).toMatch(/warning: --skip-auth: 7 protected method\(s\) are served OPEN, without their protection: .*GET \/keyed \(an API key\)/);
  } finally {
    await gateway.stop();
  }
});

describe('Lambda authorizers, as API Gateway runs them', () => {
  const suite = gatewayForSuite(dir);
  const log = suite.log;
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${suite.url}/prod${path}`, { headers });
    return { status: res.status, type: res.headers.get('x-amzn-errortype'), body: await res.text() };
  };

  test('no token, or one its validation expression refuses, is a 401 without invoking the authorizer', async () => {
    expect(await get('/token')).toEqual({ status: 401, type: 'UnauthorizedException', body: '{"message":"Unauthorized"}' });
    expect((await get('/token', { Authorization: 'Bearer something-else' })).status).toBe(401);
    expect(log.filter((l) => /Auth: cold start/.test(l))).toHaveLength(0);
  });

  test('an Allow streams the method, with principalId and context in requestContext.authorizer; the policy is cached per token', async () => {
    const first = await get('/token', { Authorization: 'allow' });
    expect(first.status).toBe(200);
    expect(JSON.parse(first.body)).toEqual({ principalId: 'user', stringKey: 'value', numberKey: 123, booleanKey: true, calls: 1 });
    const again = await get('/token', { Authorization: 'allow' });
    expect(JSON.parse(again.body).calls).toBe(1); // from the cache: the authorizer ran once
  });

  test('a cached policy for one method ARN denies the next route (a common surprise, as on AWS)', async () => {
    await get('/token', { Authorization: 'allow' });
    expect(await get('/token/other', { Authorization: 'allow' })).toEqual({ status: 403, type: 'AccessDeniedException', body: '{"message":"User is not authorized to access this resource"}' });
  });

  test('Deny, Unauthorized and a malformed answer get API Gateway\'s answers', async () => {
    expect(await get('/token', { Authorization: 'deny' })).toEqual({ status: 403, type: 'AccessDeniedException', body: '{"message":"User is not authorized to access this resource with an explicit deny"}' });
    expect(await get('/token', { Authorization: 'unauthorized' })).toEqual({ status: 401, type: 'UnauthorizedException', body: '{"message":"Unauthorized"}' });
    expect(await get('/token', { Authorization: 'malformed' })).toEqual({ status: 500, type: 'AuthorizerConfigurationException', body: '{"message":null}' });
    expect(log.join('\n')).toMatch(/refused by the authorizer: the authorizer's result is malformed/);
  });

  test('a REQUEST authorizer gets the request (headers, query string), its wildcard policy allowing the stage', async () => {
    expect((await get('/request?QueryString1=queryValue1')).status).toBe(401); // a source missing
    const allowed = await get('/request?QueryString1=queryValue1', { HeaderAuth1: 'headerValue1' });
    expect(allowed.status).toBe(200);
    expect(JSON.parse(allowed.body)).toEqual({ principalId: 'me', path: '/request' });
    expect((await get('/request?QueryString1=other', { HeaderAuth1: 'headerValue1' })).status).toBe(403);
  });
});

describe('Cognito user pool authorizers, offline', () => {
  const suite = gatewayForSuite(dir);
  let issuerUrl: string;
  let poolId: string;
  beforeAll(() => {
    // the start-up log says how to get a token: the curl command, read here as a user would
    const line = suite.log.find((l) => /verified against a local token issuer/.test(l))!;
    [, issuerUrl, poolId] = /curl -s -X POST (http:\/\/127\.0\.0\.1:\d+)\/([\w-]+)\/token/.exec(line)!;
  });
  const mint = async (body: object) => (await (await fetch(`${issuerUrl}/${poolId}/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()).token as string;
  const get = async (path: string, token?: string) => {
    const res = await fetch(`${suite.url}/prod${path}`, { headers: token ? { Authorization: token } : {} });
    return { status: res.status, body: await res.text() };
  };

  test('an ID token minted by the local issuer is accepted (raw or as a Bearer token); its claims reach the handler', async () => {
    const token = await mint({ username: 'alice', groups: ['admin'] });
    const seen = await get('/cognito', token);
    expect(seen.status).toBe(200);
    expect(JSON.parse(seen.body).claims).toMatchObject({ 'cognito:username': 'alice', 'cognito:groups': 'admin', 'token_use': 'id', 'aud': expect.stringMatching(/^UsersWeb/) });
    expect((await get('/cognito', `Bearer ${token}`)).status).toBe(200);
  });

  test('no token, an expired one, one for another client, a tampered one: 401', async () => {
    expect(await get('/cognito')).toEqual({ status: 401, body: '{"message":"Unauthorized"}' });
    expect((await get('/cognito', await mint({ username: 'alice', expiresInSeconds: -60 }))).status).toBe(401);
    expect((await get('/cognito', await mint({ username: 'alice', clientId: 'some-other-client' }))).status).toBe(401);
    const token = await mint({ username: 'alice' });
    const [head, , signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()), 'cognito:username': 'root' })).toString('base64url');
    expect((await get('/cognito', `${head}.${forged}.${signature}`)).status).toBe(401);
    expect(suite.log.join('\n')).toMatch(/token is not valid for the authorizer's user pools \(Users\w*: expired\)/);
  });

  test('a method with authorization scopes takes an access token carrying one, and no ID token', async () => {
    expect((await get('/scoped', await mint({ username: 'alice' }))).status).toBe(401);
    expect((await get('/scoped', await mint({ username: 'alice', tokenUse: 'access', scopes: ['other/scope'] }))).status).toBe(401);
    const seen = await get('/scoped', await mint({ username: 'alice', tokenUse: 'access', scopes: ['chat/read'] }));
    expect(seen.status).toBe(200);
    expect(JSON.parse(seen.body).claims).toMatchObject({ token_use: 'access', scope: 'chat/read', username: 'alice' });
  });

  test('the gateway hands its issuer to code that starts it (tests, scripts)', async () => {
    const token = suite.gateway.tokenIssuer!.mint({ poolId, clientId: JSON.parse((await get('/cognito', await mint({ username: 'x' }))).body).claims.aud, username: 'bob', tokenUse: 'id' });
    expect(JSON.parse((await get('/cognito', token)).body).claims['cognito:username']).toBe('bob');
  });
});

test('a resource policy, a WAF web ACL and mutual TLS are named at start and in `routes`, and the API is served as if they were absent', async () => {
  const app = new App({ outdir: tempDir('guarded-app') });
  const stack = new Stack(app, 'Guarded');
  const api = new StreamingRestApi(stack, 'Api', {
    policy: new iam.PolicyDocument({
      statements: [new iam.PolicyStatement({ principals: [new iam.AnyPrincipal()], actions: ['execute-api:Invoke'], resources: ['execute-api:/*'], conditions: { IpAddress: { 'aws:SourceIp': ['203.0.113.0/24'] } } })],
    }),
  });
  const fn = new lambda.Function(stack, 'Chat', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline(HANDLER) });
  api.addStreamingLambda('/open', fn, { httpMethod: 'GET' });
  const acl = new wafv2.CfnWebACL(stack, 'Acl', { scope: 'REGIONAL', defaultAction: { allow: {} }, visibilityConfig: { cloudWatchMetricsEnabled: false, metricName: 'acl', sampledRequestsEnabled: false } });
  new wafv2.CfnWebACLAssociation(stack, 'AclOnApi', { resourceArn: api.deploymentStage.stageArn, webAclArn: acl.attrArn });
  const domain = new apigateway.CfnDomainName(stack, 'Domain', {
    domainName: 'chat.example.com',
    regionalCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc',
    endpointConfiguration: { types: ['REGIONAL'] },
    mutualTlsAuthentication: { truststoreUri: 's3://bucket/truststore.pem' },
  });
  new apigateway.CfnBasePathMapping(stack, 'Mapping', { domainName: domain.ref, restApiId: api.restApiId, stage: api.deploymentStage.stageName });
  const log: string[] = [];
  const gateway = LocalStreamingGateway.fromAssembly(app.synth().directory, { port: 0, accessLog: () => undefined, log: (m) => log.push(m) });
  const url = await gateway.start();
  try {
    expect(log.join('\n')).toMatch(/note: not emulated, served as if absent .*: Api: a resource policy, an AWS WAF web ACL, mutual TLS on its custom domain/);
    expect(routesTable(gateway.routes)).toMatch(/\/open\s+GET\s+not emulated: a resource policy, an AWS WAF web ACL, mutual TLS on its custom domain/);
    expect(await (await fetch(`${url}/prod/open`)).text()).toBe('streamed');
  } finally {
    await gateway.stop();
  }
});
