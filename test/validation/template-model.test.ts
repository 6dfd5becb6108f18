import * as fs from 'fs';
import * as path from 'path';
import { Duration, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import {
  effectiveSetting, encodeSettingsPath, functionOfUri, mergeTemplates, isClassicLambdaUri, isStreamingLambdaUri, lambdaUriKind,
  readRestApis, readTemplate, resourcePath, Template,
} from '../../src/private/template';
import { newStack, streamingInlineFunction, templateOf } from '../support/stacks';

const FOLDER = path.join(__dirname, '../../src/private/template');

const fn = streamingInlineFunction;

function synth(build: (stack: Stack) => void): Template {
  const { stack } = newStack({ id: 'S', region: null });
  build(stack);
  return templateOf(stack) as Template;
}

describe('the template folder is dependency-free (the local gateway bundles it)', () => {
  const files = fs.readdirSync(FOLDER).filter((f) => f.endsWith('.ts'));

  test.each(files)('%s imports only files of the folder', (file) => {
    const source = fs.readFileSync(path.join(FOLDER, file), 'utf8');
    const specifiers = [...source.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)|import\(?\s*['"]([^'"]+)['"]/g)]
      .map((m) => m[1] ?? m[2] ?? m[3]);
    for (const specifier of specifiers) {
      expect(specifier).toMatch(/^\.\/[\w-]+$/);
      expect(fs.existsSync(path.join(FOLDER, `${specifier}.ts`))).toBe(true);
    }
  });

  test('the folder holds the reader', () => {
    expect(files).toEqual(expect.arrayContaining(['index.ts', 'rest-apis.ts', 'openapi.ts', 'stages.ts', 'lambda.ts', 'intrinsics.ts', 'types.ts']));
  });
});

describe('readTemplate on an L2 RestApi', () => {
  const template = synth((stack) => {
    const handler = fn(stack);
    const api = new apigateway.RestApi(stack, 'Api', {
      restApiName: 'chat-api',
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      binaryMediaTypes: ['image/png'],
      deployOptions: { stageName: 'live', methodOptions: { '/chat/{id}/POST': { cachingEnabled: false } }, cachingEnabled: true },
    });
    api.root.addMethod('GET', new apigateway.MockIntegration({ integrationResponses: [{ statusCode: '200', responseTemplates: { 'application/json': '{}' } }] }));
    api.root.addResource('chat').addResource('{id}').addMethod('POST', new apigateway.LambdaIntegration(handler, {
      responseTransferMode: apigateway.ResponseTransferMode.STREAM, timeout: Duration.minutes(10), cacheKeyParameters: ['method.request.path.id'],
    }));
  });
  const [api] = readRestApis(template);

  test('the API and its settings', () => {
    expect(readRestApis(template)).toHaveLength(1);
    expect(api.name).toBe('chat-api');
    expect(api.endpointType).toBe('REGIONAL');
    expect(api.binaryMediaTypes).toEqual(['image/png']);
    expect(api.minimumCompressionSize).toBeUndefined();
  });

  test('every method with its full path and integration', () => {
    const byKey = Object.fromEntries(api.methods.map((m) => [`${m.httpMethod} ${m.path}`, m]));
    expect(Object.keys(byKey).sort()).toEqual(['GET /', 'POST /chat/{id}']);
    const post = byKey['POST /chat/{id}'];
    expect(post.pathComplete).toBe(true);
    expect(post.source).toBe('CloudFormation');
    expect(post.integration.type).toBe('AWS_PROXY');
    expect(post.integration.responseTransferMode).toBe('STREAM');
    expect(post.integration.timeoutInMillis).toBe(600_000);
    expect(post.integration.cacheKeyParameters).toEqual(['method.request.path.id']);
    expect(isStreamingLambdaUri(post.integration.uri)).toBe(true);
    expect(functionOfUri(post.integration.uri, template.Resources!).functionId).toMatch(/^Fn/);
    expect(byKey['GET /'].integration.type).toBe('MOCK');
    expect(byKey['GET /'].integration.integrationResponses).toEqual([expect.objectContaining({ StatusCode: '200' })]);
  });

  test('the stage and the setting API Gateway applies per method', () => {
    expect(api.stages).toHaveLength(1);
    const [stage] = api.stages;
    expect(stage.kind).toBe('Stage');
    expect(stage.stageName).toBe('live');
    expect(effectiveSetting(stage, '/chat/{id}', 'POST', 'cachingEnabled')?.cachingEnabled).toBe(false);
    expect(effectiveSetting(stage, '/', 'GET', 'cachingEnabled')).toMatchObject({ resourcePath: '/*', httpMethod: '*', cachingEnabled: true });
  });
});

