import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { StreamingAccessLogFormat, StreamingRestApi } from '../src';
import { inlineFunction, newStack } from './support/stacks';

const STREAMING_URI = Match.objectLike({
  'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('lambda:path/2021-11-15/functions/$'), '/response-streaming-invocations'])],
});

describe('StreamingRestApi defaults', () => {
  test('a route added with only a path and a function gets everything streaming needs', () => {
    // GIVEN
    const { stack } = newStack();
    const fn = inlineFunction(stack, 'Fn');
    // WHEN
    const api = new StreamingRestApi(stack, 'Api');
    api.addStreamingLambda('/chat', fn);
    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'ANY',
      Integration: {
        Type: 'AWS_PROXY',
        IntegrationHttpMethod: 'POST',
        ResponseTransferMode: 'STREAM',
        TimeoutInMillis: 900000,
        Uri: STREAMING_URI,
      },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Fn'), 'Arn'] },
      SourceArn: { 'Fn::Join': ['', Match.arrayWith(['/*/chat'])] },
    });
    const json = JSON.stringify(template.toJSON());
    expect(json).not.toContain('2015-03-31');
  });

  test('the endpoint is Regional', () => {
    const { stack } = newStack();
    new StreamingRestApi(stack, 'Api').root.addMethod('GET');
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::RestApi', {
      EndpointConfiguration: { Types: ['REGIONAL'] },
    });
  });

  test('access logs go in JSON with the three streaming fields to a log group the API owns', () => {
    // GIVEN
    const { stack } = newStack();
    // WHEN
    const api = new StreamingRestApi(stack, 'Api');
    api.root.addMethod('GET');
    // THEN
    const template = Template.fromStack(stack);
    expect(api.accessLogGroup).toBeDefined();
    expect(api.accessLogGroup!.node.path).toBe('TestStack/Api/AccessLogs');
    template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain', Properties: { RetentionInDays: 30 } });
    const stage = Object.values(template.findResources('AWS::ApiGateway::Stage'))[0];
    expect(stage.Properties.AccessLogSetting.DestinationArn['Fn::GetAtt'][0]).toMatch(/^ApiAccessLogs/);
    const format = JSON.parse(stage.Properties.AccessLogSetting.Format);
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      status: '$context.status',
      responseTransferMode: '$context.integration.responseTransferMode',
      timeToAllHeaders: '$context.integration.timeToAllHeaders',
      timeToFirstContent: '$context.integration.timeToFirstContent',
    });
    template.resourceCountIs('AWS::ApiGateway::Account', 1);
  });

  test('the HTTP proxy route streams with HTTP_PROXY and passes the client method through', () => {
    const { stack } = newStack();
    const api = new StreamingRestApi(stack, 'Api');
    api.addStreamingHttpProxy('/events', 'https://backend.example.com/events');
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'ANY',
      Integration: {
        Type: 'HTTP_PROXY',
        IntegrationHttpMethod: 'ANY',
        ResponseTransferMode: 'STREAM',
        TimeoutInMillis: 900000,
        Uri: 'https://backend.example.com/events',
        RequestParameters: Match.absent(),
      },
      RequestParameters: Match.absent(),
    });
  });
});

