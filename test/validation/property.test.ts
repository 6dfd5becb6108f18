import * as fs from 'fs';
import * as path from 'path';
import { App, Aspects, Duration, NestedStack, Size, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as fc from 'fast-check';
import { Path, streamedMethod, synthError, validatedStack } from './support';
import { StreamingHttpIntegration, StreamingRestApi, StreamingValidator } from '../../src';
import { inlineFunction, TEST_ENV } from '../support/stacks';

// Random combinations of API props and routes: synthesis either succeeds or fails with our
// messages (construct path, property, value, fix), never with a TypeError or another crash.

const OUR_MESSAGE = /^\[[^\]]+\] .+: .+\. Fix: .+\.$/;

const scenario = fc.record({
  path: fc.constantFrom<Path>('StreamingRestApi', 'RestApi', 'CfnMethod', 'SpecRestApi'),
  endpoint: fc.constantFrom(apigateway.EndpointType.EDGE, apigateway.EndpointType.REGIONAL, undefined),
  timeoutInMillis: fc.oneof(fc.integer({ min: 50, max: 1_200_000 }), fc.constant(900_000)),
  lowTimeout: fc.integer({ min: -5, max: 49 }),
  useLowTimeout: fc.boolean(),
  caching: fc.constantFrom('none', 'wildcard', 'wildcardOffHere', 'exact', 'other'),
  compression: fc.constantFrom<number | undefined>(undefined, 0, 1024),
  type: fc.constantFrom('AWS_PROXY', 'HTTP_PROXY', 'AWS', 'HTTP', 'MOCK'),
  uri: fc.constantFrom('default', 'classic', 'qualified'),
  responses: fc.boolean(),
  cacheKeys: fc.boolean(),
  functionTimeout: fc.integer({ min: 1, max: 900 }),
  python: fc.boolean(),
  extraRoutes: fc.array(fc.constantFrom('/a', '/a/{id}', '/b/{proxy+}', '/'), { maxLength: 3 }),
});

test('synthesis succeeds or fails with our messages (1000 seeded cases)', () => {
  let failures = 0;
  fc.assert(fc.property(scenario, (s) => {
    const { app, stack } = validatedStack();
    const l1 = s.path === 'CfnMethod' || s.path === 'SpecRestApi';
    const handler = inlineFunction(stack, 'Fn', {
      runtime: s.python ? lambda.Runtime.PYTHON_3_13 : lambda.Runtime.NODEJS_24_X,
      timeout: Duration.seconds(s.functionTimeout),
    });
    const deployOptions: apigateway.StageOptions = s.caching === 'wildcard' ? { cachingEnabled: true }
      : s.caching === 'wildcardOffHere' ? { cachingEnabled: true, methodOptions: { '/chat/POST': { cachingEnabled: false } } }
        : s.caching === 'exact' ? { methodOptions: { '/chat/POST': { cachingEnabled: true } } }
          : s.caching === 'other' ? { methodOptions: { '/zzz/GET': { cachingEnabled: true } } } : {};
    const apiProps: apigateway.RestApiProps = {
      endpointTypes: s.endpoint ? [s.endpoint] : undefined,
      minCompressionSize: s.compression === undefined ? undefined : Size.bytes(s.compression),
      deployOptions,
    };
    let thrown: unknown;
    try {
      streamedMethod(stack, s.path, {
        handler,
        apiProps,
        integration: {
          timeoutInMillis: l1 && s.useLowTimeout ? s.lowTimeout : s.timeoutInMillis,
          type: l1 ? s.type : undefined,
          uri: !l1 || s.uri === 'default' ? undefined : s.uri === 'classic'
            ? 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:1:function:f/invocations'
            : 'arn:aws:apigateway:us-east-1:lambda:path/2021-11-15/functions/arn:aws:lambda:us-east-1:1:function:f:2/response-streaming-invocations',
          integrationResponses: s.responses ? [{ statusCode: '200' }] : undefined,
          cacheKeyParameters: s.cacheKeys ? ['method.request.header.x'] : undefined,
        },
      });
      const api = stack.node.tryFindChild('Api');
      if (api instanceof StreamingRestApi) {
        for (const route of s.extraRoutes) api.addStreamingLambda(route, handler, { httpMethod: 'PUT' });
      }
    } catch (error) {
      thrown = error;
    }
    const message = thrown ? (thrown as Error).message : synthError(app);
    if (thrown) {
      // An eager error of ours (StreamingConfigError).
      expect((thrown as Error).name).toBe('StreamingConfigError');
      expect(message).toMatch(OUR_MESSAGE);
    } else if (message !== undefined) {
      failures += 1;
      const lines = message.split('\n').slice(1).map((l) => l.trim().replace(/^\[[^\]]+\] (?=\[)/, ''));
      expect(message.split('\n')[0]).toBe('Validation failed with the following errors:');
      for (const line of lines) expect(line).toMatch(OUR_MESSAGE);
    }
  }), { numRuns: 1000, seed: 20261125, endOnFailure: true });
  // The generator reaches both outcomes.
  expect(failures).toBeGreaterThan(100);
  expect(failures).toBeLessThan(1000);
});

