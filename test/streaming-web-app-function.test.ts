import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LambdaWebAdapter, StreamingRestApi, StreamingWebAppFunction } from '../src';
import { newStack } from './support/stacks';

const CODE = lambda.Code.fromInline('#!/bin/sh\nexec python -m uvicorn --port=$PORT main:app');

function stackIn(region?: string): Stack {
  return newStack({ id: 'WebApp', region: region ?? null }).stack;
}

describe('StreamingWebAppFunction', () => {
  test('defaults: Python 3.13, run.sh, adapter in response_stream mode, public ARM64 layer, 15 minutes', () => {
    // GIVEN
    const { stack } = newStack();
    // WHEN
    new StreamingWebAppFunction(stack, 'App', { code: CODE });
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'python3.13',
      Handler: 'run.sh',
      Timeout: 900,
      MemorySize: 512,
      Architectures: ['arm64'],
      Layers: ['arn:aws:lambda:us-east-1:753240598075:layer:LambdaAdapterLayerArm64:26'],
      Environment: {
        Variables: {
          AWS_LAMBDA_EXEC_WRAPPER: '/opt/bootstrap',
          AWS_LWA_INVOKE_MODE: 'response_stream',
          AWS_LWA_PORT: '8080',
          PORT: '8080',
        },
      },
    });
  });

  test('x86_64, a port, a pinned layer version and extra environment', () => {
    const stack = stackIn('eu-west-1');
    new StreamingWebAppFunction(stack, 'App', {
      code: CODE,
      architecture: lambda.Architecture.X86_64,
      port: 7000,
      webAdapter: LambdaWebAdapter.publicLayer({ version: 25 }),
      environment: { LOG_LEVEL: 'debug' },
      startScript: 'start.sh',
      runtime: lambda.Runtime.PYTHON_3_12,
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'python3.12',
      Handler: 'start.sh',
      Layers: ['arn:aws:lambda:eu-west-1:753240598075:layer:LambdaAdapterLayerX86:25'],
      Environment: { Variables: Match.objectLike({ AWS_LWA_PORT: '7000', LOG_LEVEL: 'debug' }) },
    });
  });

  test('an environment-agnostic stack gets the region and partition as tokens', () => {
    const stack = stackIn();
    new StreamingWebAppFunction(stack, 'App', { code: CODE });
    const layer = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))[0].Properties.Layers[0];
    expect(JSON.stringify(layer)).toMatch(/AWS::Partition.*:lambda:.*AWS::Region.*:753240598075:layer:LambdaAdapterLayerArm64:26/);
  });

  test('China regions use their own account and x86_64 only', () => {
    const stack = stackIn('cn-north-1');
    new StreamingWebAppFunction(stack, 'App', { code: CODE, architecture: lambda.Architecture.X86_64 });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Layers: ['arn:aws-cn:lambda:cn-north-1:041581134020:layer:LambdaAdapterLayerX86:26'],
    });
    expect(() => new StreamingWebAppFunction(stackIn('cn-northwest-1'), 'App', { code: CODE }))
      .toThrow(/region: 'cn-northwest-1' has no public arm64 Lambda Web Adapter layer. Fix: use architecture: lambda.Architecture.X86_64/);
  });

  test('GovCloud needs an explicit layer', () => {
    expect(() => new StreamingWebAppFunction(stackIn('us-gov-west-1'), 'App', { code: CODE }))
      .toThrow(/\[WebApp\/App\] region: 'us-gov-west-1' is not in the public Lambda Web Adapter layer table. Fix: .*fromLayerArn/);
    const stack = stackIn('us-gov-west-1');
    new StreamingWebAppFunction(stack, 'App', { code: CODE, webAdapter: LambdaWebAdapter.fromLayerArn('arn:aws-us-gov:lambda:us-gov-west-1:111122223333:layer:Lwa:3') });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { Layers: ['arn:aws-us-gov:lambda:us-gov-west-1:111122223333:layer:Lwa:3'] });
  });

  test.each([[0], [70000], [9001], [80.5]])('port %p is rejected', (port) => {
    const { stack } = newStack();
    expect(() => new StreamingWebAppFunction(stack, 'App', { code: CODE, port })).toThrow(/\[TestStack\/App\] port: .* is not a usable port/);
  });

  test('a bad layer version is rejected', () => {
    const { stack } = newStack();
    expect(() => new StreamingWebAppFunction(stack, 'App', { code: CODE, webAdapter: LambdaWebAdapter.publicLayer({ version: 0 }) }))
      .toThrow(/LambdaWebAdapter.publicLayer\(version\): 0 is not a layer version/);
  });

  test('streams through a StreamingRestApi route', () => {
    const { stack } = newStack();
    const fn = new StreamingWebAppFunction(stack, 'App', { code: CODE });
    new StreamingRestApi(stack, 'Api').addStreamingLambda('/chat', fn, { httpMethod: 'POST' });
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Method', { Integration: { ResponseTransferMode: 'STREAM', Type: 'AWS_PROXY' } });
  });
});
