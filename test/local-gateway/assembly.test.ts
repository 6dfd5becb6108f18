import * as fs from 'fs';
import * as path from 'path';
import { synthMultiStackApp } from './apps/multi-stack';
import { readAssembly } from '../../local-gateway/assembly';
import { readAssetBody } from '../../local-gateway/assembly-assets';
import { subReferences } from '../../src/private/template';
import { tempDir } from '../support/temp-dirs';
import { writeStackAssembly } from './support/assembly';

// Templates written the way SAM-style samples write them (an OpenAPI body whose integration URI
// is an Fn::Sub string), read into routes.

function assemblyOf(resources: Record<string, unknown>): string {
  const dir = tempDir('assembly-test');
  fs.mkdirSync(path.join(dir, 'asset.fn'));
  fs.writeFileSync(path.join(dir, 'asset.fn', 'index.mjs'), 'export const handler = awslambda.streamifyResponse(async () => {});');
  return writeStackAssembly(dir, resources);
}

test('Fn::Sub strings name the resources they interpolate, not pseudo parameters, escapes or their own variables', () => {
  expect(subReferences({ 'Fn::Sub': 'arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2021-11-15/functions/${StreamingFn.Arn}/x ${!Literal} ${Other}' }))
    .toEqual(['StreamingFn', 'Other']);
  expect(subReferences({ 'Fn::Sub': ['${Fn.Arn}/${Mine}', { Mine: 'x' }] })).toEqual(['Fn']);
  expect(subReferences({ Ref: 'X' })).toEqual([]);
});

test('an OpenAPI body whose Lambda URI is an Fn::Sub string (the SAM samples\' style) routes to the function', () => {
  const dir = assemblyOf({
    StreamingFn: {
      Type: 'AWS::Lambda::Function',
      Metadata: { 'aws:asset:path': 'asset.fn' },
      Properties: { Handler: 'index.handler', Runtime: 'nodejs22.x', Timeout: 60 },
    },
    Api: {
      Type: 'AWS::ApiGateway::RestApi',
      Properties: {
        Name: 'sam-style',
        Body: {
          openapi: '3.0.1',
          paths: {
            '/ask': {
              post: {
                'x-amazon-apigateway-integration': {
                  uri: { 'Fn::Sub': 'arn:aws:apigateway:${AWS::Region}:lambda:path/2021-11-15/functions/${StreamingFn.Arn}/response-streaming-invocations' },
                  httpMethod: 'POST',
                  responseTransferMode: 'STREAM',
                  type: 'aws_proxy',
                },
              },
            },
          },
        },
      },
    },
    Stage: { Type: 'AWS::ApiGateway::Stage', Properties: { RestApiId: { Ref: 'Api' }, StageName: 'v2' } },
    Canary: { Type: 'AWS::ApiGateway::Stage', Properties: { RestApiId: { Ref: 'Api' }, StageName: 'canary' } },
  });
  const [route] = readAssembly(dir);
  expect(route).toMatchObject({ path: '/ask', httpMethod: 'POST', stageName: 'v2', stageNames: ['v2', 'canary'], transferMode: 'STREAM', lambdaUriKind: 'streaming', source: 'OpenAPI' });
  expect(route.function).toMatchObject({ logicalId: 'StreamingFn', handler: 'index.handler', assetDir: path.join(dir, 'asset.fn') });
  expect(route.unsupported).toBeUndefined();
});

test('an API in one stack with methods in a nested stack and functions in another stack: every route finds its function', () => {
  const dir = synthMultiStackApp(tempDir('multi-stack'));
  const routes = readAssembly(dir);
  expect(routes.map((r) => `${r.stack} ${r.stageName} ${r.httpMethod} ${r.path} ${r.unsupported ?? 'served'}`).sort()).toEqual([
    'Api live POST /echo served',
    'Api live POST /nested served',
  ]);
  for (const route of routes) {
    expect(route.function?.logicalId).toMatch(/^Functions\/Echo/);
    expect(fs.existsSync(path.join(route.function!.assetDir!, 'index.mjs'))).toBe(true);
  }
}, 60_000);

describe('OpenAPI bodies in file assets', () => {
  const api = (file: string) => ({ Type: 'AWS::ApiGateway::RestApi', Metadata: { 'aws:asset:path': file }, Properties: { BodyS3Location: { Bucket: 'b', Key: 'k' } } });

  test('a YAML body is read with the app\'s aws-cdk-lib parser', () => {
    const dir = tempDir('asset-body');
    fs.writeFileSync(path.join(dir, 'api.yaml'), 'openapi: "3.0.1"\npaths:\n  /chat:\n    post: {}\n');
    expect(readAssetBody(api('api.yaml'), dir)).toEqual({ openapi: '3.0.1', paths: { '/chat': { post: {} } } });
  });

  test('a body that is neither JSON nor YAML is an error naming the file', () => {
    const dir = tempDir('asset-body');
    fs.writeFileSync(path.join(dir, 'broken.yaml'), 'openapi: "3.0.1"\npaths: [unclosed\n  - : :\n');
    expect(() => readAssetBody(api('broken.yaml'), dir)).toThrow(/broken\.yaml: the OpenAPI body is neither JSON nor YAML/);
  });
});
