import { Annotations, CfnParameter, Duration, Size } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Extra, fn, Path, streamedMethod, synthError, validatedStack, warnings } from './support';
import { StreamingRestApi, StreamingWarnings, StreamingWebAppFunction } from '../../src';
import { newStack } from '../support/stacks';

// Rule table: for every rule, a compliant and a non-compliant case through each construction path
// that can reach it. Messages name the construct path, the method, the property, the value, the fix.

const ALL: Path[] = ['StreamingRestApi', 'RestApi', 'CfnMethod', 'SpecRestApi'];
const L1: Path[] = ['CfnMethod', 'SpecRestApi'];

function check(path: Path, integration: Extra, apiProps?: apigateway.RestApiProps) {
  const { app, stack } = validatedStack();
  streamedMethod(stack, path, { integration, apiProps });
  return { error: synthError(app), stack };
}

describe.each(ALL)('through %s', (path) => {
  test('a compliant streamed method synthesizes without errors or streaming warnings', () => {
    const { error, stack } = check(path, {});
    expect(error).toBeUndefined();
    expect(warnings(stack, 'cdk-streaming-rest-api:')).toEqual([]);
  });

  test('VTL response transformation is an error', () => {
    const { error } = check(path, { integrationResponses: [{ statusCode: '200', responseTemplates: { 'application/json': '$input.body' } }] });
    expect(error).toMatch(/POST \/chat (Integration.IntegrationResponses|x-amazon-apigateway-integration.responses): .* transform the response .*Fix: remove the integration responses/);
  });

  test('cache key parameters and a cache namespace are errors', () => {
    const { error } = check(path, { cacheKeyParameters: ['method.request.querystring.q'], cacheNamespace: 'ns' });
    expect(error).toMatch(/(Integration.CacheKeyParameters|x-amazon-apigateway-integration.cacheKeyParameters): \["method.request.querystring.q"\] configures caching/);
    expect(error).toMatch(/CacheNamespace|cacheNamespace/);
  });

  test('stage caching that covers the method (the /*/* wildcard) is an error', () => {
    const { error } = check(path, {}, { deployOptions: { cachingEnabled: true, cacheClusterEnabled: true } });
    expect(error).toMatch(/MethodSettings\[resourcePath=\/\*, httpMethod=\*\].CachingEnabled: true enables caching for the streamed method POST \/chat/);
    expect(error).toMatch(/Fix: disable caching for it with deployOptions.methodOptions\['\/chat\/POST'\] = \{ cachingEnabled: false \} \(CloudFormation: MethodSettings \{ ResourcePath: '\/~1chat', HttpMethod: 'POST'/);
  });

  test('stage caching on another path is fine; on this exact path it is an error', () => {
    const other = check(path, {}, { deployOptions: { methodOptions: { '/other/GET': { cachingEnabled: true } } } });
    expect(other.error).toBeUndefined();
    const exact = check(path, {}, { deployOptions: { methodOptions: { '/chat/POST': { cachingEnabled: true } } } });
    expect(exact.error).toMatch(/resourcePath=\/~1chat, httpMethod=POST\]\.CachingEnabled/);
  });

  test('stage-wide caching with the fix the message names (caching off for the method) is fine', () => {
    const fixed = check(path, {}, { deployOptions: { cachingEnabled: true, cacheClusterEnabled: true, methodOptions: { '/chat/POST': { cachingEnabled: false } } } });
    expect(fixed.error).toBeUndefined();
    const pathWide = check(path, {}, { deployOptions: { cachingEnabled: true, methodOptions: { '/chat/*': { cachingEnabled: false } } } });
    expect(pathWide.error).toBeUndefined();
    const otherMethodOff = check(path, {}, { deployOptions: { cachingEnabled: true, methodOptions: { '/chat/GET': { cachingEnabled: false } } } });
    expect(otherMethodOff.error).toMatch(/resourcePath=\/\*, httpMethod=\*\]\.CachingEnabled: true enables caching for the streamed method POST \/chat/);
  });

  test('content encoding (minCompressionSize) is an error', () => {
    const { error } = check(path, {}, { minCompressionSize: Size.bytes(1024) });
    expect(error).toMatch(/MinimumCompressionSize \(RestApi props minCompressionSize \/ minimumCompressionSize\): 1024 turns on content encoding.*POST \/chat.*Fix: remove minCompressionSize/);
  });

  test.each([[49], [900001]])('a timeout of %d ms is an error', (timeoutInMillis) => {
    if (path === 'StreamingRestApi' || path === 'RestApi') {
      // The L2 refuses below 50 ms itself; above 15 minutes reaches the validator.
      if (timeoutInMillis < 50) return;
    }
    const { error } = check(path, { timeoutInMillis });
    expect(error).toMatch(new RegExp(`(Integration.TimeoutInMillis|x-amazon-apigateway-integration.timeoutInMillis): ${timeoutInMillis} is outside 50..900000 ms`));
  });

  test('an EDGE endpoint is a warning with a stable id, which can be acknowledged', () => {
    const { app, stack } = validatedStack();
    streamedMethod(stack, path, { apiProps: { endpointTypes: [apigateway.EndpointType.EDGE] } });
    expect(synthError(app)).toBeUndefined();
    expect(warnings(stack, StreamingWarnings.EDGE_ENDPOINT).join()).toMatch(/EndpointConfiguration.Types: \["EDGE"\] makes an edge-optimized endpoint, which cuts a stream that is idle for 30 seconds/);

    const acknowledged = validatedStack();
    streamedMethod(acknowledged.stack, path, { apiProps: { endpointTypes: [apigateway.EndpointType.EDGE] } });
    Annotations.of(acknowledged.stack).acknowledgeWarning(StreamingWarnings.EDGE_ENDPOINT, 'clients send a heartbeat');
    expect(synthError(acknowledged.app)).toBeUndefined();
    expect(warnings(acknowledged.stack, StreamingWarnings.EDGE_ENDPOINT)).toEqual([]);
  });
});

