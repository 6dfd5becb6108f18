import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, NestedStack, Size, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { fn, synthError, validatedStack, warnings } from './support';
import { StreamingErrors, StreamingLambdaIntegration, StreamingRestApi, StreamingWarnings } from '../../src';
import { newStack, TEST_ENV } from '../support/stacks';

// Issue #13: the validator judges what will deploy. Each route a streamed method can take into
// the template gets a compliant and a non-compliant case.

const STREAMING_URI = (f: lambda.IFunction, region: string) =>
  `arn:aws:apigateway:${region}:lambda:path/2021-11-15/functions/${f.functionArn}/response-streaming-invocations`;

/** A buffered L2 method switched to STREAM with overrides, the way AWS's own CDK sample does it. */
function escapeHatchStack(stack: Stack, extra: (method: apigateway.CfnMethod) => void = () => {}) {
  const handler = fn(stack, 'StreamFn', { timeout: Duration.minutes(5) });
  const api = new apigateway.RestApi(stack, 'StreamApi', { deployOptions: { stageName: 'prod' } });
  const method = api.root.addResource('chat').addMethod('POST', new apigateway.LambdaIntegration(handler, { timeout: Duration.minutes(5) }));
  const cfn = method.node.defaultChild as apigateway.CfnMethod;
  cfn.addPropertyOverride('Integration.Uri', STREAMING_URI(handler, stack.region));
  cfn.addPropertyOverride('Integration.ResponseTransferMode', 'STREAM');
  cfn.addPropertyOverride('Integration.TimeoutInMillis', 300000);
  extra(cfn);
  return { api, method };
}

describe('escape hatch (addPropertyOverride / addOverride)', () => {
  test('compliant: a method streamed by overrides gets no BUFFERED_TIMEOUT warning, and the EDGE warning', () => {
    const { app, stack } = validatedStack();
    escapeHatchStack(stack);
    expect(synthError(app)).toBeUndefined();
    expect(warnings(stack, StreamingWarnings.BUFFERED_TIMEOUT)).toEqual([]);
    const edge = warnings(stack, StreamingWarnings.EDGE_ENDPOINT);
    expect(edge).toHaveLength(1);
    expect(edge[0]).toMatch(/^\[V\/StreamApi\/Resource\] EndpointConfiguration.Types: \["EDGE \(the default\)"\] makes an edge-optimized endpoint.*POST \/chat/);
  });

  test('non-compliant: an override that adds a response template, cache keys or a bad timeout is judged', () => {
    const { app, stack } = validatedStack();
    escapeHatchStack(stack, (cfn) => {
      cfn.addOverride('Properties.Integration.IntegrationResponses', [{ StatusCode: '200', ResponseTemplates: { 'application/json': '$input.body' } }]);
      cfn.addPropertyOverride('Integration.CacheKeyParameters', ['method.request.header.x']);
      cfn.addPropertyOverride('Integration.TimeoutInMillis', 1_000_000);
    });
    const error = synthError(app)!;
    expect(error).toMatch(/\[V\/StreamApi\/Default\/chat\/POST\/Resource\] POST \/chat Integration.IntegrationResponses: .*\$input.body.* transform the response/);
    expect(error).toMatch(/\[V\/StreamApi\/Default\/chat\/POST\/Resource\] POST \/chat Integration.CacheKeyParameters: \["method.request.header.x"\] configures caching/);
    expect(error).toMatch(/\[V\/StreamApi\/Default\/chat\/POST\/Resource\] POST \/chat Integration.TimeoutInMillis: 1000000 is outside 50..900000 ms/);
  });

  test('an override that removes what the props set is seen too (deletion override)', () => {
    const bad = validatedStack();
    const api = new StreamingRestApi(bad.stack, 'Api', { minCompressionSize: Size.bytes(0) });
    api.addStreamingLambda('/chat', fn(bad.stack));
    expect(synthError(bad.app)).toMatch(/MinimumCompressionSize.*: 0 turns on content encoding/);

    const fixed = validatedStack();
    const fixedApi = new StreamingRestApi(fixed.stack, 'Api', { minCompressionSize: Size.bytes(0) });
    fixedApi.addStreamingLambda('/chat', fn(fixed.stack));
    (fixedApi.node.defaultChild as apigateway.CfnRestApi).addPropertyDeletionOverride('MinimumCompressionSize');
    expect(synthError(fixed.app)).toBeUndefined();

    const keys = validatedStack();
    escapeHatchStack(keys.stack, (cfn) => {
      cfn.addPropertyOverride('Integration.CacheKeyParameters', ['method.request.header.x']);
      cfn.addPropertyDeletionOverride('Integration.CacheKeyParameters');
    });
    expect(synthError(keys.app)).toBeUndefined();
  });

  test('an override that switches a streamed method to BUFFERED takes it out of the streaming rules', () => {
    const { app, stack } = validatedStack();
    const api = new StreamingRestApi(stack, 'Api', { deployOptions: { cachingEnabled: true } });
    const method = api.addStreamingLambda('/chat', fn(stack));
    expect(synthError(app)).toMatch(/enables caching for the streamed method ANY \/chat/);

    const second = validatedStack();
    const api2 = new StreamingRestApi(second.stack, 'Api', { deployOptions: { cachingEnabled: true } });
    const method2 = api2.addStreamingLambda('/chat', fn(second.stack));
    (method2.node.defaultChild as apigateway.CfnMethod).addPropertyOverride('Integration.ResponseTransferMode', 'BUFFERED');
    expect(synthError(second.app)).toBeUndefined();
    expect(method).toBeDefined();
  });
});