// Issue #13: the synthesized template is the oracle. Random streamed routes, defined through the
// ways users reach the template (L2, escape hatch, nested stack, another stack, OpenAPI body), with
// random forbidden settings set through props, overrides or OpenAPI extensions. The verdict must be
// "fails" exactly when the deployed templates (synthesized without validation) hold a forbidden
// streamed setting, and every error line must be ours.

type Route = 'L2' | 'escapeHatch' | 'nested' | 'crossStack' | 'openapi';

const shape = fc.record({
  route: fc.constantFrom<Route>('L2', 'escapeHatch', 'nested', 'crossStack', 'openapi'),
  // Each forbidden setting in about one case of four, so both verdicts are common.
  compression: fc.constantFrom('none', 'none', 'none', 'none', 'none', 'prop', 'override', 'openapi'),
  caching: fc.constantFrom('none', 'none', 'none', 'wildcardOffHere', 'wildcard', 'exact'),
  responses: fc.constantFrom(false, false, false, true),
  cacheKeys: fc.constantFrom(false, false, false, true),
  timeout: fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 2 },
    { arbitrary: fc.integer({ min: 50, max: 900_000 }), weight: 4 },
    { arbitrary: fc.integer({ min: 900_001, max: 2_000_000 }), weight: 1 },
    { arbitrary: fc.integer({ min: 1, max: 49 }), weight: 1 },
  ),
  regional: fc.boolean(),
});

const BACKEND = 'https://backend.example.com/chat';

type Shape = typeof shape extends fc.Arbitrary<infer T> ? T : never;

