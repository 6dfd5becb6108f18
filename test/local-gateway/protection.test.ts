import { App, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { readAssembly } from '../../local-gateway/assembly';
import { routesTable } from '../../local-gateway/cli';
import { LocalStreamingGateway } from '../../local-gateway/gateway';
import { StreamingRestApi } from '../../src';
import { tempDir } from '../support/temp-dirs';

// Nothing is served open silently: a method protected by an authorizer or an API key, whose
// protection the gateway does not emulate, is refused (and said so at start, and in `routes`),
// unless --skip-auth serves it open on purpose, with a warning.

const HANDLER = 'exports.handler = awslambda.streamifyResponse(async (e, s) => { const h = awslambda.HttpResponseStream.from(s, {}); h.write("streamed"); h.end(); });';
const AUTHORIZER = 'exports.handler = async (event) => ({ principalId: "user", policyDocument: { Version: "2012-10-17", Statement: [{ Action: "execute-api:Invoke", Effect: "Allow", Resource: event.methodArn }] } });';

function synthProtectedApp(): string {
  const app = new App({ outdir: tempDir('protected-app') });
  const stack = new Stack(app, 'Protected');
  const api = new StreamingRestApi(stack, 'Api');
  const fn = new lambda.Function(stack, 'Chat', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline(HANDLER) });
  const authFn = new lambda.Function(stack, 'Auth', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline(AUTHORIZER) });
  const pool = new cognito.UserPool(stack, 'Users');
  api.addStreamingLambda('/open', fn, { httpMethod: 'GET' });
  api.addStreamingLambda('/token', fn, { httpMethod: 'GET', authorizer: new apigateway.TokenAuthorizer(stack, 'Token', { handler: authFn }) });
  api.addStreamingLambda('/cognito', fn, { httpMethod: 'GET', authorizer: new apigateway.CognitoUserPoolsAuthorizer(stack, 'Pool', { cognitoUserPools: [pool] }) });
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
  expect(routesTable(routes)).toMatch(/\/token\s+GET.*no: protected by a Lambda authorizer, not emulated yet \(--skip-auth serves it open\)/);
});

test('protected methods are refused with the reason, the open one streams, and the start-up log lists them', async () => {
  const log: string[] = [];
  const gateway = LocalStreamingGateway.fromAssembly(dir, { port: 0, accessLog: () => undefined, log: (m) => log.push(m) });
  const url = await gateway.start();
  try {
    expect(await (await fetch(`${url}/prod/open`)).text()).toBe('streamed');
    for (const [path, what] of [['token', 'a Lambda authorizer'], ['cognito', 'a Cognito user pool authorizer'], ['keyed', 'an API key'], ['iam', 'IAM \\(SigV4\\)']]) {
      const res = await fetch(`${url}/prod/${path}`, { headers: { Authorization: 'Bearer anything' } });
      expect(res.status).toBe(501);
      expect((await res.json()).message).toMatch(new RegExp(`protected by ${what}, which the local gateway does not emulate yet: it is refused rather than served open`));
    }
    expect(log.join('\n')).toMatch(/4 protected method\(s\) are refused \(501\).*GET \/token \(a Lambda authorizer\)/);
  } finally {
    await gateway.stop();
  }
});

test('--skip-auth serves them open, on purpose, with a warning', async () => {
  const log: string[] = [];
  const gateway = LocalStreamingGateway.fromAssembly(dir, { port: 0, accessLog: () => undefined, log: (m) => log.push(m), skipAuth: true });
  const url = await gateway.start();
  try {
    expect(await (await fetch(`${url}/prod/token`)).text()).toBe('streamed');
    expect(log.join('\n')).toMatch(/warning: --skip-auth: 4 protected method\(s\) are served OPEN, without their protection/);
  } finally {
    await gateway.stop();
  }
});