describe.each(L1)('through %s only (the L2 refuses these)', (path) => {
  test('STREAM on a non-proxy integration is an error', () => {
    const { error } = check(path, { type: 'AWS' });
    expect(error).toMatch(/(Integration.Type|x-amazon-apigateway-integration.type): 'AWS' cannot stream: only AWS_PROXY \(Lambda proxy\) and HTTP_PROXY/);
  });

  test('the classic Lambda invocation URI is an error', () => {
    const { error } = check(path, { uri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:f/invocations' });
    expect(error).toMatch(/Uri|uri/);
    expect(error).toMatch(/is the classic Lambda invocation URI, which API Gateway rejects for STREAM. Fix: use arn:<partition>:apigateway:<region>:lambda:path\/2021-11-15/);
  });

  test('a version-qualified function ARN is a warning (unverified)', () => {
    const { app, stack } = validatedStack();
    streamedMethod(stack, path, { integration: { uri: 'arn:aws:apigateway:us-east-1:lambda:path/2021-11-15/functions/arn:aws:lambda:us-east-1:123456789012:function:f:live/response-streaming-invocations' } });
    expect(synthError(app)).toBeUndefined();
    expect(warnings(stack, StreamingWarnings.QUALIFIED_ARN).join()).toMatch(/reported not to stream \(unverified\)/);
  });
});

describe('function rules', () => {
  test('a function timeout shorter than the integration timeout is a warning on the function', () => {
    const { app, stack } = validatedStack();
    const short = fn(stack, 'Short', { timeout: Duration.seconds(30) });
    new StreamingRestApi(stack, 'Api').addStreamingLambda('/chat', short, { httpMethod: 'POST' });
    expect(synthError(app)).toBeUndefined();
    expect(warnings(stack, StreamingWarnings.FUNCTION_TIMEOUT).join()).toMatch(/\[V\/Short\/Resource\] Timeout: 30 seconds is shorter than the integration timeout of POST \/chat \(900000 ms\).*Fix: raise the function timeout to 900 s/);
  });

  test('a long enough function timeout gives no warning', () => {
    const { app, stack } = validatedStack();
    new StreamingRestApi(stack, 'Api').addStreamingLambda('/chat', fn(stack), { httpMethod: 'POST' });
    app.synth();
    expect(warnings(stack, StreamingWarnings.FUNCTION_TIMEOUT)).toEqual([]);
  });

  test('a Python function without the Lambda Web Adapter is a warning; with StreamingWebAppFunction it is not', () => {
    const { app, stack } = validatedStack();
    const python = fn(stack, 'Py', { runtime: lambda.Runtime.PYTHON_3_13, handler: 'app.handler' });
    const adapted = new StreamingWebAppFunction(stack, 'Web', { code: lambda.Code.fromInline('x') });
    const api = new StreamingRestApi(stack, 'Api');
    api.addStreamingLambda('/py', python, { httpMethod: 'POST' });
    api.addStreamingLambda('/web', adapted, { httpMethod: 'POST' });
    app.synth();
    const found = warnings(stack, StreamingWarnings.NON_NODE_RUNTIME);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/\[V\/Py\/Resource\] Runtime: 'python3.13' cannot stream natively.*Fix: use StreamingWebAppFunction/);
  });

  test('an alias as the integration target is a warning', () => {
    const { app, stack } = validatedStack();
    const alias = new lambda.Alias(stack, 'Live', { aliasName: 'live', version: fn(stack).currentVersion });
    new StreamingRestApi(stack, 'Api').addStreamingLambda('/chat', alias, { httpMethod: 'POST' });
    app.synth();
    expect(warnings(stack, StreamingWarnings.QUALIFIED_ARN)).toHaveLength(1);
  });
});

describe('buffered methods', () => {
  test('a buffered method above 29 s is a warning; at 29 s it is not', () => {
    const { app, stack } = validatedStack();
    const api = new apigateway.RestApi(stack, 'Api', { endpointTypes: [apigateway.EndpointType.REGIONAL] });
    api.root.addResource('slow').addMethod('GET', new apigateway.LambdaIntegration(fn(stack), { timeout: Duration.seconds(60) }));
    api.root.addResource('ok').addMethod('GET', new apigateway.LambdaIntegration(fn(stack, 'Fn2'), { timeout: Duration.seconds(29) }));
    expect(synthError(app)).toBeUndefined();
    const found = warnings(stack, StreamingWarnings.BUFFERED_TIMEOUT);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/GET \/slow Integration.TimeoutInMillis: 60000 is above 29000 ms on a buffered method/);
  });

  test('buffered methods are not judged by the streaming rules', () => {
    const { app, stack } = validatedStack();
    const api = new apigateway.RestApi(stack, 'Api', { minCompressionSize: Size.bytes(0), deployOptions: { cachingEnabled: true } });
    api.root.addMethod('GET', new apigateway.LambdaIntegration(fn(stack), { integrationResponses: [{ statusCode: '200' }], proxy: false }));
    expect(synthError(app)).toBeUndefined();
  });
});