describe('readTemplate on OpenAPI bodies', () => {
  const body = {
    'openapi': '3.0.1',
    'x-amazon-apigateway-minimum-compression-size': 1024,
    'x-amazon-apigateway-binary-media-types': ['*/*'],
    'paths': {
      '/chat': {
        'post': { 'x-amazon-apigateway-integration': { type: 'aws_proxy', responseTransferMode: 'STREAM', uri: 'arn:aws:apigateway:us-east-1:lambda:path/2021-11-15/functions/arn:aws:lambda:us-east-1:1:function:f/response-streaming-invocations', responses: { default: { statusCode: '200' } }, cacheKeyParameters: ['x'] } },
        'x-amazon-apigateway-any-method': { 'x-amazon-apigateway-integration': { type: 'http_proxy', uri: 'https://h/x', httpMethod: 'ANY' } },
        'parameters': [],
      },
      '/plain': { get: { responses: {} } },
    },
  };

  test('inline body: operations, extensions and verbs (ANY included)', () => {
    const template = synth((stack) => new apigateway.SpecRestApi(stack, 'Spec', { apiDefinition: apigateway.ApiDefinition.fromInline(body) }));
    const [api] = readRestApis(template);
    expect(api.openApi.minimumCompressionSize).toBe(1024);
    expect(api.openApi.binaryMediaTypes).toEqual(['*/*']);
    expect(api.endpointType).toBe('EDGE');
    expect(api.methods.map((m) => `${m.source} ${m.httpMethod} ${m.path}`).sort()).toEqual(['OpenAPI ANY /chat', 'OpenAPI POST /chat']);
    const post = api.methods.find((m) => m.httpMethod === 'POST')!;
    expect(post.integration).toMatchObject({ type: 'AWS_PROXY', responseTransferMode: 'STREAM', integrationResponses: { default: { statusCode: '200' } }, cacheKeyParameters: ['x'] });
    expect(functionOfUri(post.integration.uri, {}).literalQualified).toBe(false);
    expect(api.methods.find((m) => m.httpMethod === 'ANY')!.integration.integrationHttpMethod).toBe('ANY');
  });

  test('body in S3: the location is kept, and readBody supplies the document', () => {
    const location = { Bucket: 'b', Key: 'k.json' };
    const template: Template = { Resources: { Api: { Type: 'AWS::ApiGateway::RestApi', Properties: { BodyS3Location: location } } } };
    expect(readRestApis(template)[0].methods).toEqual([]);
    const seen: unknown[] = [];
    const [api] = readRestApis(template, { readBody: (loc, id) => { seen.push([loc, id]); return body; } });
    expect(seen).toEqual([[location, 'Api']]);
    expect(api.bodyS3Location).toEqual(location);
    expect(api.methods).toHaveLength(2);
  });
});

describe('hand-written templates', () => {
  test('methods of another template\'s API, deployment stage descriptions, cycles', () => {
    const template: Template = {
      Resources: {
        A: { Type: 'AWS::ApiGateway::Resource', Properties: { ParentId: { Ref: 'B' }, PathPart: 'a' } },
        B: { Type: 'AWS::ApiGateway::Resource', Properties: { ParentId: { Ref: 'A' }, PathPart: 'b' } },
        M: { Type: 'AWS::ApiGateway::Method', Properties: { RestApiId: { 'Fn::ImportValue': 'ApiId' }, ResourceId: { Ref: 'A' }, HttpMethod: 'get', Integration: { Type: 'MOCK' } } },
        D: { Type: 'AWS::ApiGateway::Deployment', Properties: { RestApiId: 'abc', StageName: 'v1', StageDescription: { CachingEnabled: true, MethodSettings: [{ ResourcePath: '/~1a', HttpMethod: 'GET', CachingEnabled: false }] } } },
      },
    };
    const model = readTemplate(template);
    expect(model.apis).toEqual([]);
    expect(model.otherMethods).toHaveLength(1);
    expect(model.otherMethods[0]).toMatchObject({ httpMethod: 'GET', pathComplete: false, restApiId: { 'Fn::ImportValue': 'ApiId' } });
    expect(model.otherStages).toHaveLength(1);
    const stage = model.otherStages[0];
    expect(effectiveSetting(stage, '/a', 'GET', 'cachingEnabled')?.cachingEnabled).toBe(false);
    expect(effectiveSetting(stage, '/a', 'POST', 'cachingEnabled')?.cachingEnabled).toBe(true);
  });

  test('resourcePath walks Fn::GetAtt RootResourceId as the root', () => {
    const resources = {
      R: { Type: 'AWS::ApiGateway::Resource', Properties: { ParentId: { 'Fn::GetAtt': ['Api', 'RootResourceId'] }, PathPart: '{proxy+}' } },
    };
    expect(resourcePath({ Ref: 'R' }, resources)).toEqual({ path: '/{proxy+}', complete: true });
    expect(resourcePath({ 'Fn::GetAtt': ['Api', 'RootResourceId'] }, resources)).toEqual({ path: '/', complete: true });
    expect(encodeSettingsPath('/a/{b}')).toBe('/~1a~1{b}');
  });

  test('Lambda URIs: streaming, classic, qualified through a version or alias', () => {
    const resources = {
      Fn: { Type: 'AWS::Lambda::Function', Properties: {} },
      V: { Type: 'AWS::Lambda::Version', Properties: { FunctionName: { Ref: 'Fn' } } },
      Al: { Type: 'AWS::Lambda::Alias', Properties: { FunctionName: { Ref: 'Fn' }, FunctionVersion: { 'Fn::GetAtt': ['V', 'Version'] } } },
    };
    const join = (target: unknown, tail: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':apigateway:us-east-1:lambda:path/', target, tail]] });
    expect(lambdaUriKind(join({ 'Fn::GetAtt': ['Fn', 'Arn'] }, '/response-streaming-invocations'))).toBe('streaming');
    expect(isClassicLambdaUri('arn:aws:apigateway:r:lambda:path/2015-03-31/functions/arn:aws:lambda:r:1:function:f/invocations')).toBe(true);
    expect(lambdaUriKind('https://example.com/x')).toBeUndefined();
    expect(functionOfUri(join({ Ref: 'Al' }, '/response-streaming-invocations'), resources)).toEqual({ functionId: 'Fn', qualifierId: 'Al', literalQualified: false });
    expect(functionOfUri(join({ Ref: 'V' }, '/x'), resources)).toMatchObject({ functionId: 'Fn', qualifierId: 'V' });
    expect(functionOfUri('arn:aws:apigateway:r:lambda:path/2021-11-15/functions/arn:aws:lambda:r:1:function:f:live/response-streaming-invocations', resources).literalQualified).toBe(true);
    // SAM-style Fn::Sub URIs name the function inside the string.
    const sub = { 'Fn::Sub': 'arn:aws:apigateway:${AWS::Region}:lambda:path/2021-11-15/functions/${Fn.Arn}/response-streaming-invocations' };
    expect(lambdaUriKind(sub)).toBe('streaming');
    expect(functionOfUri(sub, resources)).toEqual({ functionId: 'Fn', qualifierId: undefined, literalQualified: false });
    expect(functionOfUri({ 'Fn::Sub': ['${Target}/x', { Target: 'y' }] }, { Target: resources.Fn }).functionId).toBeUndefined();
  });
});

