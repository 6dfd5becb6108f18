import { Duration, Size } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as fc from 'fast-check';
import { Path, streamedMethod, synthError, validatedStack } from './support';
import { StreamingRestApi } from '../../src';
import { inlineFunction } from '../support/stacks';

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