describe('the validator itself', () => {
  test('StreamingRestApi applies it without being asked', () => {
    const { app, stack } = newStack({ id: 'S', region: null });
    new StreamingRestApi(stack, 'Api', { minCompressionSize: Size.kibibytes(1) }).addStreamingLambda('/chat', fn(stack));
    expect(synthError(app)).toMatch(/\[S\/Api\/Resource\] MinimumCompressionSize/);
  });

  test('applied twice (StreamingRestApi and app-wide), each problem is reported once', () => {
    const { app, stack } = validatedStack();
    new StreamingRestApi(stack, 'Api', { minCompressionSize: Size.kibibytes(1) }).addStreamingLambda('/chat', fn(stack));
    const error = synthError(app)!;
    expect(error.match(/MinimumCompressionSize/g)).toHaveLength(1);
  });

  test('all problems are reported together', () => {
    const { app, stack } = validatedStack();
    streamedMethod(stack, 'CfnMethod', { integration: { timeoutInMillis: 1_000_000, cacheNamespace: 'x', type: 'HTTP' } });
    const error = synthError(app)!;
    expect(error).toMatch(/TimeoutInMillis/);
    expect(error).toMatch(/CacheNamespace/);
    expect(error).toMatch(/Integration.Type/);
  });

  test('tokens are not judged on their value', () => {
    const { app, stack } = validatedStack();
    const api = new apigateway.RestApi(stack, 'Api', { endpointTypes: [apigateway.EndpointType.REGIONAL] });
    api.root.addMethod('GET');
    const timeout = new CfnParameter(stack, 'Timeout', { type: 'Number' });
    new apigateway.CfnMethod(stack, 'Raw', {
      restApiId: api.restApiId,
      resourceId: api.root.addResource('chat').resourceId,
      httpMethod: 'POST',
      authorizationType: 'NONE',
      integration: { type: 'AWS_PROXY', responseTransferMode: 'STREAM', timeoutInMillis: timeout.valueAsNumber, uri: 'arn:aws:apigateway:us-east-1:lambda:path/2021-11-15/functions/x/response-streaming-invocations' },
    });
    expect(synthError(app)).toBeUndefined();
  });

  test('warnings can be switched off', () => {
    const { app, stack } = newStack({ id: 'S', region: null, validator: { warnings: false } });
    const api = new apigateway.RestApi(stack, 'Api');
    api.root.addMethod('GET', new apigateway.LambdaIntegration(fn(stack), { responseTransferMode: apigateway.ResponseTransferMode.STREAM }));
    app.synth();
    expect(warnings(stack, 'cdk-streaming-rest-api:')).toEqual([]);
  });
});