describe('StreamingRestApi options', () => {
  test('user choices win: EDGE endpoint, own log destination and format, retention', () => {
    // GIVEN
    const { stack } = newStack();
    const own = new logs.LogGroup(stack, 'Own');
    // WHEN
    const api = new StreamingRestApi(stack, 'Api', {
      endpointTypes: [apigateway.EndpointType.EDGE],
      deployOptions: {
        accessLogDestination: new apigateway.LogGroupLogDestination(own),
        accessLogFormat: apigateway.AccessLogFormat.clf(),
      },
    });
    api.root.addMethod('GET');
    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['EDGE'] } });
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      AccessLogSetting: {
        DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Own'), 'Arn'] },
        Format: Match.stringLikeRegexp('^\\$context.identity.sourceIp'),
      },
    });
    expect(api.accessLogGroup).toBeUndefined();
    template.resourceCountIs('AWS::Logs::LogGroup', 1);
  });

  test('a user format without a destination is written to the created group', () => {
    const { stack } = newStack();
    const api = new StreamingRestApi(stack, 'Api', {
      accessLogRetention: logs.RetentionDays.ONE_WEEK,
      accessLogRemovalPolicy: RemovalPolicy.DESTROY,
      deployOptions: { accessLogFormat: StreamingAccessLogFormat.jsonWithStreamingFields({ extraFields: { apiKeyId: '$context.identity.apiKeyId' } }) },
    });
    api.root.addMethod('GET');
    const template = Template.fromStack(stack);
    template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete', Properties: { RetentionInDays: 7 } });
    const stage = Object.values(template.findResources('AWS::ApiGateway::Stage'))[0];
    expect(JSON.parse(stage.Properties.AccessLogSetting.Format)).toMatchObject({
      apiKeyId: '$context.identity.apiKeyId',
      timeToFirstContent: '$context.integration.timeToFirstContent',
    });
  });

  test('deploy: false creates no stage and no log group', () => {
    const { stack } = newStack();
    const api = new StreamingRestApi(stack, 'Api', { deploy: false });
    api.root.addMethod('GET');
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ApiGateway::Stage', 0);
    template.resourceCountIs('AWS::Logs::LogGroup', 0);
    expect(api.accessLogGroup).toBeUndefined();
  });

  test('PRIVATE endpoints and an explicit cloudWatchRole: false are honoured', () => {
    const { stack } = newStack();
    const api = new StreamingRestApi(stack, 'Api', { endpointTypes: [apigateway.EndpointType.PRIVATE], cloudWatchRole: false });
    api.root.addMethod('GET');
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['PRIVATE'] } });
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
  });

  test('streamingTimeout applies to routes; a route timeout overrides it', () => {
    // GIVEN
    const { stack } = newStack();
    const fn = inlineFunction(stack, 'Fn');
    const api = new StreamingRestApi(stack, 'Api', { streamingTimeout: Duration.minutes(5) });
    // WHEN
    api.addStreamingLambda('/a', fn, { httpMethod: 'POST' });
    api.addStreamingLambda('/b', fn, { httpMethod: 'GET', timeout: Duration.seconds(90) });
    api.addStreamingHttpProxy('/c', 'http://backend.example.com/c', { httpMethod: 'GET' });
    // THEN
    const template = Template.fromStack(stack);
    const timeouts = Object.values(template.findResources('AWS::ApiGateway::Method')).map((m) => m.Properties.Integration.TimeoutInMillis).sort();
    expect(timeouts).toEqual([300000, 300000, 90000].sort());
    expect(api.streamingTimeout.toMinutes()).toBe(5);
  });

  test('nested paths are created once and existing resources reused', () => {
    // GIVEN
    const { stack } = newStack();
    const fn = inlineFunction(stack, 'Fn');
    const api = new StreamingRestApi(stack, 'Api');
    const v1 = api.root.addResource('v1');
    // WHEN
    const post = api.addStreamingLambda('/v1/chat/{id}', fn, { httpMethod: 'POST' });
    const get = api.addStreamingLambda('/v1/chat/{id}', fn, { httpMethod: 'GET' });
    // THEN
    expect(post.resource).toBe(get.resource);
    expect(post.resource.parentResource?.parentResource).toBe(v1);
    expect(post.resource.path).toBe('/v1/chat/{id}');
    Template.fromStack(stack).resourceCountIs('AWS::ApiGateway::Resource', 3);
  });

  test('the root path is accepted', () => {
    const { stack } = newStack();
    const api = new StreamingRestApi(stack, 'Api');
    const method = api.addStreamingLambda('/', inlineFunction(stack, 'Fn'), { httpMethod: 'GET' });
    expect(method.resource).toBe(api.root);
  });

  test('method options reach the method: authorizer, API key, operation name', () => {
    // GIVEN
    const { stack } = newStack();
    const fn = inlineFunction(stack, 'Fn');
    const authFn = inlineFunction(stack, 'AuthFn');
    const api = new StreamingRestApi(stack, 'Api');
    const authorizer = new apigateway.TokenAuthorizer(stack, 'Auth', { handler: authFn });
    // WHEN
    api.addStreamingLambda('/chat', fn, { httpMethod: 'POST', authorizer, apiKeyRequired: true, operationName: 'Chat', allowTestInvoke: false });
    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      AuthorizationType: 'CUSTOM',
      ApiKeyRequired: true,
      OperationName: 'Chat',
      Integration: { ResponseTransferMode: 'STREAM' },
    });
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission'))
      .map((p) => JSON.stringify(p.Properties.SourceArn))
      .filter((arn) => arn.includes('/POST/chat'));
    expect(permissions).toHaveLength(1);
    expect(permissions[0]).not.toContain('test-invoke-stage');
  });

  test('path parameters shared by route and URL are mapped to the backend', () => {
    const { stack } = newStack();
    const api = new StreamingRestApi(stack, 'Api');
    api.addStreamingHttpProxy('/files/{proxy+}', 'https://files.example.com/{proxy}', {
      httpMethod: 'GET',
      integrationRequestParameters: { 'integration.request.header.x-origin': "'gateway'" },
    });
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Method', {
      RequestParameters: { 'method.request.path.proxy': true },
      Integration: {
        RequestParameters: {
          'integration.request.path.proxy': 'method.request.path.proxy',
          'integration.request.header.x-origin': "'gateway'",
        },
      },
    });
  });

  test('a private backend goes through the VPC link', () => {
    // GIVEN
    const { stack } = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0 });
    const nlb = new elbv2.NetworkLoadBalancer(stack, 'Nlb', { vpc });
    const vpcLink = new apigateway.VpcLink(stack, 'Link', { targets: [nlb] });
    const api = new StreamingRestApi(stack, 'Api');
    // WHEN
    api.addStreamingHttpProxy('/private', 'http://backend.internal/stream', { httpMethod: 'GET', vpcLink });
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Method', {
      Integration: {
        Type: 'HTTP_PROXY',
        ConnectionType: 'VPC_LINK',
        ConnectionId: { Ref: Match.stringLikeRegexp('^Link') },
        ResponseTransferMode: 'STREAM',
        Uri: 'http://backend.internal/stream',
      },
    });
  });
});

