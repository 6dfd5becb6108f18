import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { StreamingFunction, StreamingRestApi } from '../src';
import { newStack, QUIET_BUNDLING } from './support/stacks';

const ENTRY = path.join(__dirname, 'fixtures', 'stream-handler.ts');

describe('StreamingFunction', () => {
  test('defaults: Node.js 24, 15 minutes, 512 MB, ARM64, JSON logs, source maps', () => {
    // GIVEN
    const { stack } = newStack();
    // WHEN
    new StreamingFunction(stack, 'Fn', { entry: ENTRY, bundling: QUIET_BUNDLING });
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Timeout: 900,
      MemorySize: 512,
      Architectures: ['arm64'],
      LoggingConfig: { LogFormat: 'JSON' },
      Handler: 'index.handler',
      Environment: { Variables: Match.objectLike({ NODE_OPTIONS: '--enable-source-maps' }) },
    });
  });

  test('every default can be overridden', () => {
    const { stack } = newStack();
    new StreamingFunction(stack, 'Fn', {
      entry: ENTRY,
      runtime: lambda.Runtime.NODEJS_22_X,
      timeout: Duration.minutes(1),
      memorySize: 1024,
      architecture: lambda.Architecture.X86_64,
      loggingFormat: lambda.LoggingFormat.TEXT,
      bundling: { ...QUIET_BUNDLING, sourceMap: false },
      environment: { STAGE: 'dev' },
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Timeout: 60,
      MemorySize: 1024,
      Architectures: ['x86_64'],
      LoggingConfig: { LogFormat: 'Text' },
      Environment: { Variables: Match.objectLike({ STAGE: 'dev', NODE_OPTIONS: Match.absent() }) },
    });
  });

  test('a user NODE_OPTIONS is kept', () => {
    const { stack } = newStack();
    new StreamingFunction(stack, 'Fn', { entry: ENTRY, environment: { NODE_OPTIONS: '--max-old-space-size=256' }, bundling: QUIET_BUNDLING });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ NODE_OPTIONS: '--max-old-space-size=256' }) },
    });
  });

  test('plugs into a StreamingRestApi route', () => {
    const { stack } = newStack();
    const fn = new StreamingFunction(stack, 'Fn', { entry: ENTRY, bundling: QUIET_BUNDLING });
    new StreamingRestApi(stack, 'Api').addStreamingLambda('/stream', fn, { httpMethod: 'GET' });
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Method', {
      Integration: { ResponseTransferMode: 'STREAM', Uri: { 'Fn::Join': ['', Match.arrayWith([{ 'Fn::GetAtt': [Match.stringLikeRegexp('^Fn'), 'Arn'] }])] } },
    });
  });

  test('records its entry and bundling in the assembly\'s construct metadata (for the local gateway\'s hot reloads), not in the template', () => {
    // GIVEN
    const { stack } = newStack();
    // WHEN
    const fn = new StreamingFunction(stack, 'Fn', { entry: ENTRY, bundling: { ...QUIET_BUNDLING, define: { 'process.env.X': '"1"' } } });
    const hooked = new StreamingFunction(stack, 'Hooked', {
      entry: ENTRY,
      bundling: { ...QUIET_BUNDLING, commandHooks: { beforeBundling: () => [], beforeInstall: () => [], afterBundling: () => [] } },
    });
    // THEN
    const specOf = (f: StreamingFunction) => f.node.defaultChild!.node.metadata.find((m) => m.type === 'cdk-streaming-rest-api:rebuild')?.data;
    expect(specOf(fn)).toMatchObject({ version: 1, entry: ENTRY, format: 'cjs', target: 'node24', minify: true, sourceMap: true, define: { 'process.env.X': '"1"' }, cannot: [] });
    expect(specOf(hooked).cannot).toEqual(['commandHooks']);
    const resources = Template.fromStack(stack).findResources('AWS::Lambda::Function');
    expect(JSON.stringify(resources)).not.toContain('cdk-streaming-rest-api:rebuild');
  });
});
