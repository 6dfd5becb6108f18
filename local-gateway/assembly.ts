/**
 * Reads the REST API methods of a synthesized cloud assembly (`cdk.out`): their paths, HTTP
 * methods, integrations, transfer modes and timeouts, and for Lambda proxy integrations the
 * function's bundled asset, handler, timeout and environment.
 */
import * as fs from 'fs';
import * as path from 'path';
import { MAX_BUFFERED_TIMEOUT_MS } from '../wire/limits';

export type EndpointType = 'EDGE' | 'REGIONAL' | 'PRIVATE';

/** The Lambda function behind a Lambda proxy route. */
export interface RouteFunction {
  readonly logicalId: string;
  /** The asset folder with the function's code (absolute), if the code is a local asset. */
  readonly assetDir?: string;
  /** Inline code (`Code.ZipFile`), if any. */
  readonly inlineCode?: string;
  /** `file.export`, e.g. `index.handler`. */
  readonly handler: string;
  readonly runtime: string;
  readonly timeoutSeconds: number;
  readonly memorySize: number;
  /** Environment variables whose values are literals (tokens are left out). */
  readonly environment: Record<string, string>;
}

/** One method of a REST API. */
export interface Route {
  readonly stack: string;
  readonly apiId: string;
  readonly apiName: string;
  readonly endpointType: EndpointType;
  readonly stageName: string;
  /** The resource path, e.g. `/chat/{id}` or `/files/{proxy+}`. */
  readonly path: string;
  /** `GET`, `POST`, ... or `ANY`. */
  readonly httpMethod: string;
  /** `AWS_PROXY`, `HTTP_PROXY`, `AWS`, `HTTP`, `MOCK`. */
  readonly integrationType: string;
  readonly transferMode: 'STREAM' | 'BUFFERED';
  /** Integration timeout in ms (API Gateway's default, 29 s, when unset). */
  readonly timeoutMs: number;
  /** HTTP_PROXY: the backend URL. */
  readonly url?: string;
  /** AWS_PROXY: the function, when the URI names one in the same stack. */
  readonly function?: RouteFunction;
  /** The Lambda URI's kind: the streaming (`2021-11-15`) or classic (`2015-03-31`) invocation. */
  readonly lambdaUriKind?: 'streaming' | 'classic';
  /** Why this route cannot be served locally, if it cannot. */
  readonly unsupported?: string;
}

interface CfnResource {
  readonly Type: string;
  readonly Properties?: any;
  readonly Metadata?: any;
}


/** Reads every REST API method of every stack in the assembly at `dir`. */
export function readAssembly(dir: string): Route[] {
  const manifestFile = path.join(dir, 'manifest.json');
  if (!fs.existsSync(manifestFile)) {
    throw new Error(`${dir} is not a cloud assembly (no manifest.json): run 'cdk synth' first, or pass --app <cdk.out>`);
  }
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  const routes: Route[] = [];
  for (const [stack, artifact] of Object.entries<any>(manifest.artifacts ?? {})) {
    if (artifact.type === 'aws:cloudformation:stack') {
      const template = JSON.parse(fs.readFileSync(path.join(dir, artifact.properties.templateFile), 'utf8'));
      routes.push(...routesOfTemplate(stack, template, dir));
    } else if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) {
      routes.push(...readAssembly(path.join(dir, artifact.properties.directoryName)));
    }
  }
  return routes.sort((a, b) => a.path.localeCompare(b.path) || a.httpMethod.localeCompare(b.httpMethod));
}

