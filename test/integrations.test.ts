import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { StreamingHttpIntegration, StreamingLambdaIntegration } from '../src';
import { inlineFunction, newStack } from './support/stacks';

describe('StreamingLambdaIntegration', () => {
  test('on a plain RestApi: proxy, STREAM, streaming URI, 15 minutes, scoped permission', () => {
    // GIVEN
    const { stack } = newStack();
    const fn = inlineFunction(stack, 'Fn');
    const api = new apigateway.RestApi(stack, 'Api');
    // WHEN
    api.root.addResource('chat').addMethod('POST', new StreamingLambdaIntegration(fn));
    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      Integration: {
        Type: 'AWS_PROXY',
        ResponseTransferMode: 'STREAM',
        TimeoutInMillis: 900000,
        Uri: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':lambda:path/2021-11-15/functions/$'), '/response-streaming-invocations'])] },
      },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      SourceArn: { 'Fn::Join': ['', Match.arrayWith(['/POST/chat'])] },
    });
  });

  test('a custom timeout is kept', () => {
    const { stack } = newStack();
    const api = new apigateway.RestApi(stack, 'Api');
    api.root.addMethod('GET', new StreamingLambdaIntegration(inlineFunction(stack, 'Fn'), { timeout: Duration.minutes(2) }));
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Method', { Integration: { TimeoutInMillis: 120000 } });
  });

  test('proxy: false is rejected with the fix', () => {
    const { stack } = newStack();
    const fn = inlineFunction(stack, 'Fn');
    expect(() => new StreamingLambdaIntegration(fn, { proxy: false }))
      .toThrow(/\[StreamingLambdaIntegration\(TestStack\/Fn\)\] proxy: false is not supported: .*AWS_PROXY.*Fix: remove `proxy: false`/);
  });

  test('responseTransferMode BUFFERED is rejected', () => {
    const { stack } = newStack();
    expect(() => new StreamingLambdaIntegration(inlineFunction(stack, 'Fn'), { responseTransferMode: apigateway.ResponseTransferMode.BUFFERED }))
      .toThrow(/responseTransferMode: 'BUFFERED' contradicts a streaming integration/);
  });

  test.each([[Duration.minutes(15).plus(Duration.seconds(1))], [Duration.millis(49)]])('timeout %s is rejected', (timeout) => {
    const { stack } = newStack();
    expect(() => new StreamingLambdaIntegration(inlineFunction(stack, 'Fn'), { timeout })).toThrow(/timeout: .* is outside the range a streamed method accepts/);
  });

  test('the boundaries 50 ms and 15 minutes are accepted', () => {
    const { stack } = newStack();
    const fn = inlineFunction(stack, 'Fn');
    expect(() => new StreamingLambdaIntegration(fn, { timeout: Duration.millis(50) })).not.toThrow();
    expect(() => new StreamingLambdaIntegration(fn, { timeout: Duration.minutes(15) })).not.toThrow();
  });
});

describe('StreamingHttpIntegration', () => {
  test('HTTP_PROXY, STREAM, ANY, 15 minutes', () => {
    const { stack } = newStack();
    const api = new apigateway.RestApi(stack, 'Api');
    api.root.addMethod('GET', new StreamingHttpIntegration('https://backend.example.com/stream'));
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Method', {
      Integration: {
        Type: 'HTTP_PROXY',
        IntegrationHttpMethod: 'ANY',
        ResponseTransferMode: 'STREAM',
        TimeoutInMillis: 900000,
        Uri: 'https://backend.example.com/stream',
      },
    });
  });

  test('a chosen backend method and VPC link connection are kept', () => {
    const { stack } = newStack();
    const api = new apigateway.RestApi(stack, 'Api');
    const vpcLink = apigateway.VpcLink.fromVpcLinkId(stack, 'Link', 'abc123');
    api.root.addMethod('GET', new StreamingHttpIntegration('http://internal.example.com/', { httpMethod: 'POST', vpcLink, connectionType: apigateway.ConnectionType.VPC_LINK }));
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Method', {
      Integration: { IntegrationHttpMethod: 'POST', ConnectionType: 'VPC_LINK', ConnectionId: 'abc123', ResponseTransferMode: 'STREAM' },
    });
  });

  test('a URL made of tokens is not judged', () => {
    const { stack } = newStack();
    const host = new apigateway.RestApi(stack, 'Other').restApiId;
    expect(() => new StreamingHttpIntegration(`https://${host}.example.com/`)).not.toThrow();
    expect(() => new StreamingHttpIntegration(host)).not.toThrow();
  });

  test.each([['ftp://x.example.com'], ['example.com'], ['']])('the URL %p is rejected', (url) => {
    expect(() => new StreamingHttpIntegration(url)).toThrow(/url: .* is not an absolute http:\/\/ or https:\/\/ URL. Fix: pass the backend's full URL/);
  });

  test('BUFFERED is rejected', () => {
    expect(() => new StreamingHttpIntegration('https://x.example.com', { responseTransferMode: apigateway.ResponseTransferMode.BUFFERED }))
      .toThrow(/\[StreamingHttpIntegration\(https:\/\/x.example.com\)\] responseTransferMode: 'BUFFERED'/);
  });
});

describe('fractional durations', () => {
  test.each([
    [Duration.minutes(14.99999), /timeout: '14 minutes 59 seconds' is 899999.4 ms, not a whole number of milliseconds.*Fix: use a whole number of milliseconds, for example Duration.millis\(899999\)/],
    [Duration.seconds(0.0505), /is 50.5 ms, not a whole number/],
  ])('%s is our error, with the fix, not aws-cdk-lib\'s', (timeout, message) => {
    const { stack } = newStack();
    const fn = inlineFunction(stack, 'Fn');
    expect(() => new StreamingLambdaIntegration(fn, { timeout })).toThrow(message);
    expect(() => new StreamingHttpIntegration('https://x.example.com', { timeout })).toThrow(message);
    const error = (() => {
      try {
        new StreamingLambdaIntegration(fn, { timeout });
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(error?.name).toBe('StreamingConfigError');
  });

  test('a fractional duration that is whole in ms is accepted', () => {
    const { stack } = newStack();
    expect(() => new StreamingLambdaIntegration(inlineFunction(stack, 'Fn'), { timeout: Duration.seconds(1.5) })).not.toThrow();
  });
});

