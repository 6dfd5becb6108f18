import { Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { IConstruct } from 'constructs';

/** An integration, from a CfnMethod or an OpenAPI operation, with its values resolved. */
export interface IntegrationView {
  readonly type?: unknown;
  readonly transferMode?: unknown;
  readonly uri?: unknown;
  readonly timeoutInMillis?: unknown;
  readonly integrationResponses?: unknown;
  readonly cacheKeyParameters?: unknown;
  readonly cacheNamespace?: unknown;
}

/** One method of a REST API, wherever it was defined. */
export interface MethodView {
  /** The construct the problem is reported on (the CfnMethod, or the API for OpenAPI). */
  readonly node: IConstruct;
  /** The logical id of the REST API the method belongs to. */
  readonly apiLogicalId?: string;
  readonly httpMethod: string;
  readonly path: string;
  readonly integration: IntegrationView;
  /** How the integration's properties are named where they were written. */
  readonly source: 'CloudFormation' | 'OpenAPI';
}

const OPENAPI_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'x-amazon-apigateway-any-method'];

/** The logical id an intrinsic (Ref / Fn::GetAtt) points to, if it is one. */
export function logicalIdOf(value: unknown): string | undefined {
  const v = value as { 'Ref'?: unknown; 'Fn::GetAtt'?: unknown } | undefined;
  if (v && typeof v.Ref === 'string') return v.Ref;
  if (v && Array.isArray(v['Fn::GetAtt']) && typeof v['Fn::GetAtt'][0] === 'string') return v['Fn::GetAtt'][0];
  return undefined;
}

/** The methods of a stack: every CfnMethod, and every operation of inline OpenAPI bodies. */
export function methodsOf(stack: Stack, methods: apigateway.CfnMethod[], apis: apigateway.CfnRestApi[]): MethodView[] {
  const resources = new Map<string, apigateway.CfnResource>();
  for (const child of stack.node.findAll()) {
    if (child instanceof apigateway.CfnResource) resources.set(stack.resolve(child.logicalId), child);
  }
  const pathOf = (resourceId: unknown, depth = 0): string => {
    const id = logicalIdOf(resourceId);
    const resource = id && !(resourceId as { 'Fn::GetAtt'?: unknown })['Fn::GetAtt'] ? resources.get(id) : undefined;
    if (!resource || depth > 100) return '/';
    const parent = pathOf(stack.resolve(resource.parentId), depth + 1);
    return `${parent === '/' ? '' : parent}/${stack.resolve(resource.pathPart)}`;
  };
  const views: MethodView[] = methods.map((method) => {
    const integration = stack.resolve(method.integration) ?? {};
    return {
      node: method,
      apiLogicalId: logicalIdOf(stack.resolve(method.restApiId)),
      httpMethod: String(stack.resolve(method.httpMethod)),
      path: pathOf(stack.resolve(method.resourceId)),
      source: 'CloudFormation' as const,
      integration: {
        type: integration.type,
        transferMode: integration.responseTransferMode,
        uri: integration.uri,
        timeoutInMillis: integration.timeoutInMillis,
        integrationResponses: integration.integrationResponses,
        cacheKeyParameters: integration.cacheKeyParameters,
        cacheNamespace: integration.cacheNamespace,
      },
    };
  });
  for (const api of apis) {
    const body = stack.resolve(api.body);
    const paths = body && typeof body === 'object' ? (body as { paths?: unknown }).paths : undefined;
    if (!paths || typeof paths !== 'object') continue;
    for (const [path, item] of Object.entries(paths as Record<string, unknown>)) {
      if (!item || typeof item !== 'object') continue;
      for (const [verb, operation] of Object.entries(item as Record<string, unknown>)) {
        const integration = (operation as Record<string, any> | null)?.['x-amazon-apigateway-integration'];
        if (!OPENAPI_METHODS.includes(verb) || !integration || typeof integration !== 'object') continue;
        views.push({
          node: api,
          apiLogicalId: stack.resolve(api.logicalId),
          httpMethod: verb === 'x-amazon-apigateway-any-method' ? 'ANY' : verb.toUpperCase(),
          path,
          source: 'OpenAPI',
          integration: {
            type: typeof integration.type === 'string' ? integration.type.toUpperCase() : integration.type,
            transferMode: integration.responseTransferMode,
            uri: integration.uri,
            timeoutInMillis: integration.timeoutInMillis,
            integrationResponses: integration.responses,
            cacheKeyParameters: integration.cacheKeyParameters,
            cacheNamespace: integration.cacheNamespace,
          },
        });
      }
    }
  }
  return views;
}
