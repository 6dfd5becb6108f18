import * as path from 'path';
import { Annotations as CoreAnnotations, App, Duration } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { McpAuth, StreamingMcpServer, StreamingRestApi } from '../../src';
import { inlineFunction, newStack, NO_BUNDLING, streamingInlineFunction, synthError } from '../support/stacks';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'stream-handler.ts');

function cognitoServer(props: { scopes?: string[] } = {}) {
  const { app, stack } = newStack();
  const pool = new cognito.UserPool(stack, 'Users');
  const server = new StreamingMcpServer(stack, 'Mcp', {
    handler: streamingInlineFunction(stack, 'Fn', { timeout: Duration.minutes(5) }),
    auth: McpAuth.cognito(pool, { scopes: props.scopes ?? ['mcp/tools'] }),
  });
  return { app, stack, pool, server, template: Template.fromStack(stack) };
}

/** A template value with each Ref written `<logical id>` (literal parts as they are). */
function joined(value: any): string {
  if (typeof value === 'string') return value;
  const [sep, parts] = value['Fn::Join'];
  return parts.map((p: any) => (typeof p === 'string' ? p : `<${p.Ref}>`)).join(sep);
}

describe('StreamingMcpServer', () => {
  test('a streamed POST /mcp with the Cognito authorizer and its scopes, timeouts matched to the handler', () => {
    // GIVEN / WHEN
    const { server, template } = cognitoServer();
    // THEN
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      AuthorizationType: 'COGNITO_USER_POOLS',
      AuthorizationScopes: ['mcp/tools'],
      Integration: { Type: 'AWS_PROXY', ResponseTransferMode: 'STREAM', TimeoutInMillis: 300000 },
    });
    template.resourceCountIs('AWS::ApiGateway::Authorizer', 1);
    expect(server.method.resource.path).toBe('/mcp');
    expect(server.timeout.toSeconds()).toBe(300);
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: { MCP_RESOURCE_PATH: '/mcp' } } });
  });

  test('GET and DELETE are MOCK 405 with Allow: POST (no function invocation), behind the same authorizer', () => {
    const { server, template } = cognitoServer();
    for (const method of ['GET', 'DELETE']) {
      template.hasResourceProperties('AWS::ApiGateway::Method', {
        HttpMethod: method,
        AuthorizationType: 'COGNITO_USER_POOLS',
        ResourceId: { Ref: Match.stringLikeRegexp('McpApimcp') },
        Integration: {
          Type: 'MOCK',
          RequestTemplates: { 'application/json': '{"statusCode": 405}' },
          IntegrationResponses: [Match.objectLike({ StatusCode: '405', ResponseParameters: { 'method.response.header.Allow': "'POST'" } })],
        },
      });
    }
    expect(server.notAllowedMethods.map((m) => m.httpMethod)).toEqual(['GET', 'DELETE']);
    // only the POST method invokes the function
    const permissions = template.findResources('AWS::Lambda::Permission');
    expect(Object.keys(permissions).every((id) => /POST/.test(id))).toBe(true);
  });

  test('the protected-resource document is public, inside the stage, with the resource URL the client used', () => {
    const { server, template } = cognitoServer({ scopes: ['mcp/tools', 'mcp/admin'] });
    expect(server.protectedResourceMethod.resource.path).toBe('/.well-known/oauth-protected-resource/prod/mcp');
    const methods = template.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'GET', AuthorizationType: 'NONE' } });
    const [doc] = Object.values(methods);
    expect(doc.Properties.Integration.Type).toBe('MOCK');
    const body = joined(doc.Properties.Integration.IntegrationResponses[0].ResponseTemplates['application/json']);
    // the resource comes from $context at request time; the pool's id is joined in at deployment
    expect(JSON.parse(body)).toEqual({
      resource: "#if($input.params('X-Forwarded-Proto') == 'http')http#{else}https#end://$context.domainName/$context.stage/mcp",
      authorization_servers: ['https://cognito-idp.us-east-1.amazonaws.com/<Users0A0EEA89>'],
      scopes_supported: ['mcp/tools', 'mcp/admin'],
      bearer_methods_supported: ['header'],
    });
  });

  test('the API\'s 401 and 403 carry the RFC 9728 challenge naming the document under the stage', () => {
    const { server, template, stack } = cognitoServer();
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'UNAUTHORIZED',
      StatusCode: '401',
      ResponseParameters: { 'gatewayresponse.header.WWW-Authenticate': Match.anyValue() },
    });
    const params = stack.resolve((server.gatewayResponses[0].node.defaultChild as apigateway.CfnGatewayResponse).responseParameters);
    expect(joined(params['gatewayresponse.header.WWW-Authenticate']))
      .toBe('\'Bearer resource_metadata="https://<McpApi2F39B1D0>.execute-api.us-east-1.<AWS::URLSuffix>/prod/.well-known/oauth-protected-resource/prod/mcp"\'');
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', { ResponseType: 'ACCESS_DENIED', StatusCode: '403' });
    expect(server.gatewayResponses).toHaveLength(2);
  });

  test('stage throttling for the POST route (defaults), overridable', () => {
    const { template } = cognitoServer();
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([Match.objectLike({ HttpMethod: 'POST', ResourcePath: '/~1mcp', ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 })]),
    });
    const { stack } = newStack();
    new StreamingMcpServer(stack, 'Mcp', { handler: streamingInlineFunction(stack), auth: McpAuth.none(), path: '/v1/tools', throttling: { rateLimit: 5, burstLimit: 10 } });
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([Match.objectLike({ ResourcePath: '/~1v1~1tools', ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 })]),
    });
  });

  test('McpAuth.jwt: no gateway authorizer, the settings in the handler\'s environment, no challenge at the gateway', () => {
    const { stack } = newStack();
    const server = new StreamingMcpServer(stack, 'Mcp', {
      handler: streamingInlineFunction(stack),
      auth: McpAuth.jwt({ issuer: 'https://auth.example.com', audience: 'https://mcp.example.com/mcp', scopes: ['tools:read', 'tools:call'] }),
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { MCP_AUTH_ISSUER: 'https://auth.example.com', MCP_AUTH_AUDIENCE: 'https://mcp.example.com/mcp', MCP_AUTH_SCOPES: 'tools:read tools:call', MCP_RESOURCE_PATH: '/mcp' } },
    });
    template.resourceCountIs('AWS::ApiGateway::Authorizer', 0);
    template.resourceCountIs('AWS::ApiGateway::GatewayResponse', 0);
    expect(server.authorizer).toBeUndefined();
    const doc = Object.values(template.findResources('AWS::ApiGateway::Method', { Properties: { Integration: { IntegrationResponses: [{ StatusCode: '200' }] } } }))[0];
    expect(doc.Properties.Integration.IntegrationResponses[0].ResponseTemplates['application/json']).toContain('"authorization_servers":["https://auth.example.com"]');
  });

  test('McpAuth.none() is explicit and warned about; cdk-nag reports the open POST method', () => {
    const { stack } = newStack();
    new StreamingMcpServer(stack, 'Mcp', { handler: streamingInlineFunction(stack), auth: McpAuth.none() });
    Annotations.fromStack(stack).hasWarning('/TestStack/Mcp', Match.stringLikeRegexp('McpAuth.none\\(\\): anyone who finds /mcp may call its tools'));
    const report = new AwsSolutionsChecks().validateScope(stack);
    const apig4 = report.violations.find((v) => v.ruleName === 'AwsSolutions-APIG4');
    expect(apig4?.violatingResources.map((r) => r.constructPath)).toEqual(expect.arrayContaining([expect.stringMatching(/Mcp\/Api\/Default\/mcp\/POST/)]));
  });

  test('cdk-nag AwsSolutions: with Cognito auth, only the user\'s decisions remain (WAF, managed policies, the pool\'s own rules)', () => {
    const { stack } = cognitoServer();
    const report = new AwsSolutionsChecks().validateScope(stack);
    const rules = report.violations.map((v) => v.ruleName).sort();
    // The routes are all authorized (or the public RFC 9728 document, acknowledged by the construct)
    expect(rules).not.toContain('AwsSolutions-APIG4');
    expect(rules).not.toContain('AwsSolutions-COG4');
    for (const rule of rules) expect(rule).toMatch(/^AwsSolutions-(APIG3|IAM4|COG1|COG2|COG3|COG8)/);
  });

  test('a new StreamingRestApi by default, or the one passed; every part exposed', () => {
    const { stack } = newStack();
    const api = new StreamingRestApi(stack, 'Shared');
    const server = new StreamingMcpServer(stack, 'Mcp', { api, handler: streamingInlineFunction(stack), auth: McpAuth.none(), path: '/tools/mcp' });
    expect(server.api).toBe(api);
    expect(server.url).toBeDefined();
    expect(stack.resolve(server.protectedResourceMetadataUrl)).toEqual(expect.objectContaining({ 'Fn::Join': expect.anything() }));
    expect(server.protectedResourceMethod.resource.path).toBe('/.well-known/oauth-protected-resource/prod/tools/mcp');
  });

  test('entry is bundled into a StreamingFunction whose timeout is the route\'s', () => {
    const { stack } = newStack({ app: new App({ context: NO_BUNDLING }) }); // (the template is checked, not the bundle)
    const server = new StreamingMcpServer(stack, 'Mcp', { entry: FIXTURE, auth: McpAuth.none(), timeout: Duration.minutes(2) });
    expect(server.function).toBeInstanceOf(lambda.Function);
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { Timeout: 120, Runtime: 'nodejs24.x' });
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'POST', Integration: { TimeoutInMillis: 120000 } });
  });

  test('the streamed route is checked like every streamed route: a transformed response fails synth', () => {
    const { app, stack } = newStack();
    const server = new StreamingMcpServer(stack, 'Mcp', { handler: streamingInlineFunction(stack), auth: McpAuth.none() });
    (server.method.node.defaultChild as apigateway.CfnMethod).addPropertyOverride('Integration.IntegrationResponses', [{ StatusCode: '200', ResponseTemplates: { 'application/json': '$input.body' } }]);
    expect(synthError(app)).toMatch(/Mcp\/Api\/Default\/mcp\/POST/);
  });

  test('compression on the API fails synth (a streamed method cannot be compressed)', () => {
    const { app, stack } = newStack();
    const api = new StreamingRestApi(stack, 'Api', { minCompressionSize: undefined });
    (api.node.defaultChild as apigateway.CfnRestApi).minimumCompressionSize = 1024;
    new StreamingMcpServer(stack, 'Mcp', { api, handler: streamingInlineFunction(stack), auth: McpAuth.none() });
    expect(synthError(app)).toMatch(/[Cc]ompress/);
  });
});

