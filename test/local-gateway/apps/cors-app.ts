/**
 * A streamed API as a web page on another origin calls it: CORS preflights from
 * `defaultCorsPreflightOptions` (one origin), a resource allowing several origins (a VTL template
 * picks the request's), a MOCK health route, and a DEFAULT_4XX gateway response with a CORS header
 * and a body template, so the page can read API Gateway's own errors. Synthesized by the tests.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { StreamingLambdaIntegration, StreamingRestApi } from '../../../src';

/** A streamed answer that names the origin it allows, as a proxy integration must. */
const CHAT = (origin: string) => `exports.handler = awslambda.streamifyResponse(async (event, s) => {
  const h = awslambda.HttpResponseStream.from(s, { headers: { 'content-type': 'text/plain', 'access-control-allow-origin': ${JSON.stringify(origin)} } });
  const words = (JSON.parse(event.body || '{}').message || 'no message').split(' ');
  for (const word of words) { h.write(word + ' '); await new Promise((r) => setTimeout(r, 100)); }
  // (header names arrive as the client sent them: a browser's fetch sends them in lower case)
  h.end('[' + (event.headers.Authorization ?? event.headers.authorization) + ']');
});`;

export function synthCorsApp(outdir: string, origin: string): string {
  const app = new App({ outdir });
  const stack = new Stack(app, 'CorsApp');
  const api = new StreamingRestApi(stack, 'Api', {
    defaultCorsPreflightOptions: { allowOrigins: [origin], allowHeaders: ['Content-Type', 'Authorization'], allowCredentials: true },
  });
  const chat = new lambda.Function(stack, 'Chat', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline(CHAT(origin)) });
  api.addStreamingLambda('/chat', chat, { httpMethod: 'POST' });
  const multi = api.root.addResource('multi', {
    defaultCorsPreflightOptions: { allowOrigins: ['https://app.example.com', origin], allowMethods: ['GET', 'POST'] },
  });
  multi.addMethod('GET', new StreamingLambdaIntegration(chat));
  api.root.addResource('health').addMethod('GET', new apigateway.MockIntegration({
    requestTemplates: { 'application/json': '{ "statusCode": 200 }' },
    integrationResponses: [
      { statusCode: '200', responseTemplates: { 'application/json': '{"status":"ok","stage":"$context.stage","probe":"$input.params(\'probe\')"}' } },
      { statusCode: '503', selectionPattern: '5\\d{2}', responseTemplates: { 'application/json': '{"status":"down"}' } },
    ],
    passthroughBehavior: apigateway.PassthroughBehavior.NEVER,
  }), { methodResponses: [{ statusCode: '200' }, { statusCode: '503' }] });
  api.root.getResource('health')!.addResource('down').addMethod('GET', new apigateway.MockIntegration({
    requestTemplates: { 'application/json': '{ "statusCode": 503 }' },
    integrationResponses: [
      { statusCode: '200' },
      { statusCode: '503', selectionPattern: '5\\d{2}', responseTemplates: { 'application/json': '{"status":"down"}' } },
    ],
  }), { methodResponses: [{ statusCode: '200' }, { statusCode: '503' }] });
  api.addGatewayResponse('Default4xx', {
    type: apigateway.ResponseType.DEFAULT_4XX,
    responseHeaders: { 'Access-Control-Allow-Origin': `'${origin}'`, 'X-Request-Origin': 'method.request.header.Origin' },
    templates: { 'application/json': '{"error":$context.error.messageString,"type":"$context.error.responseType"}' },
  });
  return app.synth().directory;
}
