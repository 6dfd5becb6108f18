/**
 * Builds small cloud assemblies by hand for the gateway tests: a REST API whose methods are backed
 * by handler code given as JavaScript text (or by an HTTP backend), without the CDK.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export interface TestRoute {
  readonly path: string;
  readonly method?: string;
  /** JavaScript source of index.js, exporting `handler` (the `awslambda` global is available). */
  readonly code?: string;
  /** HTTP_PROXY backend URL instead of a function. */
  readonly url?: string;
  readonly mode?: 'STREAM' | 'BUFFERED';
  readonly timeoutMs?: number;
  readonly functionTimeoutSeconds?: number;
  readonly memorySize?: number;
  readonly integrationType?: string;
  readonly runtime?: string;
  readonly environment?: Record<string, string>;
  /** The Lambda URI: `streaming` (2021-11-15, the default) or `classic` (2015-03-31, buffered only). */
  readonly uri?: 'streaming' | 'classic';
}

export interface TestApiOptions {
  /** The API's `BinaryMediaTypes`. */
  readonly binaryMediaTypes?: string[];
}

/** Writes an assembly with one stack and one API holding `routes`; returns its directory. */
export function buildAssembly(routes: TestRoute[], endpointType = 'REGIONAL', api: TestApiOptions = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gateway-test-'));
  const resources: Record<string, any> = {
    Api: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'TestApi', EndpointConfiguration: { Types: [endpointType] }, BinaryMediaTypes: api.binaryMediaTypes } },
    Stage: { Type: 'AWS::ApiGateway::Stage', Properties: { RestApiId: { Ref: 'Api' }, StageName: 'prod' } },
  };
  const resourceIds = new Map<string, string>();
  const resourceFor = (p: string): any => {
    if (p === '/') return { 'Fn::GetAtt': ['Api', 'RootResourceId'] };
    if (resourceIds.has(p)) return { Ref: resourceIds.get(p) };
    const parentRef = resourceFor(p.slice(0, p.lastIndexOf('/')) || '/');
    const id = `Res${resourceIds.size}`;
    resources[id] = { Type: 'AWS::ApiGateway::Resource', Properties: { RestApiId: { Ref: 'Api' }, ParentId: parentRef, PathPart: p.slice(p.lastIndexOf('/') + 1) } };
    resourceIds.set(p, id);
    return { Ref: id };
  };
  routes.forEach((route, index) => {
    const integration: Record<string, unknown> = {
      Type: route.integrationType ?? (route.url ? 'HTTP_PROXY' : 'AWS_PROXY'),
      IntegrationHttpMethod: 'POST',
      ResponseTransferMode: route.mode ?? 'STREAM',
      TimeoutInMillis: route.timeoutMs ?? 900000,
    };
    if (route.url) {
      integration.Uri = route.url;
    } else {
      const fnId = `Fn${index}`;
      const assetDir = `asset.${index}`;
      fs.mkdirSync(path.join(dir, assetDir));
      fs.writeFileSync(path.join(dir, assetDir, 'index.js'), route.code ?? '');
      resources[fnId] = {
        Type: 'AWS::Lambda::Function',
        Metadata: { 'aws:asset:path': assetDir },
        Properties: { Handler: 'index.handler', Runtime: route.runtime ?? 'nodejs24.x', Timeout: route.functionTimeoutSeconds ?? 30, MemorySize: route.memorySize, Environment: { Variables: route.environment ?? {} } },
      };
      const classic = route.uri === 'classic';
      const apiPath = classic ? '2015-03-31/functions/' : '2021-11-15/functions/';
      const suffix = classic ? '/invocations' : '/response-streaming-invocations';
      integration.Uri = { 'Fn::Join': ['', ['arn:aws:apigateway:us-east-1:lambda:path/', apiPath, { 'Fn::GetAtt': [fnId, 'Arn'] }, suffix]] };
    }
    resources[`Method${index}`] = {
      Type: 'AWS::ApiGateway::Method',
      Properties: { RestApiId: { Ref: 'Api' }, ResourceId: resourceFor(route.path), HttpMethod: route.method ?? 'GET', Integration: integration },
    };
  });
  writeStackAssembly(dir, resources, 'Test');
  return dir;
}

/** Writes a cloud assembly of one stack (`stack`) whose template has `resources`, in `dir`. */
export function writeStackAssembly(dir: string, resources: Record<string, unknown>, stack = 'S'): string {
  fs.writeFileSync(path.join(dir, `${stack}.template.json`), JSON.stringify({ Resources: resources }));
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({
    version: '40.0.0',
    artifacts: { [stack]: { type: 'aws:cloudformation:stack', properties: { templateFile: `${stack}.template.json` } } },
  }));
  return dir;
}

/** A raw streaming handler (metadata via HttpResponseStream.from) writing `chunks` `delayMs` apart. */
export function chunkedHandler(metadata: object, chunks: string[], delayMs = 0): string {
  return `exports.handler = awslambda.streamifyResponse(async (event, responseStream) => {
  const stream = awslambda.HttpResponseStream.from(responseStream, ${JSON.stringify(metadata)});
  for (const chunk of ${JSON.stringify(chunks)}) {
    stream.write(chunk);
    await new Promise((r) => setTimeout(r, ${delayMs}));
  }
  stream.end();
});`;
}