describe('mergeTemplates: nested stacks and imports between stacks', () => {
  const parent: Template = {
    Resources: {
      Api: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'api' } },
      V1: { Type: 'AWS::ApiGateway::Resource', Properties: { ParentId: { 'Fn::GetAtt': ['Api', 'RootResourceId'] }, PathPart: 'v1' } },
      Child: { Type: 'AWS::CloudFormation::Stack', Properties: { Parameters: { ParentV1: { Ref: 'V1' }, ParentApi: { Ref: 'Api' } } } },
    },
    Outputs: { ApiId: { Value: { Ref: 'Api' }, Export: { Name: 'Parent:ApiId' } } },
  };
  const child: Template = {
    Resources: {
      Chat: { Type: 'AWS::ApiGateway::Resource', Properties: { ParentId: { Ref: 'ParentV1' }, PathPart: 'chat' } },
      Post: { Type: 'AWS::ApiGateway::Method', Properties: { RestApiId: { Ref: 'ParentApi' }, ResourceId: { Ref: 'Chat' }, HttpMethod: 'POST', Integration: { Type: 'MOCK' } } },
    },
  };
  const other: Template = {
    Resources: {
      Get: { Type: 'AWS::ApiGateway::Method', Properties: { RestApiId: { 'Fn::ImportValue': 'Parent:ApiId' }, ResourceId: { 'Fn::ImportValue': 'Unknown' }, HttpMethod: 'GET' } },
    },
  };

  test('a nested stack\'s method lands under the parent\'s API with its full path; an imported one too', () => {
    const merged = mergeTemplates([
      { name: 'Parent', template: parent },
      { name: 'Parent/Child', template: child, parent: { name: 'Parent', resourceId: 'Child' } },
      { name: 'Other', template: other },
    ]);
    const [api] = readRestApis(merged.template);
    expect(merged.origins.get(api.logicalId)).toEqual({ stack: 'Parent', logicalId: 'Api' });
    const byKey = Object.fromEntries(api.methods.map((m) => [`${m.httpMethod} ${m.path}`, m]));
    expect(Object.keys(byKey).sort()).toEqual(['GET /', 'POST /v1/chat']);
    expect(byKey['POST /v1/chat'].pathComplete).toBe(true);
    expect(merged.origins.get(byKey['POST /v1/chat'].logicalId)).toEqual({ stack: 'Parent/Child', logicalId: 'Post' });
    // The import of an unknown export stays as it is (the path cannot be walked).
    expect(byKey['GET /'].pathComplete).toBe(false);
  });

  test('without the links, the methods belong to no API of the set', () => {
    const merged = mergeTemplates([{ name: 'Parent', template: parent }, { name: 'Child', template: child }]);
    const model = readTemplate(merged.template);
    expect(model.apis[0].methods).toEqual([]);
    expect(model.otherMethods).toHaveLength(1);
  });
});