function build(s: Shape): App {
  const app = new App();
  const stack = new Stack(app, 'P', { env: TEST_ENV });
  const endpointTypes = [s.regional ? apigateway.EndpointType.REGIONAL : apigateway.EndpointType.EDGE];
  const caching: apigateway.StageOptions = s.caching === 'wildcard' ? { cachingEnabled: true }
    : s.caching === 'wildcardOffHere' ? { cachingEnabled: true, methodOptions: { '/chat/POST': { cachingEnabled: false } } }
      : s.caching === 'exact' ? { methodOptions: { '/chat/POST': { cachingEnabled: true } } } : {};
  const overrides = (method: apigateway.CfnMethod) => {
    if (s.responses) method.addPropertyOverride('Integration.IntegrationResponses', [{ StatusCode: '200', ResponseTemplates: { 'text/plain': '$input.body' } }]);
    if (s.cacheKeys) method.addPropertyOverride('Integration.CacheKeyParameters', ['method.request.header.x']);
    if (s.timeout !== undefined) method.addPropertyOverride('Integration.TimeoutInMillis', s.timeout);
  };
  if (s.route === 'openapi') {
    const integration: Record<string, unknown> = { type: 'http_proxy', httpMethod: 'POST', uri: BACKEND, responseTransferMode: 'STREAM' };
    if (s.responses) integration.responses = { default: { statusCode: '200', responseTemplates: { 'text/plain': '$input.body' } } };
    if (s.cacheKeys) integration.cacheKeyParameters = ['method.request.header.x'];
    if (s.timeout !== undefined) integration.timeoutInMillis = s.timeout;
    const api = new apigateway.SpecRestApi(stack, 'Api', {
      endpointTypes,
      deployOptions: caching,
      minCompressionSize: s.compression === 'prop' ? Size.bytes(100) : undefined,
      apiDefinition: apigateway.ApiDefinition.fromInline({
        openapi: '3.0.1',
        info: { title: 'p', version: '1' },
        ...(s.compression === 'openapi' ? { 'x-amazon-apigateway-minimum-compression-size': 100 } : {}),
        paths: { '/chat': { post: { 'x-amazon-apigateway-integration': integration } } },
      }),
    });
    Aspects.of(app).add(new StreamingValidator());
    if (s.compression === 'override') (api.node.defaultChild as apigateway.CfnRestApi).addPropertyOverride('MinimumCompressionSize', 100);
    return app;
  }
  const api = new StreamingRestApi(stack, 'Api', {
    endpointTypes,
    deployOptions: caching,
    minCompressionSize: s.compression === 'prop' || s.compression === 'openapi' ? Size.bytes(100) : undefined,
  });
  api.root.addResource('health').addMethod('GET', new apigateway.MockIntegration());
  if (s.compression === 'override') (api.node.defaultChild as apigateway.CfnRestApi).addPropertyOverride('MinimumCompressionSize', 100);
  if (s.route === 'L2') {
    overrides(api.addStreamingHttpProxy('/chat', BACKEND, { httpMethod: 'POST' }).node.defaultChild as apigateway.CfnMethod);
  } else if (s.route === 'escapeHatch') {
    const method = api.root.addResource('chat').addMethod('POST', new apigateway.HttpIntegration(BACKEND, { proxy: true }));
    const cfn = method.node.defaultChild as apigateway.CfnMethod;
    cfn.addPropertyOverride('Integration.ResponseTransferMode', 'STREAM');
    overrides(cfn);
  } else {
    const scope = s.route === 'nested' ? new NestedStack(stack, 'Routes') : new Stack(app, 'Other', { env: TEST_ENV });
    const imported = apigateway.RestApi.fromRestApiAttributes(scope, 'Imported', { restApiId: api.restApiId, rootResourceId: api.restApiRootResourceId });
    const method = imported.root.addResource('chat').addMethod('POST', new StreamingHttpIntegration(BACKEND));
    overrides(method.node.defaultChild as apigateway.CfnMethod);
  }
  return app;
}

/** Every template the app deploys (nested ones included), synthesized without validation. */
function deployedTemplates(app: App): any[] {
  const dir = app.synth({ skipValidation: true, force: true }).directory;
  return fs.readdirSync(dir).filter((f) => f.endsWith('.template.json')).map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
}

