/**
 * Reads the REST APIs of a synthesized cloud assembly (`cdk.out`) into the routes the gateway
 * serves: every method of every API, written as `AWS::ApiGateway::Method` resources or in an
 * OpenAPI body (inline `Body`, or a `BodyS3Location` file asset), with its integration, transfer
 * mode and timeout, and for Lambda proxy integrations the function's code, handler, timeout and
 * environment. The template walk itself is the shared, dependency-free reader of
 * `src/private/template` (the constructs' validation uses the same one).
 */
import * as fs from 'fs';
import * as path from 'path';
import { functionByLiteralName, functionOf, readAssetBody } from './assembly-assets';
import { gatewayResponsesOf, mockOf, Resolve } from './assembly-responses';
import { cognitoAuthorizerOf, lambdaAuthorizerOf } from './auth/authorizers';
import { notEmulatedGuards } from './auth/not-emulated';
import { protectionOf } from './auth/protection';
import { meters, usageOf } from './auth/usage-plans';
import { deployTimeValue } from './deploy-values';
import type { EndpointType, Route, RouteFunction, WebAppSpec } from './route';
import { validationOf } from './validation/request-models';
import { isWebAppFunction, missingLanguage } from './web-app/language';
import {
  functionOfUri, lambdaUriKind, mergeTemplates, MethodModel, readTemplate, RestApiModel, StackTemplate, Template, TemplateResource,
} from '../src/private/template';
import { MAX_BUFFERED_TIMEOUT_MS } from '../wire/limits';

export type { EndpointType, Route, RouteFunction };

/** An assembly without a single REST API method. */
export class NoRoutesError extends Error {}

/**
 * Reads every REST API method of every stack in the assembly at `dir`. Throws when the assembly
 * has none (or when `api` names no API of it).
 */
export function readAssembly(dir: string, options: { api?: string } = {}): Route[] {
  const routes = readStacks(dir);
  if (routes.length === 0) {
    throw new NoRoutesError(`the cloud assembly ${dir} has no REST API method (AWS::ApiGateway::Method, or an OpenAPI body with x-amazon-apigateway-integration): is this the right app, and did 'cdk synth' succeed?`);
  }
  const selected = options.api ? routes.filter((r) => [r.apiId, r.apiName, `${r.stack}/${r.apiId}`].includes(options.api!)) : routes;
  if (selected.length === 0) {
    const names = [...new Set(routes.map((r) => `${r.apiName} (${r.stack}/${r.apiId})`))].join(', ');
    throw new NoRoutesError(`--api ${options.api} names no API of the assembly; it has: ${names}`);
  }
  return withPrefixes(selected).sort((a, b) => (a.prefix ?? '').localeCompare(b.prefix ?? '') || a.path.localeCompare(b.path) || a.httpMethod.localeCompare(b.httpMethod));
}

function readStacks(dir: string): Route[] {
  const manifestFile = path.join(dir, 'manifest.json');
  if (!fs.existsSync(manifestFile)) {
    throw new Error(`${dir} is not a cloud assembly (no manifest.json): run 'cdk synth' first, or pass --app <cdk.out>`);
  }
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  const routes: Route[] = [];
  const stacks: StackTemplate[] = [];
  for (const [stack, artifact] of Object.entries<any>(manifest.artifacts ?? {})) {
    if (artifact.type === 'aws:cloudformation:stack') {
      addStack(stacks, stack, JSON.parse(fs.readFileSync(path.join(dir, artifact.properties.templateFile), 'utf8')), dir);
    } else if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) {
      routes.push(...readStacks(path.join(dir, artifact.properties.directoryName)));
    }
  }
  // The stacks of one assembly read as one template: an API method in a nested stack, or on an
  // API of another stack, and a function of another stack are found where they are.
  if (stacks.length > 0) routes.push(...routesOfStacks(stacks, dir));
  return routes;
}

/** Adds a stack and, recursively, its nested stacks (their templates are assets of the assembly). */
function addStack(stacks: StackTemplate[], name: string, template: Template, dir: string, parent?: StackTemplate['parent']): void {
  stacks.push({ name, template, parent });
  for (const [id, resource] of Object.entries(template.Resources ?? {})) {
    if (resource.Type !== 'AWS::CloudFormation::Stack') continue;
    const file = nestedTemplateFile(resource, dir);
    if (file) addStack(stacks, `${name}/${id}`, JSON.parse(fs.readFileSync(file, 'utf8')), dir, { name, resourceId: id });
  }
}

