/**
 * A CDK app written the way AWS's public streaming samples write theirs (our own code): REST APIs
 * defined by OpenAPI bodies with `x-amazon-apigateway-integration` (inline, and as a file asset),
 * a `RestApi` whose method is switched to streaming with property overrides, unbundled
 * `Code.fromAsset` folders (ES modules, top-level await, `"type": "module"`, `.cjs`, nested
 * handler paths, a handler importing the AWS SDK), and a Python web app behind the Lambda Web
 * Adapter. Synthesized by the gateway tests.
 */
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LambdaWebAdapter } from '../../../src/lambda-web-adapter';
import { StreamingWebAppFunction } from '../../../src/streaming-web-app-function';

const HANDLERS = path.join(__dirname, 'handlers');

export interface SamplesAppOptions {
  /** Where to write the assembly. */
  readonly outdir: string;
  /** The Python web app's runtime (to test a missing language). Default python3.13. */
  readonly pythonRuntime?: lambda.Runtime;
}

function nodeFunction(stack: Stack, id: string, dir: string, handler: string, props: Partial<lambda.FunctionProps> = {}): lambda.Function {
  return new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    code: lambda.Code.fromAsset(path.join(HANDLERS, dir)),
    handler,
    timeout: Duration.seconds(30),
    ...props,
  });
}

const streaming = (fn: lambda.IFunction) => ({
  type: 'aws_proxy',
  httpMethod: 'POST',
  uri: `arn:aws:apigateway:${Stack.of(fn).region}:lambda:path/2021-11-15/functions/${fn.functionArn}/response-streaming-invocations`,
  responseTransferMode: 'STREAM',
  timeoutInMillis: 60000,
});

const classic = (fn: lambda.IFunction) => ({
  type: 'aws_proxy',
  httpMethod: 'POST',
  uri: `arn:aws:apigateway:${Stack.of(fn).region}:lambda:path/2015-03-31/functions/${fn.functionArn}/invocations`,
});

/** Synthesizes the app into `options.outdir`; returns the assembly directory. */
export function synthSamplesApp(options: SamplesAppOptions): string {
  const app = new App({ outdir: options.outdir });
  const stack = new Stack(app, 'SamplesStyle', { env: { account: '123456789012', region: 'us-east-1' } });

  // 1. A SpecRestApi with an inline OpenAPI body (the samples' main style).
  const echo = nodeFunction(stack, 'EsmEcho', 'esm-named', 'index.echo');
  const events = nodeFunction(stack, 'TypeModuleEvents', 'type-module', 'src/routes/chat.handler', { environment: { CHUNK_DELAY_MS: '300' } });
  const files = nodeFunction(stack, 'CommonJsFiles', 'commonjs', 'handler.main');
  const classicFn = nodeFunction(stack, 'Classic', 'classic', 'index.handler');
  const syncFn = nodeFunction(stack, 'SyncStreaming', 'sync-streaming', 'index.handler');
  const bedrock = nodeFunction(stack, 'BedrockUnbundled', 'bedrock-unbundled', 'index.handler', { environment: { MODEL_ID: 'amazon.nova-lite-v1:0' } });
  const chatApi = new apigateway.SpecRestApi(stack, 'ChatApi', {
    restApiName: 'samples-chat',
    deployOptions: { stageName: 'prod' },
    apiDefinition: apigateway.ApiDefinition.fromInline({
      'openapi': '3.0.1',
      'info': { title: 'samples-chat', version: '1.0' },
      'x-amazon-apigateway-binary-media-types': ['application/octet-stream', 'image/*'],
      'paths': {
        '/echo': { post: { 'x-amazon-apigateway-integration': streaming(echo) } },
        '/events': { get: { 'x-amazon-apigateway-integration': streaming(events) } },
        '/files/{proxy+}': { 'x-amazon-apigateway-any-method': { 'x-amazon-apigateway-integration': streaming(files) } },
        '/classic': { get: { 'x-amazon-apigateway-integration': classic(classicFn) } },
        '/buffered-stream': { get: { 'x-amazon-apigateway-integration': classic(echo) } },
        '/sync': { get: { 'x-amazon-apigateway-integration': streaming(syncFn) } },
        '/bedrock': { post: { 'x-amazon-apigateway-integration': streaming(bedrock) } },
        '/mock': {
          get: {
            'x-amazon-apigateway-integration': {
              type: 'mock',
              requestTemplates: { 'application/json': '{"statusCode": 200}' },
              responses: { default: { statusCode: '200', responseTemplates: { 'application/json': '{"mock": true, "path": "$context.resourcePath"}' } } },
            },
          },
        },
      },
    }),
  });
  [echo, events, files, classicFn, syncFn, bedrock].forEach((fn, i) => fn.addPermission(`Invoke${i}`, {
    principal: new iam.ServicePrincipal('apigateway.amazonaws.com'),
    sourceArn: chatApi.arnForExecuteApi(),
  }));

  // 2. A SpecRestApi whose body is a file asset (ApiDefinition.fromAsset): literal ARNs only.
  nodeFunction(stack, 'AssetEcho', 'esm-named', 'index.echo', { functionName: 'samples-asset-echo' });
  new apigateway.SpecRestApi(stack, 'AssetApi', {
    deployOptions: { stageName: 'v1' },
    apiDefinition: apigateway.ApiDefinition.fromAsset(path.join(__dirname, 'openapi', 'asset-api.yaml')),
  });

  // 3. A RestApi whose method is made to stream with property overrides, and a Python web app.
  const webApp = new StreamingWebAppFunction(stack, 'PythonApp', {
    code: lambda.Code.fromAsset(path.join(__dirname, 'python-web-app', 'app')),
    runtime: options.pythonRuntime,
    environment: { CHUNK_DELAY_S: '0.3' },
    webAdapter: LambdaWebAdapter.publicLayer(),
  });
  const restApi = new apigateway.RestApi(stack, 'WebAppApi', { restApiName: 'samples-webapp', deployOptions: { stageName: 'dev' } });
  const method = restApi.root.addResource('app').addResource('{proxy+}').addMethod('ANY', new apigateway.LambdaIntegration(webApp, { timeout: Duration.minutes(5) }));
  const cfnMethod = method.node.defaultChild as apigateway.CfnMethod;
  cfnMethod.addPropertyOverride('Integration.Uri', `arn:aws:apigateway:${stack.region}:lambda:path/2021-11-15/functions/${webApp.functionArn}/response-streaming-invocations`);
  cfnMethod.addPropertyOverride('Integration.ResponseTransferMode', 'STREAM');

  return app.synth().directory;
}