describe('nested stack', () => {
  function nested(bad: boolean) {
    // No app-wide validator: StreamingRestApi's own check must reach the nested stack.
    const { app, stack } = newStack({ id: 'Parent' });
    const api = new StreamingRestApi(stack, 'Api');
    api.addStreamingLambda('/health', fn(stack, 'Health'));
    const child = new NestedStack(stack, 'Routes');
    const imported = apigateway.RestApi.fromRestApiAttributes(child, 'Imported', { restApiId: api.restApiId, rootResourceId: api.restApiRootResourceId });
    imported.root.addResource('v1').addResource('chat').addMethod('POST', new StreamingLambdaIntegration(fn(child, 'ChatFn'), {
      cacheKeyParameters: bad ? ['method.request.querystring.q'] : undefined,
    }));
    return { app, stack, child };
  }

  test('compliant: a streamed method in a nested stack passes', () => {
    expect(synthError(nested(false).app)).toBeUndefined();
  });

  test('non-compliant: the method in the nested stack is judged, with its full path across the stacks', () => {
    const error = synthError(nested(true).app)!;
    expect(error).toMatch(/\[Parent\/Routes\/Imported\/Default\/v1\/chat\/POST\/Resource\] POST \/v1\/chat Integration.CacheKeyParameters: \["method.request.querystring.q"\] configures caching/);
  });

  test('non-compliant: stage-wide caching of the parent API covers the nested method', () => {
    const { app, stack } = newStack({ id: 'Parent' });
    const api = new StreamingRestApi(stack, 'Api', { deployOptions: { cachingEnabled: true, methodOptions: { '/health/ANY': { cachingEnabled: false } } } });
    api.addStreamingLambda('/health', fn(stack, 'Health'));
    const child = new NestedStack(stack, 'Routes');
    const imported = apigateway.RestApi.fromRestApiAttributes(child, 'Imported', { restApiId: api.restApiId, rootResourceId: api.restApiRootResourceId });
    imported.root.addResource('chat').addMethod('POST', new StreamingLambdaIntegration(fn(child, 'ChatFn')));
    const error = synthError(app)!;
    expect(error).toMatch(/enables caching for the streamed method POST \/chat \(defined at Parent\/Routes\/Imported\/Default\/chat\/POST\/Resource\)/);
    expect(error).not.toMatch(/streamed method ANY \/health/);
  });
});

