/**
 * The parts of an MCP server that API Gateway answers itself (not exported from the package):
 * `GET`/`DELETE` 405 and the RFC 9728 protected-resource document, as MOCK integrations, and the
 * `WWW-Authenticate` challenge on the API's own 401/403.
 */
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';
import { McpAuth } from './mcp-auth';
import { StreamingConfigError } from '../private/errors';

const JSON_TYPE = 'application/json';

/** A MOCK method answering 405 with `Allow: POST` and a JSON-RPC error, without invoking anything. */
export function addMethodNotAllowed(resource: apigateway.IResource, httpMethod: string, options: apigateway.MethodOptions): apigateway.Method {
  const integration = new apigateway.MockIntegration({
    requestTemplates: { [JSON_TYPE]: '{"statusCode": 405}' },
    passthroughBehavior: apigateway.PassthroughBehavior.WHEN_NO_TEMPLATES,
    integrationResponses: [{
      statusCode: '405',
      responseParameters: { 'method.response.header.Allow': "'POST'" },
      responseTemplates: { [JSON_TYPE]: '{"jsonrpc":"2.0","id":null,"error":{"code":-32000,"message":"Method not allowed: this MCP server is stateless, POST only."}}' },
    }],
  });
  return resource.addMethod(httpMethod, integration, {
    ...options,
    methodResponses: [{ statusCode: '405', responseParameters: { 'method.response.header.Allow': true } }],
  });
}

/**
 * The protected-resource document (RFC 9728). `resource` is built per request from the host and
 * stage the client called (`$context.domainName`, `$context.stage`), so it is the URL the client
 * uses, stage included; the rest is static.
 */
export function protectedResourceDocument(path: string, auth: McpAuth): string {
  const servers = JSON.stringify(auth._authorizationServers());
  const scopes = JSON.stringify(auth.scopes);
  // https on API Gateway; what the client used where a proxy says (the local gateway: http)
  const scheme = "#if($input.params('X-Forwarded-Proto') == 'http')http#{else}https#end";
  return `{"resource":"${scheme}://$context.domainName/$context.stage${path}","authorization_servers":${servers},`
    + `"scopes_supported":${scopes},"bearer_methods_supported":["header"]}`;
}

export function addProtectedResourceMethod(resource: apigateway.IResource, document: string): apigateway.Method {
  const integration = new apigateway.MockIntegration({
    requestTemplates: { [JSON_TYPE]: '{"statusCode": 200}' },
    passthroughBehavior: apigateway.PassthroughBehavior.WHEN_NO_TEMPLATES,
    integrationResponses: [{
      statusCode: '200',
      responseParameters: { 'method.response.header.Content-Type': `'${JSON_TYPE}'`, 'method.response.header.Cache-Control': "'max-age=300'" },
      responseTemplates: { [JSON_TYPE]: document },
    }],
  });
  return resource.addMethod('GET', integration, {
    authorizationType: apigateway.AuthorizationType.NONE,
    methodResponses: [{ statusCode: '200', responseParameters: { 'method.response.header.Content-Type': true, 'method.response.header.Cache-Control': true } }],
  });
}

/** The API's UNAUTHORIZED and ACCESS_DENIED answers, with the challenge pointing at the document. */
export function addChallenges(scope: Construct, api: apigateway.RestApi, metadataUrl: string, scopes: string[]): apigateway.GatewayResponse[] {
  if (api.node.tryFindChild('McpUnauthorized')) {
    throw new StreamingConfigError({
      scope,
      property: 'api',
      value: api.node.path,
      problem: 'already has an MCP server with gateway-checked auth: its 401 challenge would name two protected-resource documents',
      fix: 'give each MCP server with McpAuth.cognito() its own StreamingRestApi, or serve the tools from one server',
    });
  }
  const body = { [JSON_TYPE]: '{"message":$context.error.messageString}' };
  const unauthorized = api.addGatewayResponse('McpUnauthorized', {
    type: apigateway.ResponseType.UNAUTHORIZED,
    statusCode: '401',
    responseHeaders: { 'WWW-Authenticate': `'Bearer resource_metadata="${metadataUrl}"'` },
    templates: body,
  });
  const scopeList = scopes.length > 0 ? ` scope="${scopes.join(' ')}",` : '';
  const denied = api.addGatewayResponse('McpAccessDenied', {
    type: apigateway.ResponseType.ACCESS_DENIED,
    statusCode: '403',
    responseHeaders: { 'WWW-Authenticate': `'Bearer error="insufficient_scope",${scopeList} resource_metadata="${metadataUrl}"'` },
    templates: body,
  });
  return [unauthorized, denied];
}