/** A nested stack's template file: its `aws:asset:path`, else the file asset its `TemplateURL` hash names. */
function nestedTemplateFile(resource: TemplateResource, dir: string): string | undefined {
  const metadataPath: unknown = resource.Metadata?.['aws:asset:path'];
  if (typeof metadataPath === 'string' && fs.existsSync(path.join(dir, metadataPath))) return path.join(dir, metadataPath);
  const hash = /([0-9a-f]{64})\.json/.exec(JSON.stringify(resource.Properties?.TemplateURL ?? ''))?.[1];
  if (!hash) return undefined;
  for (const manifest of fs.readdirSync(dir).filter((f) => f.endsWith('.assets.json'))) {
    const source = JSON.parse(fs.readFileSync(path.join(dir, manifest), 'utf8')).files?.[hash]?.source?.path;
    if (typeof source === 'string' && fs.existsSync(path.join(dir, source))) return path.join(dir, source);
  }
  return undefined;
}

/** The routes of a set of stacks (see `mergeTemplates`): ids are named after their own stack. */
function routesOfStacks(stacks: StackTemplate[], assemblyDir: string): Route[] {
  const { template, origins } = mergeTemplates(stacks);
  const resources = template.Resources ?? {};
  const model = readTemplate(template, { readBody: (_location, apiId) => readAssetBody(resources[apiId], assemblyDir) });
  // Function ids key their execution environments: unique across stacks, short with one stack.
  const names: Names = {
    stackOf: (id) => origins.get(id)?.stack ?? stacks[0].name,
    idOf: (id) => origins.get(id)?.logicalId ?? id,
    functionOf: (id) => {
      const origin = origins.get(id);
      return !origin ? id : stacks.length === 1 ? origin.logicalId : `${origin.stack}/${origin.logicalId}`;
    },
  };
  const resolve: Resolve = (value) => deployTimeValue(value, resources, names);
  const routes: Route[] = [];
  for (const api of model.apis) {
    const gatewayResponses = gatewayResponsesOf(api, resources, resolve);
    const usage = usageOf(api.logicalId, resources, names.idOf);
    const guards = notEmulatedGuards(api.logicalId, resources);
    for (const method of api.methods) {
      const route = routeOf(api, method, resources, assemblyDir, names, resolve);
      const validation = validationOf(method, resources);
      const guardsNotEmulated = guards.length > 0 ? guards : undefined;
      routes.push({ ...route, gatewayResponses, usage: meters(usage) ? usage : undefined, validation, guardsNotEmulated });
    }
  }
  return routes;
}

interface Names {
  stackOf(mergedId: string): string;
  idOf(mergedId: string): string;
  functionOf(mergedId: string): string;
}

/** With several APIs, each is also served under `/<api name>` so same paths stay apart. */
function withPrefixes(routes: Route[]): Route[] {
  const apis = [...new Set(routes.map((r) => `${r.stack}/${r.apiId}`))];
  if (apis.length < 2) return routes;
  const used = new Set<string>();
  const prefixes = new Map<string, string>();
  for (const key of apis) {
    const route = routes.find((r) => `${r.stack}/${r.apiId}` === key)!;
    let slug = `/${slugOf(route.apiName) || slugOf(route.apiId)}`;
    if (used.has(slug)) slug = `/${slugOf(route.stack)}-${slugOf(route.apiId)}`;
    used.add(slug);
    prefixes.set(key, slug);
  }
  return routes.map((r) => ({ ...r, prefix: prefixes.get(`${r.stack}/${r.apiId}`) }));
}

