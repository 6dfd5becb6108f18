import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { StreamingRestApi } from '../../src';
import { expectStreamingRoute, restApiRoutes, streamingRoutes } from '../../testing';

// The assertions users run over their own stacks: they pass on what our constructs build and
// fail, naming each problem, on what would not stream once deployed.

function newStack(): Stack {
  return new Stack(new App(), 'Users', { env: { account: '123456789012', region: 'eu-west-1' } });
}
function fn(stack: Stack, id = 'Fn'): lambda.Function {
  return new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromAsset(path.join(__dirname, '..', 'fixtures')),
  });
}
/** The template of a StreamingRestApi with a streamed Lambda route and a streamed HTTP route. */
function streamingTemplate(): Record<string, any> {
  const stack = newStack();
  const api = new StreamingRestApi(stack, 'Api');
  api.addStreamingLambda('/v1/chat/{id}', fn(stack), { httpMethod: 'POST', timeout: Duration.minutes(10) });
  api.addStreamingHttpProxy('/files/{proxy+}', 'https://files.example.com/{proxy}', { httpMethod: 'GET' });
  return Template.fromStack(stack).toJSON();
}
const methods = (t: Record<string, any>) => Object.values<any>(t.Resources).filter((r) => r.Type === 'AWS::ApiGateway::Method');
const withoutPermissions = (t: Record<string, any>) => ({
  ...t, Resources: Object.fromEntries(Object.entries<any>(t.Resources).filter(([, r]) => r.Type !== 'AWS::Lambda::Permission')),
});

test('a streamed Lambda route passes and reports its function, timeout and permissions', () => {
  const template = streamingTemplate();
  const route = expectStreamingRoute(template, 'post', 'v1/chat/{id}', { timeoutMs: 600_000, integrationType: 'AWS_PROXY' });
  expect(route).toMatchObject({ httpMethod: 'POST', path: '/v1/chat/{id}', integrationType: 'AWS_PROXY', responseTransferMode: 'STREAM', timeoutMs: 600_000 });
  expect(route.functionArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Fn/), 'Arn'] });
  // The stage's permission and the console test-invoke's.
  expect(route.permissions).toHaveLength(2);
});

test('a streamed HTTP proxy route passes, and accepts a Template as well as JSON', () => {
  const stack = newStack();
  new StreamingRestApi(stack, 'Api').addStreamingHttpProxy('/files/{proxy+}', 'https://files.example.com/{proxy}', { httpMethod: 'GET' });
  expect(expectStreamingRoute(Template.fromStack(stack), 'GET', '/files/{proxy+}').permissions).toEqual([]);
});

test('routes and streaming routes are listed with their paths', () => {
  const stack = newStack();
  const api = new StreamingRestApi(stack, 'Api');
  api.addStreamingLambda('/chat', fn(stack), { httpMethod: 'POST' });
  api.root.addResource('health').addMethod('GET', new apigateway.MockIntegration());
  const template = Template.fromStack(stack);
  expect(restApiRoutes(template).map((r) => `${r.httpMethod} ${r.path}`)).toEqual(['POST /chat', 'GET /health']);
  expect(streamingRoutes(template).map((r) => `${r.httpMethod} ${r.path}`)).toEqual(['POST /chat']);
});

test('a classic buffered Lambda route fails with every problem named', () => {
  // GIVEN a plain RestApi with the classic Lambda integration
  const stack = newStack();
  const api = new apigateway.RestApi(stack, 'Api');
  api.root.addResource('chat').addMethod('POST', new apigateway.LambdaIntegration(fn(stack)));
  // THEN
  let message = '';
  try {
    expectStreamingRoute(Template.fromStack(stack), 'POST', '/chat');
  } catch (e) {
    message = (e as Error).message;
  }
  expect(message).toMatch(/^expectStreamingRoute: POST \/chat does not stream:/);
  expect(message).toContain('ResponseTransferMode is not set (BUFFERED), not STREAM');
  expect(message).toMatch(/the Lambda URI is .*2015-03-31\/functions\/.*\/invocations, not the streaming one/);
  // The classic route's permission is there: it is not reported.
  expect(message).not.toContain('AWS::Lambda::Permission');
});

