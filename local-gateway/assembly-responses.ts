/**
 * What the assembly says about answers API Gateway makes itself: a MOCK integration's request
 * templates and integration responses, and an API's custom gateway responses, as written in
 * CloudFormation (`Integration.IntegrationResponses`, `AWS::ApiGateway::GatewayResponse`) or in an
 * OpenAPI body (`responses`, `x-amazon-apigateway-gateway-responses`). Values are literals, or
 * deploy-time values the gateway stands in for (`Resolve`, deploy-values.ts).
 */
import type { GatewayResponseSpec, IntegrationResponseSpec, MockSpec } from './route';
import type { IntegrationModel, RestApiModel, TemplateResource } from '../src/private/template';

/** A value of the template as text, or undefined when it is built from values unknown before deployment. */
export type Resolve = (value: unknown) => string | undefined;

/** A record whose values all resolve to text, or undefined (an unknown value somewhere). */
function strings(value: unknown, resolve: Resolve): Record<string, string> | undefined {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) return undefined;
  const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, resolve(v)] as const);
  return entries.every(([, v]) => v !== undefined) ? Object.fromEntries(entries) as Record<string, string> : undefined;
}

/** A MOCK integration's spec, or why it cannot be emulated. */
export function mockOf(integration: IntegrationModel, source: 'CloudFormation' | 'OpenAPI' | undefined, resolve: Resolve): MockSpec | { unsupported: string } {
  const raw = integration.raw;
  const requestTemplates = strings(source === 'OpenAPI' ? raw.requestTemplates : raw.RequestTemplates, resolve);
  const responses: IntegrationResponseSpec[] = [];
  // (OpenAPI keys its responses by selection pattern, `default` for the default one)
  const written = source === 'OpenAPI'
    ? Object.entries<any>(raw.responses ?? {}).map(([pattern, r]) => ({
      pattern: pattern === 'default' ? undefined : pattern, status: r?.statusCode, parameters: r?.responseParameters, templates: r?.responseTemplates,
    }))
    : (Array.isArray(raw.IntegrationResponses) ? raw.IntegrationResponses : []).map((r: any) => ({
      pattern: r?.SelectionPattern, status: r?.StatusCode, parameters: r?.ResponseParameters, templates: r?.ResponseTemplates,
    }));
  for (const r of written) {
    const parameters = strings(r.parameters, resolve);
    const templates = strings(r.templates, resolve);
    const statusCode = typeof r.status === 'number' ? String(r.status) : r.status;
    if (typeof statusCode !== 'string' || !parameters || !templates || (r.pattern !== undefined && typeof r.pattern !== 'string')) {
      return { unsupported: 'the MOCK integration\'s responses are built from values unknown before deployment' };
    }
    responses.push({ selectionPattern: r.pattern, statusCode, parameters, templates });
  }
  if (!requestTemplates) return { unsupported: 'the MOCK integration\'s request templates are built from values unknown before deployment' };
  return { requestTemplates, responses };
}

/** The custom gateway responses of `api` (resources of `resources` whose RestApiId is it, and its OpenAPI body's). */
export function gatewayResponsesOf(api: RestApiModel, resources: Record<string, TemplateResource>, resolve: Resolve): GatewayResponseSpec[] {
  const specs: GatewayResponseSpec[] = [];
  const add = (type: unknown, status: unknown, parameters: unknown, templates: unknown) => {
    const params = strings(parameters, resolve);
    const bodies = strings(templates, resolve);
    const statusCode = typeof status === 'string' || typeof status === 'number' ? Number(status) : undefined;
    if (typeof type === 'string' && params && bodies) specs.push({ type, statusCode, parameters: params, templates: bodies });
  };
  for (const resource of Object.values(resources)) {
    const props = resource.Properties ?? {};
    if (resource.Type !== 'AWS::ApiGateway::GatewayResponse' || props.RestApiId?.Ref !== api.logicalId) continue;
    add(props.ResponseType, props.StatusCode, props.ResponseParameters, props.ResponseTemplates);
  }
  const openApi = (api.body as { [key: string]: any } | undefined)?.['x-amazon-apigateway-gateway-responses'];
  for (const [type, r] of Object.entries<any>(openApi ?? {})) add(type, r?.statusCode, r?.responseParameters, r?.responseTemplates);
  return specs;
}