describe('StreamingMcpServer synth-time errors', () => {
  const cases: Array<[string, (s: ReturnType<typeof newStack>['stack']) => void, RegExp]> = [
    ['neither handler nor entry', (s) => new StreamingMcpServer(s, 'Mcp', { auth: McpAuth.none() }),
      /\[TestStack\/Mcp\] handler: undefined and entry are both missing\. Fix: pass either handler/],
    ['both handler and entry', (s) => new StreamingMcpServer(s, 'Mcp', { auth: McpAuth.none(), handler: streamingInlineFunction(s), entry: FIXTURE }),
      /\[TestStack\/Mcp\] handler: .* and entry are both given/],
    ['a path parameter', (s) => new StreamingMcpServer(s, 'Mcp', { auth: McpAuth.none(), handler: streamingInlineFunction(s), path: '/mcp/{id}' }),
      /\[TestStack\/Mcp\] path: '\/mcp\/\{id\}' is the root or has a path parameter.*Fix: pass a literal path/],
    ['a path without /', (s) => new StreamingMcpServer(s, 'Mcp', { auth: McpAuth.none(), handler: streamingInlineFunction(s), path: 'mcp' }),
      /\[TestStack\/Mcp\] path: 'mcp' does not start with '\/'/],
    ['Cognito without scopes', (s) => new StreamingMcpServer(s, 'Mcp', { auth: McpAuth.cognito(new cognito.UserPool(s, 'P'), { scopes: [] }), handler: streamingInlineFunction(s) }),
      /\[TestStack\/Mcp\] auth\.scopes: \[\] is empty: without scopes API Gateway's Cognito authorizer wants an ID token/],
    ['a scope with a space', (s) => new StreamingMcpServer(s, 'Mcp', { auth: McpAuth.jwt({ issuer: 'https://a.example.com', audience: 'x', scopes: ['a b'] }), handler: streamingInlineFunction(s) }),
      /\[TestStack\/Mcp\] auth\.scopes: 'a b' is not an OAuth scope/],
    ['an http issuer', (s) => new StreamingMcpServer(s, 'Mcp', { auth: McpAuth.jwt({ issuer: 'http://a.example.com', audience: 'x' }), handler: streamingInlineFunction(s) }),
      /\[TestStack\/Mcp\] auth\.issuer: 'http:\/\/a\.example\.com' is not an https URL/],
    ['an empty audience', (s) => new StreamingMcpServer(s, 'Mcp', { auth: McpAuth.jwt({ issuer: 'https://a.example.com', audience: '' }), handler: streamingInlineFunction(s) }),
      /\[TestStack\/Mcp\] auth\.audience: '' is empty or has spaces/],
    ['a handler that outlives the route', (s) => new StreamingMcpServer(s, 'Mcp', { auth: McpAuth.none(), handler: streamingInlineFunction(s), timeout: Duration.minutes(1) }),
      /\[TestStack\/Mcp\] timeout: '1 minute' is shorter than the handler's timeout \(15 minutes\).*Fix: leave timeout unset/],
    ['a timeout over 15 minutes', (s) => new StreamingMcpServer(s, 'Mcp', { auth: McpAuth.none(), entry: FIXTURE, timeout: Duration.minutes(20) }),
      /\[TestStack\/Mcp\] timeout/],
    ['negative throttling', (s) => new StreamingMcpServer(s, 'Mcp', { auth: McpAuth.none(), handler: streamingInlineFunction(s), throttling: { rateLimit: -1 } }),
      /\[TestStack\/Mcp\] throttling\.rateLimit: -1 is not a number of requests/],
    ['an imported handler with McpAuth.jwt', (s) => new StreamingMcpServer(s, 'Mcp', {
      auth: McpAuth.jwt({ issuer: 'https://a.example.com', audience: 'x' }),
      handler: lambda.Function.fromFunctionArn(s, 'Imported', 'arn:aws:lambda:us-east-1:123456789012:function:mcp'),
    }), /\[TestStack\/Mcp\] handler: 'TestStack\/Imported' is an imported function, whose environment cannot receive the McpAuth\.jwt\(\) settings/],
    ['an API without a deployment stage', (s) => new StreamingMcpServer(s, 'Mcp', { auth: McpAuth.none(), handler: streamingInlineFunction(s), api: new StreamingRestApi(s, 'Api', { deploy: false }) }),
      /\[TestStack\/Mcp\] api: 'no deployment stage' has no literal stage name/],
  ];
  test.each(cases)('%s', (_name, build, message) => {
    const { stack } = newStack();
    expect(() => build(stack)).toThrow(message);
  });

  test('two Cognito MCP servers on one API: the second is refused (one 401 challenge per API)', () => {
    const { stack } = newStack();
    const api = new StreamingRestApi(stack, 'Api');
    const pool = new cognito.UserPool(stack, 'Users');
    const auth = McpAuth.cognito(pool, { scopes: ['mcp/tools'] });
    new StreamingMcpServer(stack, 'One', { api, auth, handler: inlineFunction(stack, 'F1'), path: '/one' });
    expect(() => new StreamingMcpServer(stack, 'Two', { api, auth, handler: inlineFunction(stack, 'F2'), path: '/two' }))
      .toThrow(/\[TestStack\/Two\] api: 'TestStack\/Api' already has an MCP server with gateway-checked auth/);
  });
});

test('the none() warning can be acknowledged, like the library\'s other warnings', () => {
  const { stack } = newStack();
  const server = new StreamingMcpServer(stack, 'Mcp', { handler: streamingInlineFunction(stack), auth: McpAuth.none() });
  CoreAnnotations.of(server).acknowledgeWarning('cdk-streaming-rest-api:mcpAuthNone', 'a public demo server');
  Annotations.fromStack(stack).hasNoWarning('/TestStack/Mcp', Match.anyValue());
});

test('snapshot: an MCP server with Cognito auth on the API it creates', () => {
  const { stack } = cognitoServer();
  expect(Template.fromStack(stack).toJSON()).toMatchSnapshot();
});