/** Reads the REST API methods of one CloudFormation template. */
export function routesOfTemplate(stack: string, template: { Resources?: Record<string, CfnResource> }, assemblyDir: string): Route[] {
  const resources = template.Resources ?? {};
  const refId = (value: any): string | undefined => value?.Ref ?? (Array.isArray(value?.['Fn::GetAtt']) ? value['Fn::GetAtt'][0] : undefined);
  const pathOf = (resourceId: any, depth = 0): string => {
    const id = refId(resourceId);
    const resource = id ? resources[id] : undefined;
    if (resource?.Type !== 'AWS::ApiGateway::Resource' || resourceId?.['Fn::GetAtt']) return '/';
    if (depth > 100) throw new Error(`the resource tree of ${stack} has a cycle at ${id}`);
    const parent = pathOf(resource.Properties.ParentId, depth + 1);
    return `${parent === '/' ? '' : parent}/${resource.Properties.PathPart}`;
  };
  const stageOf = (apiId: string): string => {
    for (const resource of Object.values(resources)) {
      if (resource.Type === 'AWS::ApiGateway::Stage' && refId(resource.Properties?.RestApiId) === apiId) return String(resource.Properties.StageName ?? 'prod');
    }
    return 'prod';
  };
  const routes: Route[] = [];
  for (const resource of Object.values(resources)) {
    if (resource.Type !== 'AWS::ApiGateway::Method') continue;
    const props = resource.Properties ?? {};
    const apiId = refId(props.RestApiId) ?? 'unknown';
    const api = resources[apiId];
    const types: string[] = api?.Properties?.EndpointConfiguration?.Types ?? ['EDGE'];
    const integration = props.Integration ?? {};
    const integrationType = String(integration.Type ?? 'MOCK');
    const base = {
      stack,
      apiId,
      apiName: String(api?.Properties?.Name ?? apiId),
      endpointType: (types[0] ?? 'EDGE') as EndpointType,
      stageName: stageOf(apiId),
      path: pathOf(props.ResourceId),
      httpMethod: String(props.HttpMethod),
      integrationType,
      transferMode: integration.ResponseTransferMode === 'STREAM' ? 'STREAM' as const : 'BUFFERED' as const,
      timeoutMs: typeof integration.TimeoutInMillis === 'number' ? integration.TimeoutInMillis : MAX_BUFFERED_TIMEOUT_MS,
    };
    if (integrationType === 'HTTP_PROXY') {
      routes.push(typeof integration.Uri === 'string'
        ? { ...base, url: integration.Uri }
        : { ...base, unsupported: 'the HTTP_PROXY URL is built from CloudFormation values unknown before deployment: map it with --backend' });
      continue;
    }
    if (integrationType !== 'AWS_PROXY') {
      routes.push({ ...base, unsupported: `${integrationType} integrations are not emulated (only AWS_PROXY Lambda and HTTP_PROXY)` });
      continue;
    }
    const uri = JSON.stringify(integration.Uri ?? '');
    const lambdaUriKind = uri.includes('/response-streaming-invocations') ? 'streaming' as const : uri.includes('2015-03-31') ? 'classic' as const : undefined;
    const functionId = findFunctionId(integration.Uri, resources);
    if (!functionId) {
      routes.push({ ...base, lambdaUriKind, unsupported: 'the integration URI does not name a Lambda function of this stack' });
      continue;
    }
    const fn = functionOf(functionId, resources[functionId], assemblyDir);
    let unsupported: string | undefined;
    if (!fn.runtime.startsWith('nodejs')) unsupported = `the function's runtime ${fn.runtime} is not emulated (only Node.js)`;
    else if (!fn.assetDir && !fn.inlineCode) unsupported = 'the function code is not a local asset of the assembly';
    else if (base.transferMode === 'STREAM' && lambdaUriKind !== 'streaming') unsupported = 'STREAM needs the response-streaming Lambda URI (2021-11-15/.../response-streaming-invocations); API Gateway rejects this one';
    routes.push({ ...base, function: fn, lambdaUriKind, unsupported });
  }
  return routes;
}

function findFunctionId(uri: unknown, resources: Record<string, CfnResource>): string | undefined {
  let found: string | undefined;
  const visit = (value: any): void => {
    if (found || value === null || typeof value !== 'object') return;
    const getAtt = value['Fn::GetAtt'];
    if (Array.isArray(getAtt) && resources[getAtt[0]]?.Type === 'AWS::Lambda::Function') {
      found = getAtt[0];
      return;
    }
    if (typeof value.Ref === 'string') {
      const target = resources[value.Ref];
      if (target?.Type === 'AWS::Lambda::Function') found = value.Ref;
      else if (target?.Type === 'AWS::Lambda::Alias' || target?.Type === 'AWS::Lambda::Version') visit(target.Properties?.FunctionName);
      return;
    }
    Object.values(value).forEach(visit);
  };
  visit(uri);
  return found;
}

function functionOf(logicalId: string, resource: CfnResource, assemblyDir: string): RouteFunction {
  const props = resource.Properties ?? {};
  const assetPath: string | undefined = resource.Metadata?.['aws:asset:path'];
  const environment: Record<string, string> = {};
  for (const [key, value] of Object.entries<any>(props.Environment?.Variables ?? {})) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') environment[key] = String(value);
  }
  return {
    logicalId,
    assetDir: assetPath ? path.resolve(assemblyDir, assetPath) : undefined,
    inlineCode: typeof props.Code?.ZipFile === 'string' ? props.Code.ZipFile : undefined,
    handler: String(props.Handler ?? 'index.handler'),
    runtime: String(props.Runtime ?? 'unknown'),
    timeoutSeconds: typeof props.Timeout === 'number' ? props.Timeout : 3,
    memorySize: typeof props.MemorySize === 'number' ? props.MemorySize : 128,
    environment,
  };
}
