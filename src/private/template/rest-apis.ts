/**
 * Reads every REST API of a synthesized template: the API's settings, its stages, and each
 * method with its full resource path and integration. Dependency-free.
 */
import { getAttOf, logicalIdOf, refOf } from './intrinsics';
import { openApiMethods, openApiSettings } from './openapi';
import { stageOf } from './stages';
import { IntegrationModel, MethodModel, ReadOptions, RestApiModel, StageModel, Template, TemplateModel, TemplateResource } from './types';

/** Deeper resource trees than this are treated as cycles. */
const MAX_DEPTH = 200;

/** Everything REST API that `template` defines. */
export function readTemplate(template: Template, options: ReadOptions = {}): TemplateModel {
  const resources = template.Resources ?? {};
  const apis = new Map<string, RestApiModel>();
  const otherMethods: MethodModel[] = [];
  const otherStages: StageModel[] = [];
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type === 'AWS::ApiGateway::RestApi') apis.set(logicalId, restApiOf(logicalId, resource, options));
  }
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type === 'AWS::ApiGateway::Method') {
      const method = methodOf(logicalId, resource, resources);
      const api = method.apiLogicalId ? apis.get(method.apiLogicalId) : undefined;
      (api ? api.methods : otherMethods).push(method);
    } else {
      const stage = stageOf(logicalId, resource);
      if (!stage) continue;
      const api = stage.apiLogicalId ? apis.get(stage.apiLogicalId) : undefined;
      (api ? api.stages : otherStages).push(stage);
    }
  }
  return { apis: [...apis.values()], otherMethods, otherStages };
}

/** The REST APIs of `template` (methods of imported APIs left out: see `readTemplate`). */
export function readRestApis(template: Template, options: ReadOptions = {}): RestApiModel[] {
  return readTemplate(template, options).apis;
}

function restApiOf(logicalId: string, resource: TemplateResource, options: ReadOptions): RestApiModel {
  const props = resource.Properties ?? {};
  const body = props.Body ?? (props.BodyS3Location !== undefined ? options.readBody?.(props.BodyS3Location, logicalId) : undefined);
  const openApi = openApiSettings(body);
  const endpointTypes = props.EndpointConfiguration?.Types ?? (openApi.endpointConfiguration as { types?: unknown } | undefined)?.types;
  return {
    logicalId,
    name: props.Name,
    endpointTypes,
    endpointType: endpointTypeOf(endpointTypes),
    binaryMediaTypes: props.BinaryMediaTypes,
    minimumCompressionSize: props.MinimumCompressionSize,
    body,
    bodyS3Location: props.BodyS3Location,
    openApi,
    stages: [],
    methods: openApiMethods(body, logicalId),
  };
}

function endpointTypeOf(types: unknown): RestApiModel['endpointType'] {
  if (types === undefined) return 'EDGE';
  const first = Array.isArray(types) ? types[0] : undefined;
  const upper = typeof first === 'string' ? first.toUpperCase() : undefined;
  return upper === 'EDGE' || upper === 'REGIONAL' || upper === 'PRIVATE' ? upper : undefined;
}

function methodOf(logicalId: string, resource: TemplateResource, resources: Template['Resources'] & object): MethodModel {
  const props = resource.Properties ?? {};
  const walk = resourcePath(props.ResourceId, resources);
  return {
    apiLogicalId: refOf(props.RestApiId) !== undefined && resources[refOf(props.RestApiId)!]?.Type === 'AWS::ApiGateway::RestApi' ? refOf(props.RestApiId) : undefined,
    restApiId: props.RestApiId,
    logicalId,
    source: 'CloudFormation',
    httpMethod: typeof props.HttpMethod === 'string' ? props.HttpMethod.toUpperCase() : JSON.stringify(props.HttpMethod),
    path: walk.path,
    pathComplete: walk.complete,
    integration: cfnIntegration(props.Integration),
    raw: props,
  };
}

/**
 * The full path of the resource `resourceId` names, walking `AWS::ApiGateway::Resource`
 * `ParentId`s up to a RestApi's `RootResourceId`. `complete` is false when the walk met something
 * it could not follow (a parameter, an import, a cycle).
 */
export function resourcePath(resourceId: unknown, resources: Template['Resources'] & object): { path: string; complete: boolean } {
  const parts: string[] = [];
  let current = resourceId;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const att = getAttOf(current);
    if (att && att[1] === 'RootResourceId') return { path: join(parts), complete: true };
    const id = logicalIdOf(current);
    const resource = id !== undefined && !att ? resources[id] : undefined;
    if (resource?.Type !== 'AWS::ApiGateway::Resource') return { path: join(parts), complete: false };
    const part = resource.Properties?.PathPart;
    parts.unshift(typeof part === 'string' ? part : JSON.stringify(part));
    current = resource.Properties?.ParentId;
  }
  return { path: join(parts), complete: false };
}

function join(parts: string[]): string {
  return `/${parts.join('/')}`;
}

function cfnIntegration(raw: unknown): IntegrationModel {
  const i = raw !== null && typeof raw === 'object' ? raw as { [key: string]: any } : {};
  return {
    type: i.Type,
    uri: i.Uri,
    responseTransferMode: i.ResponseTransferMode,
    timeoutInMillis: i.TimeoutInMillis,
    integrationResponses: i.IntegrationResponses,
    requestTemplates: i.RequestTemplates,
    cacheKeyParameters: i.CacheKeyParameters,
    cacheNamespace: i.CacheNamespace,
    connectionType: i.ConnectionType,
    connectionId: i.ConnectionId,
    contentHandling: i.ContentHandling,
    passthroughBehavior: i.PassthroughBehavior,
    integrationHttpMethod: i.IntegrationHttpMethod,
    raw: i,
  };
}