describe('StreamingRestApi input errors', () => {
  test.each([
    ['above 15 minutes', Duration.minutes(16), /\[TestStack\/Api\] streamingTimeout: '16 minutes' is outside .*50 ms to 15 minutes.*Fix: use a duration between/],
    ['below 50 ms', Duration.millis(10), /\[TestStack\/Api\] streamingTimeout: '10 millis' is outside/],
  ])('streamingTimeout %s is rejected', (_name, timeout, message) => {
    const { stack } = newStack();
    expect(() => new StreamingRestApi(stack, 'Api', { streamingTimeout: timeout })).toThrow(message);
  });

  test('a route timeout out of range names the route', () => {
    const { stack } = newStack();
    const api = new StreamingRestApi(stack, 'Api');
    expect(() => api.addStreamingLambda('/chat', inlineFunction(stack, 'Fn'), { timeout: Duration.minutes(20) }))
      .toThrow(/\[TestStack\/Api\] route '\/chat' timeout: '20 minutes' is outside/);
  });

  test.each([
    ['chat', /path: 'chat' does not start with '\/'. Fix: write '\/chat'/],
    ['/chat/', /path: '\/chat\/' ends with '\/'. Fix: write '\/chat'/],
    ['/a//b', /path: '\/a\/\/b' has an empty segment/],
    ['/a b', /path: '\/a b' has an invalid segment 'a b'. Fix: use letters, digits/],
    ['/{proxy+}/x', /has the greedy parameter '\{proxy\+\}' before the last segment/],
    ['/{bad', /has an invalid segment '\{bad'/],
  ])('the malformed path %s is rejected', (path, message) => {
    const { stack } = newStack();
    const api = new StreamingRestApi(stack, 'Api');
    expect(() => api.addStreamingLambda(path, inlineFunction(stack, 'Fn'))).toThrow(message);
  });

  test.each([
    ['ftp://backend.example.com/x'],
    ['backend.example.com/x'],
    ['https://'],
    ['not a url'],
  ])('the invalid backend URL %s is rejected', (url) => {
    const { stack } = newStack();
    const api = new StreamingRestApi(stack, 'Api');
    expect(() => api.addStreamingHttpProxy('/x', url)).toThrow(/\[TestStack\/Api\] addStreamingHttpProxy\(url\): .* is not an absolute http:\/\/ or https:\/\/ URL/);
  });

  test('the backend URL is checked once, by the integration, and reported at the API', () => {
    const { stack } = newStack();
    const api = new StreamingRestApi(stack, 'Api');
    const urls = jest.requireActual('../src/private/urls');
    const spy = jest.spyOn(urls, 'checkHttpUrl');
    try {
      api.addStreamingHttpProxy('/ok', 'https://backend.example.com/x');
      expect(spy).toHaveBeenCalledTimes(1);
      expect(() => api.addStreamingHttpProxy('/bad', 'backend.example.com')).toThrow(/^\[TestStack\/Api\] addStreamingHttpProxy\(url\): 'backend.example.com'/);
      expect(spy).toHaveBeenCalledTimes(2);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('StreamingRestApi operational defaults', () => {
  test('execution logging, stage throttling and a request validator used by the helper routes', () => {
    // GIVEN
    const { stack } = newStack();
    const api = new StreamingRestApi(stack, 'Api');
    // WHEN
    api.addStreamingLambda('/chat', inlineFunction(stack, 'Fn'), { httpMethod: 'POST' });
    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([Match.objectLike({
        HttpMethod: '*',
        ResourcePath: '/*',
        LoggingLevel: 'ERROR',
        ThrottlingRateLimit: 1000,
        ThrottlingBurstLimit: 2000,
      })]),
    });
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true, ValidateRequestParameters: true });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      RequestValidatorId: { Ref: Match.stringLikeRegexp('^ApiRequestValidator') },
    });
  });

  test('user stage settings and a route validator win', () => {
    // GIVEN
    const { stack } = newStack();
    const api = new StreamingRestApi(stack, 'Api', {
      deployOptions: { loggingLevel: apigateway.MethodLoggingLevel.INFO, throttlingRateLimit: 5, throttlingBurstLimit: 10 },
    });
    // WHEN
    api.addStreamingHttpProxy('/a', 'https://a.example.com', { requestValidatorOptions: { validateRequestParameters: true } });
    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([Match.objectLike({ LoggingLevel: 'INFO', ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 })]),
    });
    template.resourceCountIs('AWS::ApiGateway::RequestValidator', 2);
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      RequestValidatorId: { Ref: Match.not(Match.stringLikeRegexp('^ApiRequestValidator')) },
    });
  });
});

test('adding the same method to a path twice says so', () => {
  const { stack } = newStack();
  const api = new StreamingRestApi(stack, 'Api');
  const fn = inlineFunction(stack, 'Fn');
  api.addStreamingLambda('/chat', fn, { httpMethod: 'post' });
  expect(() => api.addStreamingHttpProxy('/chat', 'https://x.example.com', { httpMethod: 'POST' }))
    .toThrow(/\[TestStack\/Api\] route: 'POST \/chat' already exists. Fix: add each method of a path once/);
});