/** The oracle: does any deployed template hold a setting a streamed method cannot have? */
function forbidden(templates: any[]): string[] {
  const problems: string[] = [];
  const resources = templates.flatMap((t) => Object.values<any>(t.Resources ?? {}));
  const streamed: Array<{ responses: unknown; keys: unknown; timeout: unknown }> = [];
  for (const r of resources) {
    const i = r.Properties?.Integration;
    if (r.Type === 'AWS::ApiGateway::Method' && i?.ResponseTransferMode === 'STREAM') {
      streamed.push({ responses: i.IntegrationResponses, keys: i.CacheKeyParameters, timeout: i.TimeoutInMillis });
    }
    for (const item of Object.values<any>(r.Type === 'AWS::ApiGateway::RestApi' ? r.Properties?.Body?.paths ?? {} : {})) {
      for (const op of Object.values<any>(item)) {
        const x = op?.['x-amazon-apigateway-integration'];
        if (x?.responseTransferMode === 'STREAM') streamed.push({ responses: x.responses, keys: x.cacheKeyParameters, timeout: x.timeoutInMillis });
      }
    }
  }
  if (streamed.length === 0) return problems;
  const full = (v: unknown) => v !== undefined && (Array.isArray(v) ? v.length > 0 : Object.keys(v as object).length > 0);
  for (const m of streamed) {
    if (full(m.responses)) problems.push('integration responses');
    if (full(m.keys)) problems.push('cache keys');
    if (m.timeout !== undefined && !(typeof m.timeout === 'number' && m.timeout >= 50 && m.timeout <= 900_000)) problems.push('timeout');
  }
  for (const r of resources) {
    if (r.Type === 'AWS::ApiGateway::RestApi' && (r.Properties?.MinimumCompressionSize !== undefined
      || r.Properties?.Body?.['x-amazon-apigateway-minimum-compression-size'] !== undefined)) problems.push('compression');
    if (r.Type === 'AWS::ApiGateway::Stage') {
      // Every streamed method of these apps is POST /chat: the most specific setting decides.
      const settings: any[] = r.Properties.MethodSettings ?? [];
      const decides = [['/~1chat', 'POST'], ['/~1chat', '*'], ['/*', 'POST'], ['/*', '*']]
        .map(([p, m]) => settings.find((x) => x.ResourcePath === p && x.HttpMethod === m && x.CachingEnabled !== undefined))
        .find((x) => x !== undefined);
      if (decides?.CachingEnabled === true) problems.push('stage caching');
    }
  }
  return problems;
}

test('the verdict matches the deployed templates (oracle), for every route into them', () => {
  // aws-cdk-lib's own template check (CloudFormation Validate) warns, on console.error, about the
  // timeouts under 50 ms that some shapes deploy when synthesized without our validation.
  const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  const lowTimeouts = new Set<number>();
  const seen = { pass: 0, fail: 0 };
  fc.assert(fc.property(shape, (s) => {
    const app = build(s);
    const message = synthError(app);
    const templates = deployedTemplates(app);
    for (const t of streamedTimeouts(templates)) if (t < 50) lowTimeouts.add(t);
    const problems = forbidden(templates);
    if (problems.length > 0) {
      expect(message).toBeDefined();
      seen.fail += 1;
      const lines = message!.split('\n').slice(1).map((l) => l.trim().replace(/^\[[^\]]+\] (?=\[)/, ''));
      for (const line of lines) expect(line).toMatch(OUR_MESSAGE);
    } else {
      expect(message).toBeUndefined();
      seen.pass += 1;
    }
  }), { numRuns: 150, seed: 20261126, endOnFailure: true });
  expect(seen.pass).toBeGreaterThan(20);
  expect(seen.fail).toBeGreaterThan(50);
  // THEN: each warning is CDK's, about a timeout under 50 ms that a deployed template holds
  const warned = logged.mock.calls.map(([text]) => {
    expect(String(text)).toMatch(/^\[Warning\] Template validation found issues in your templates/);
    return Number(/TimeoutInMillis: (-?\d+) is less than the minimum of 50/.exec(String(text))?.[1]);
  });
  logged.mockRestore();
  expect(warned.length).toBeGreaterThan(0);
  for (const timeout of warned) expect(lowTimeouts).toContain(timeout);
});

/** The integration timeouts of the streamed methods in the templates (CloudFormation methods only). */
function streamedTimeouts(templates: any[]): number[] {
  return templates.flatMap((t) => Object.values<any>(t.Resources ?? {}))
    .filter((r) => r.Type === 'AWS::ApiGateway::Method' && r.Properties?.Integration?.ResponseTransferMode === 'STREAM')
    .map((r) => r.Properties.Integration.TimeoutInMillis)
    .filter((timeout): timeout is number => typeof timeout === 'number');
}
