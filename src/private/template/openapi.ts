/**
 * Methods and API settings written in an OpenAPI (Swagger) body with the
 * `x-amazon-apigateway-*` extensions. Dependency-free.
 */
import { IntegrationModel, MethodModel, OpenApiSettings } from './types';

/** The OpenAPI operation keys that are HTTP methods (plus API Gateway's ANY). */
export const OPENAPI_VERBS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'x-amazon-apigateway-any-method'];

/** The extension that holds an operation's integration. */
export const INTEGRATION_EXTENSION = 'x-amazon-apigateway-integration';

/** The OpenAPI name of each `IntegrationModel` field (where it differs from CloudFormation's). */
export const OPENAPI_INTEGRATION_NAMES: { readonly [field: string]: string } = {
  type: 'type',
  uri: 'uri',
  responseTransferMode: 'responseTransferMode',
  timeoutInMillis: 'timeoutInMillis',
  integrationResponses: 'responses',
  requestTemplates: 'requestTemplates',
  cacheKeyParameters: 'cacheKeyParameters',
  cacheNamespace: 'cacheNamespace',
  connectionType: 'connectionType',
  connectionId: 'connectionId',
  contentHandling: 'contentHandling',
  passthroughBehavior: 'passthroughBehavior',
  integrationHttpMethod: 'httpMethod',
};

/** The API-level extensions of a body. */
export function openApiSettings(body: unknown): OpenApiSettings {
  if (!isObject(body)) return {};
  return {
    minimumCompressionSize: body['x-amazon-apigateway-minimum-compression-size'],
    binaryMediaTypes: body['x-amazon-apigateway-binary-media-types'],
    endpointConfiguration: body['x-amazon-apigateway-endpoint-configuration'],
  };
}

/** Every operation of the body's `paths` that has an integration extension. */
export function openApiMethods(body: unknown, apiLogicalId: string): MethodModel[] {
  const paths = isObject(body) ? body.paths : undefined;
  if (!isObject(paths)) return [];
  const methods: MethodModel[] = [];
  for (const [path, item] of Object.entries(paths)) {
    if (!isObject(item)) continue;
    for (const [verb, operation] of Object.entries(item)) {
      if (!OPENAPI_VERBS.includes(verb.toLowerCase()) || !isObject(operation)) continue;
      const raw = operation[INTEGRATION_EXTENSION];
      if (!isObject(raw)) continue;
      methods.push({
        apiLogicalId,
        restApiId: { Ref: apiLogicalId },
        logicalId: apiLogicalId,
        source: 'OpenAPI',
        httpMethod: verb.toLowerCase() === 'x-amazon-apigateway-any-method' ? 'ANY' : verb.toUpperCase(),
        path,
        pathComplete: true,
        integration: openApiIntegration(raw),
        raw: operation,
      });
    }
  }
  return methods;
}

function openApiIntegration(raw: { [key: string]: any }): IntegrationModel {
  return {
    type: typeof raw.type === 'string' ? raw.type.toUpperCase() : raw.type,
    uri: raw.uri,
    responseTransferMode: raw.responseTransferMode,
    timeoutInMillis: raw.timeoutInMillis,
    integrationResponses: raw.responses,
    requestTemplates: raw.requestTemplates,
    cacheKeyParameters: raw.cacheKeyParameters,
    cacheNamespace: raw.cacheNamespace,
    connectionType: raw.connectionType,
    connectionId: raw.connectionId,
    contentHandling: raw.contentHandling,
    passthroughBehavior: raw.passthroughBehavior,
    integrationHttpMethod: raw.httpMethod,
    raw,
  };
}

function isObject(value: unknown): value is { [key: string]: any } {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