describe('another stack of the app, on an imported API', () => {
  function crossStack(options: { bad?: boolean; endpoint?: apigateway.EndpointType; caching?: boolean } = {}) {
    const app = new App();
    const producer = new Stack(app, 'Producer', { env: TEST_ENV });
    const api = new StreamingRestApi(producer, 'Api', { endpointTypes: options.endpoint ? [options.endpoint] : undefined });
    api.root.addMethod('GET');
    const consumer = new Stack(app, 'Consumer', { env: TEST_ENV });
    const imported = apigateway.RestApi.fromRestApiAttributes(consumer, 'Imported', { restApiId: api.restApiId, rootResourceId: api.restApiRootResourceId });
    const method = imported.root.addResource('chat').addMethod('POST', new StreamingLambdaIntegration(fn(consumer, 'ChatFn'), {
      integrationResponses: options.bad ? [{ statusCode: '200' }] : undefined,
    }));
    if (options.caching) {
      const deployment = new apigateway.Deployment(consumer, 'Deployment', { api: imported });
      deployment.node.addDependency(method);
      new apigateway.Stage(consumer, 'Beta', { deployment, stageName: 'beta', cachingEnabled: true, cacheClusterEnabled: true });
    }
    return { app, producer, consumer };
  }

  test('compliant: a streamed method in another stack passes', () => {
    const { app, consumer } = crossStack();
    expect(synthError(app)).toBeUndefined();
    expect(warnings(consumer, 'cdk-streaming-rest-api:')).toEqual([]);
  });

  test('non-compliant: the method in the consuming stack is judged by the producing stack\'s StreamingRestApi', () => {
    const error = synthError(crossStack({ bad: true }).app)!;
    expect(error).toMatch(/\[Consumer\/Imported\/Default\/chat\/POST\/Resource\] POST \/chat Integration.IntegrationResponses/);
  });

  test('another stage, in another stack, that caches the streamed method is an error', () => {
    const error = synthError(crossStack({ caching: true }).app)!;
    expect(error).toMatch(/\[Consumer\/Beta\/Resource\] .*CachingEnabled: true enables caching for the streamed method POST \/chat/);
  });

  test('an edge-optimized API gets the EDGE warning when only another stack streams on it', () => {
    const { app, producer } = crossStack({ endpoint: apigateway.EndpointType.EDGE });
    app.synth();
    expect(warnings(producer, StreamingWarnings.EDGE_ENDPOINT).join()).toMatch(/\[Producer\/Api\/Resource\].*POST \/chat/);
  });
});