function slugOf(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/** Reads the REST API methods of one CloudFormation template. */
export function routesOfTemplate(stack: string, template: Template, assemblyDir: string): Route[] {
  return routesOfStacks([{ name: stack, template }], assemblyDir);
}

function routeOf(
  api: RestApiModel, method: MethodModel, resources: Record<string, TemplateResource>, assemblyDir: string, names: Names, resolve: Resolve,
): Route {
  const integration = method.integration;
  const integrationType = typeof integration.type === 'string' ? integration.type.toUpperCase() : 'MOCK';
  const stageNames = [...new Set(api.stages.map((s) => s.stageName).filter((n): n is string => typeof n === 'string'))];
  const base = {
    stack: names.stackOf(api.logicalId),
    apiId: names.idOf(api.logicalId),
    apiName: typeof api.name === 'string' ? api.name : openApiTitle(api.body) ?? names.idOf(api.logicalId),
    source: method.source,
    endpointType: api.endpointType ?? 'EDGE',
    stageName: stageNames[0] ?? 'prod',
    stageNames: stageNames.length > 0 ? stageNames : ['prod'],
    binaryMediaTypes: binaryMediaTypesOf(api),
    path: method.path,
    httpMethod: method.httpMethod,
    integrationType,
    transferMode: integration.responseTransferMode === 'STREAM' ? 'STREAM' as const : 'BUFFERED' as const,
    timeoutMs: typeof integration.timeoutInMillis === 'number' ? integration.timeoutInMillis : MAX_BUFFERED_TIMEOUT_MS,
    protection: withAuthorizer(protectionOf(method), resources, assemblyDir, names),
  };
  if (!method.pathComplete) return { ...base, unsupported: 'the resource path is built from values unknown before deployment' };
  if (integrationType === 'HTTP_PROXY') {
    return typeof integration.uri === 'string'
      ? { ...base, url: integration.uri }
      : { ...base, unsupported: 'the HTTP_PROXY URL is built from CloudFormation values unknown before deployment: map it with --backend' };
  }
  if (integrationType === 'MOCK') {
    const mock = mockOf(integration, method.source, resolve);
    return 'unsupported' in mock ? { ...base, unsupported: mock.unsupported } : { ...base, mock };
  }
  if (integrationType !== 'AWS_PROXY') {
    return { ...base, unsupported: `${integrationType} integrations are not emulated (only AWS_PROXY Lambda, HTTP_PROXY and MOCK)` };
  }
  const uriKind = lambdaUriKind(integration.uri);
  const functionId = functionOfUri(integration.uri, resources).functionId ?? functionByLiteralName(integration.uri, resources);
  if (!functionId) return { ...base, lambdaUriKind: uriKind, unsupported: 'the integration URI does not name a Lambda function of this stack' };
  const fn = functionOf(names.functionOf(functionId), resources[functionId], assemblyDir);
  let unsupported: string | undefined;
  let webApp: WebAppSpec | undefined;
  if (base.transferMode === 'STREAM' && uriKind !== 'streaming') {
    unsupported = 'STREAM needs the response-streaming Lambda URI (2021-11-15/.../response-streaming-invocations); API Gateway rejects this one';
  } else if (!fn.assetDir && !fn.inlineCode) {
    unsupported = 'the function code is not a local asset of the assembly';
  } else if (isWebAppFunction(fn.environment, resources[functionId].Properties?.Layers ?? [])) {
    const { logicalId, runtime, environment, memorySize } = fn;
    if (!fn.assetDir) unsupported = 'the web app is not a local asset folder of the assembly';
    else webApp = { logicalId, codeDir: fn.assetDir, startScript: fn.handler, runtime, environment, memorySize };
    unsupported ??= missingLanguage(fn.runtime);
  } else if (!fn.runtime.startsWith('nodejs')) {
    unsupported = `the function's runtime ${fn.runtime} is not emulated (Node.js handlers, and any language behind the Lambda Web Adapter)`;
  }
  return { ...base, function: fn, webApp, lambdaUriKind: uriKind, unsupported };
}

/** A protection whose Lambda authorizer (TOKEN, REQUEST) the gateway can run, with it. */
function withAuthorizer(protection: Route['protection'], resources: Record<string, TemplateResource>, dir: string, names: Names): Route['protection'] {
  if (!protection?.authorizerId) return protection;
  if (protection.authorizationType === 'COGNITO_USER_POOLS') {
    const cognito = cognitoAuthorizerOf(protection.authorizerId, resources, names.idOf);
    return cognito ? { ...protection, cognito } : protection;
  }
  const authorizer = protection.authorizationType === 'CUSTOM' ? lambdaAuthorizerOf(protection.authorizerId, resources, dir, names.functionOf) : undefined;
  return authorizer ? { ...protection, authorizer } : protection;
}

/** `x-amazon-apigateway-binary-media-types` or `BinaryMediaTypes`, `~1` read as `/`. */
function binaryMediaTypesOf(api: RestApiModel): string[] {
  const types = [api.binaryMediaTypes, api.openApi.binaryMediaTypes].flatMap((value) => (Array.isArray(value) ? value : []));
  return types.filter((t): t is string => typeof t === 'string').map((t) => t.replace(/~1/g, '/').toLowerCase());
}

function openApiTitle(body: unknown): string | undefined {
  const title = (body as { info?: { title?: unknown } } | undefined)?.info?.title;
  return typeof title === 'string' ? title : undefined;
}