test('a streamed Lambda route without a permission for API Gateway fails', () => {
  expect(() => expectStreamingRoute(withoutPermissions(streamingTemplate()), 'POST', '/v1/chat/{id}'))
    .toThrow(/no AWS::Lambda::Permission lets apigateway.amazonaws.com call lambda:InvokeFunction on the function for this route/);
});

test('a permission for another route, action or function does not count', () => {
  const base = streamingTemplate();
  for (const change of [
    (p: any) => { p.SourceArn['Fn::Join'][1][p.SourceArn['Fn::Join'][1].length - 1] = '/GET/other/*'; },
    (p: any) => { p.Action = 'lambda:InvokeWithResponseStream'; },
    (p: any) => { p.FunctionName = { 'Fn::GetAtt': ['Other', 'Arn'] }; },
  ]) {
    const t = JSON.parse(JSON.stringify(base));
    Object.values<any>(t.Resources).filter((r) => r.Type === 'AWS::Lambda::Permission').forEach((r) => change(r.Properties));
    expect(() => expectStreamingRoute(t, 'POST', '/v1/chat/{id}')).toThrow(/no AWS::Lambda::Permission/);
  }
});

test('a wildcard permission for every method and path counts', () => {
  const t = withoutPermissions(streamingTemplate());
  t.Resources.Wildcard = {
    Type: 'AWS::Lambda::Permission',
    Properties: {
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
      FunctionName: expectStreamingRoute(streamingTemplate(), 'POST', '/v1/chat/{id}').functionArn,
      SourceArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':execute-api:eu-west-1:123456789012:', { Ref: 'Api' }, '/*/*']] },
    },
  };
  expect(expectStreamingRoute(t, 'POST', '/v1/chat/{id}').permissions).toEqual(['Wildcard']);
});

test('a timeout other than the expected one, or beyond 15 minutes, fails', () => {
  expect(() => expectStreamingRoute(streamingTemplate(), 'POST', '/v1/chat/{id}', { timeoutMs: 900_000 }))
    .toThrow('TimeoutInMillis is 600000, not 900000');
  const t = streamingTemplate();
  methods(t).forEach((m) => { m.Properties.Integration.TimeoutInMillis = 1_000_000; });
  expect(() => expectStreamingRoute(t, 'GET', '/files/{proxy+}')).toThrow('TimeoutInMillis is 1000000: a streamed route allows 50 to 900000');
});

test('the expected integration type is checked', () => {
  expect(() => expectStreamingRoute(streamingTemplate(), 'GET', '/files/{proxy+}', { integrationType: 'AWS_PROXY' }))
    .toThrow('integration type is HTTP_PROXY, not AWS_PROXY');
});

test('a missing route fails and lists the routes there are', () => {
  expect(() => expectStreamingRoute(streamingTemplate(), 'GET', '/v1/chat/{id}'))
    .toThrow(/no method GET \/v1\/chat\/\{id\}; routes in the template:\n {2}GET {5}\/files\/\{proxy\+\} {2}HTTP_PROXY STREAM\n {2}POST {4}\/v1\/chat\/\{id\} {2}AWS_PROXY STREAM/);
});

test('the same route in two APIs needs the API named', () => {
  const stack = newStack();
  const handler = fn(stack);
  new StreamingRestApi(stack, 'One').addStreamingLambda('/chat', handler, { httpMethod: 'POST' });
  new StreamingRestApi(stack, 'Two').addStreamingLambda('/chat', handler, { httpMethod: 'POST' });
  const template = Template.fromStack(stack);
  expect(() => expectStreamingRoute(template, 'POST', '/chat')).toThrow(/exists in 2 REST APIs .*pass \{ restApi \}/);
  const two = restApiRoutes(template).find((r) => r.restApi?.startsWith('Two'))!.restApi!;
  expect(expectStreamingRoute(template, 'POST', '/chat', { restApi: two }).restApi).toBe(two);
});