describe('OpenAPI extensions', () => {
  const body = (extra: object = {}, integration: object = {}) => ({
    openapi: '3.0.1',
    info: { title: 't', version: '1' },
    ...extra,
    paths: {
      '/chat/{id}': {
        post: {
          'x-amazon-apigateway-integration': {
            type: 'http_proxy', httpMethod: 'POST', uri: 'https://backend.example.com/chat/{id}', responseTransferMode: 'STREAM', ...integration,
          },
        },
      },
    },
  });

  function spec(definition: apigateway.ApiDefinition) {
    const { app, stack } = validatedStack();
    new apigateway.SpecRestApi(stack, 'Spec', { apiDefinition: definition, endpointTypes: [apigateway.EndpointType.REGIONAL] });
    return { app, stack, error: synthError(app) };
  }

  test('compliant inline body passes', () => {
    expect(spec(apigateway.ApiDefinition.fromInline(body())).error).toBeUndefined();
  });

  test('x-amazon-apigateway-minimum-compression-size on a streamed API is an error', () => {
    const { error } = spec(apigateway.ApiDefinition.fromInline(body({ 'x-amazon-apigateway-minimum-compression-size': 1024 })));
    expect(error).toMatch(/\[V\/Spec\/Resource\] Body x-amazon-apigateway-minimum-compression-size: 1024 turns on content encoding.*POST \/chat\/\{id\}.*Fix: remove x-amazon-apigateway-minimum-compression-size/);
  });

  test('responses with templates and cacheKeyParameters in the integration extension are errors', () => {
    const { error } = spec(apigateway.ApiDefinition.fromInline(body({}, {
      responses: { default: { statusCode: '200', responseTemplates: { 'application/json': '{}' } } }, cacheKeyParameters: ['method.request.path.id'],
    })));
    expect(error).toMatch(/\[V\/Spec\/Resource\] POST \/chat\/\{id\} x-amazon-apigateway-integration.responses: .*responseTemplates/);
    expect(error).toMatch(/POST \/chat\/\{id\} x-amazon-apigateway-integration.cacheKeyParameters: \["method.request.path.id"\]/);
  });

  test('a body in an asset file is read: compliant passes, the compression extension fails', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openapi-'));
    const good = path.join(dir, 'good.json');
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(good, JSON.stringify(body()));
    fs.writeFileSync(bad, JSON.stringify(body({ 'x-amazon-apigateway-minimum-compression-size': 0 })));
    expect(spec(apigateway.ApiDefinition.fromAsset(good)).error).toBeUndefined();
    expect(spec(apigateway.ApiDefinition.fromAsset(bad)).error)
      .toMatch(/\[V\/Spec\/Resource\] BodyS3Location \(OpenAPI asset\) x-amazon-apigateway-minimum-compression-size: 0 turns on content encoding/);
  });

  test('a YAML body in an asset file is read too: compliant passes, the compression extension fails', () => {
    // written by hand, as people write OpenAPI files (block style, comments, quoted strings)
    const yaml = (extra: string) => `# the chat API
openapi: "3.0.1"
info:
  title: t
  version: "1"
${extra}paths:
  /chat/{id}:
    post:
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: POST
        uri: https://backend.example.com/chat/{id}
        responseTransferMode: STREAM
`;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openapi-'));
    const good = path.join(dir, 'good.yaml');
    const bad = path.join(dir, 'bad.yml');
    fs.writeFileSync(good, yaml(''));
    fs.writeFileSync(bad, yaml('x-amazon-apigateway-minimum-compression-size: 0\n'));
    expect(spec(apigateway.ApiDefinition.fromAsset(good)).error).toBeUndefined();
    expect(spec(apigateway.ApiDefinition.fromAsset(bad)).error)
      .toMatch(/\[V\/Spec\/Resource\] BodyS3Location \(OpenAPI asset\) x-amazon-apigateway-minimum-compression-size: 0 turns on content encoding/);
  });

  test('an asset body that is neither JSON nor YAML is left to API Gateway (no crash, no finding)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openapi-'));
    const file = path.join(dir, 'broken.yaml');
    fs.writeFileSync(file, 'openapi: "3.0.1"\npaths: [unclosed\n  - : :\n');
    expect(spec(apigateway.ApiDefinition.fromAsset(file)).error).toBeUndefined();
  });

  test('a SAM-style Fn::Sub Lambda URI finds its function: a short function timeout is a warning, a long one is not', () => {
    for (const [seconds, expected] of [[30, 1], [900, 0]] as const) {
      const { app, stack } = validatedStack();
      const handler = fn(stack, 'Chat', { timeout: Duration.seconds(seconds) });
      const id = stack.getLogicalId(handler.node.defaultChild as lambda.CfnFunction);
      const uri = { 'Fn::Sub': `arn:aws:apigateway:\${AWS::Region}:lambda:path/2021-11-15/functions/\${${id}.Arn}/response-streaming-invocations` };
      new apigateway.SpecRestApi(stack, 'Spec', {
        endpointTypes: [apigateway.EndpointType.REGIONAL],
        apiDefinition: apigateway.ApiDefinition.fromInline(body({}, { type: 'aws_proxy', uri, timeoutInMillis: 900000 })),
      });
      expect(synthError(app)).toBeUndefined();
      const found = warnings(stack, StreamingWarnings.FUNCTION_TIMEOUT);
      expect(found).toHaveLength(expected);
      if (expected) expect(found[0]).toMatch(/\[V\/Chat\/Resource\] Timeout: 30 seconds is shorter than the integration timeout of POST \/chat\/\{id\} \(900000 ms\)/);
    }
  });

  test('an edge-optimized spec API that streams gets the EDGE warning', () => {
    const { app, stack } = validatedStack();
    new apigateway.SpecRestApi(stack, 'Spec', { apiDefinition: apigateway.ApiDefinition.fromInline(body()) });
    app.synth();
    expect(warnings(stack, StreamingWarnings.EDGE_ENDPOINT)).toHaveLength(1);
  });
});

