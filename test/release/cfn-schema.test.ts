import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { StreamingExampleStack } from '../../examples/stack';
import { BedrockChatModel, StreamingBedrockChat, StreamingRestApi, StreamingWebAppFunction } from '../../src';
import { validateTemplate } from '../support/cfn-schema';
import { newStack, NO_BUNDLING } from '../support/stacks';

// Every AWS::ApiGateway::* and AWS::Lambda::* resource the example app (and the constructs the
// app does not use) synthesizes conforms to the published CloudFormation resource specification.

const PREFIXES = ['AWS::ApiGateway::', 'AWS::Lambda::'];
const EXAMPLES = path.join(__dirname, '..', '..', 'examples');

function exampleTemplate(): any {
  // The example app as `cdk synth` builds it: the stack of examples/app.ts with examples/cdk.json's context.
  const { context } = JSON.parse(fs.readFileSync(path.join(EXAMPLES, 'cdk.json'), 'utf8'));
  const app = new App({ context: { ...context, ...NO_BUNDLING } }); // (templates are checked, not bundles)
  new StreamingExampleStack(app, 'StreamingExample');
  const assembly = app.synth();
  return assembly.getStackByName('StreamingExample').template;
}

test('the example app\'s API Gateway and Lambda resources conform to the resource specification', () => {
  const { checked, problems } = validateTemplate(exampleTemplate(), PREFIXES);
  expect(problems).toEqual([]);
  expect(checked).toBeGreaterThan(15);
});

test('so do a Bedrock chat with its own API and a web app function', () => {
  const { app, stack } = newStack({ id: 'More', region: null });
  new StreamingBedrockChat(stack, 'Chat', { model: BedrockChatModel.foundationModel('amazon.nova-lite-v1:0') });
  const api = new StreamingRestApi(stack, 'Api');
  api.addStreamingLambda('/{proxy+}', new StreamingWebAppFunction(stack, 'Web', { code: lambda.Code.fromInline('app = None') }));
  const { checked, problems } = validateTemplate(app.synth().getStackByName('More').template, PREFIXES);
  expect(problems).toEqual([]);
  expect(checked).toBeGreaterThan(10);
});

describe('the check fails on what does not conform', () => {
  const method = (integration: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    Resources: {
      M: {
        Type: 'AWS::ApiGateway::Method',
        Properties: { HttpMethod: 'GET', ResourceId: { Ref: 'R' }, RestApiId: { Ref: 'A' }, Integration: { Type: 'AWS_PROXY', ...integration }, ...extra },
      },
    },
  });

  test.each([
    ['a value outside the allowed ones', method({ ResponseTransferMode: 'STREAMING' }), /ResponseTransferMode: 'STREAMING' is not one of BUFFERED, STREAM/],
    ['a number where a string is expected', method({ Uri: 5 }), /Integration.Uri: expected a string, got 5/],
    ['a string where an integer is expected', method({ TimeoutInMillis: 'soon' }), /TimeoutInMillis: expected integer/],
    ['an unknown property', method({ StreamMode: 'STREAM' }), /Integration.StreamMode: not a property of this type/],
    ['a missing required property', method({}, { HttpMethod: undefined }), /M \(AWS::ApiGateway::Method\).HttpMethod: required, missing/],
    ['an unknown resource type', { Resources: { X: { Type: 'AWS::Lambda::Streamer', Properties: {} } } }, /X: AWS::Lambda::Streamer is not a resource type/],
  ])('%s', (_what, template, expected) => {
    const cleaned = JSON.parse(JSON.stringify(template)); // drops the undefined property
    const { problems } = validateTemplate(cleaned, PREFIXES);
    expect(problems.join('\n')).toMatch(expected);
  });

  test('intrinsic functions are not judged', () => {
    const { problems } = validateTemplate(method({ TimeoutInMillis: { Ref: 'Timeout' }, Uri: { 'Fn::Join': ['', ['a', 'b']] } }), PREFIXES);
    expect(problems).toEqual([]);
  });
});