describe('stage settings, judged together per method', () => {
  test('stage-wide caching and minCompressionSize are both reported', () => {
    const { app, stack } = validatedStack();
    new StreamingRestApi(stack, 'Api', { minCompressionSize: Size.bytes(1024), deployOptions: { cachingEnabled: true } })
      .addStreamingLambda('/chat', fn(stack), { httpMethod: 'POST' });
    const error = synthError(app)!;
    expect(error).toMatch(/MinimumCompressionSize .*: 1024 turns on content encoding/);
    expect(error).toMatch(/CachingEnabled: true enables caching for the streamed method POST \/chat/);
  });

  test('caching on for the stage, off for the streamed path, with compression off: passes', () => {
    const { app, stack } = validatedStack();
    new StreamingRestApi(stack, 'Api', { deployOptions: { cachingEnabled: true, methodOptions: { '/chat/*': { cachingEnabled: false } } } })
      .addStreamingLambda('/chat', fn(stack), { httpMethod: 'POST' });
    expect(synthError(app)).toBeUndefined();
  });

  test('a Deployment\'s StageDescription (L1) caching covers the method', () => {
    const { app, stack } = validatedStack();
    const api = new apigateway.RestApi(stack, 'Api', { deploy: false, endpointTypes: [apigateway.EndpointType.REGIONAL] });
    api.root.addMethod('POST', new StreamingLambdaIntegration(fn(stack)));
    new apigateway.CfnDeployment(stack, 'Dep', { restApiId: api.restApiId, stageName: 'v1', stageDescription: { cachingEnabled: true } });
    expect(synthError(app)).toMatch(/\[V\/Dep\] StageDescription.CachingEnabled \(stage-wide.*\): true enables caching for the streamed method POST \//);
  });
});

describe('fractional durations', () => {
  test.each([
    ['streamingTimeout', (stack: Stack) => new StreamingRestApi(stack, 'Api', { streamingTimeout: Duration.minutes(14.99999) })],
    ['route timeout', (stack: Stack) => new StreamingRestApi(stack, 'Api').addStreamingLambda('/chat', fn(stack), { timeout: Duration.minutes(14.99999) })],
  ])('%s: our error with the construct path and the fix, not aws-cdk-lib\'s', (_name, build) => {
    const { stack } = newStack({ id: 'S' });
    let thrown: unknown;
    try {
      build(stack);
    } catch (e) {
      thrown = e;
    }
    expect(StreamingErrors.isStreamingConfigError(thrown)).toBe(true);
    expect((thrown as Error).message).toMatch(/^\[S\/Api\] .*timeout.*: '14 minutes 59 seconds' is 899999.4 ms, not a whole number of milliseconds.*Fix: use a whole number of milliseconds/i);
  });

  test('a fractional duration that is a whole number of milliseconds passes', () => {
    const { app, stack } = newStack({ id: 'S' });
    new StreamingRestApi(stack, 'Api', { streamingTimeout: Duration.minutes(14.5) }).addStreamingLambda('/chat', fn(stack));
    expect(synthError(app)).toBeUndefined();
  });
});
