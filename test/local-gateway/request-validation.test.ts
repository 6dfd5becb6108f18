import { App, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { readAssembly } from '../../local-gateway/assembly';
import { routesTable } from '../../local-gateway/cli';
import { LocalStreamingGateway } from '../../local-gateway/gateway';
import { StreamingRestApi } from '../../src';
import { gatewayForSuite } from './support/suite-gateway';
import { tempDir } from '../support/temp-dirs';

// Request validation, written the way CDK users write it (api.addModel with a JSON Schema draft 4
// model that refers to another model, api.addRequestValidator / requestValidatorOptions,
// requestParameters), answered by the local gateway as API Gateway answers it: 400 before the
// function is called.

const HANDLER = `let calls = 0;
exports.handler = awslambda.streamifyResponse(async (event, stream) => {
  const out = awslambda.HttpResponseStream.from(stream, { statusCode: 200 });
  out.write(JSON.stringify({ calls: ++calls, body: event.body }));
  out.end();
});`;

function synth(): string {
  const app = new App({ outdir: tempDir('validation-app') });
  const stack = new Stack(app, 'Validated');
  const api = new StreamingRestApi(stack, 'Api');
  const fn = new lambda.Function(stack, 'Chat', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline(HANDLER) });
  const message = api.addModel('Message', {
    modelName: 'Message',
    contentType: 'application/json',
    schema: {
      schema: apigateway.JsonSchemaVersion.DRAFT4,
      type: apigateway.JsonSchemaType.OBJECT,
      required: ['role', 'content'],
      properties: {
        role: { type: apigateway.JsonSchemaType.STRING, enum: ['user', 'assistant'] },
        content: { type: apigateway.JsonSchemaType.STRING, minLength: 1 },
      },
    },
  });
  const chatRequest = api.addModel('ChatRequest', {
    modelName: 'ChatRequest',
    contentType: 'application/json',
    schema: {
      schema: apigateway.JsonSchemaVersion.DRAFT4,
      type: apigateway.JsonSchemaType.OBJECT,
      required: ['messages'],
      properties: {
        messages: { type: apigateway.JsonSchemaType.ARRAY, minItems: 1, items: { ref: `https://apigateway.amazonaws.com/restapis/${api.restApiId}/models/${message.modelId}` } },
        maxTokens: { type: apigateway.JsonSchemaType.INTEGER, maximum: 4096 },
      },
    },
  });
  api.addStreamingLambda('/chat', fn, {
    httpMethod: 'POST',
    requestValidatorOptions: { validateRequestBody: true, validateRequestParameters: true },
    requestModels: { 'application/json': chatRequest },
    requestParameters: { 'method.request.header.x-session-id': true, 'method.request.querystring.lang': true, 'method.request.querystring.debug': false },
  });
  const paramsOnly = api.addRequestValidator('ParamsOnly', { validateRequestParameters: true });
  api.addStreamingLambda('/search', fn, {
    httpMethod: 'POST',
    requestValidator: paramsOnly,
    requestModels: { 'application/json': chatRequest },
    requestParameters: { 'method.request.querystring.q': true },
  });
  return app.synth().directory;
}

const dir = synth();

test('the validation is read from the assembly; the model reference is resolved; `routes` shows it', () => {
  const routes = readAssembly(dir);
  const chat = routes.find((r) => r.path === '/chat')!.validation!;
  expect(chat).toMatchObject({ validateParameters: true, validateBody: true, unsupported: undefined });
  expect(chat.required).toEqual(expect.arrayContaining([{ where: 'header', name: 'x-session-id' }, { where: 'querystring', name: 'lang' }]));
  expect(chat.required).toHaveLength(2);
  const schema = chat.models['application/json'].schema as any;
  expect(schema.properties.messages.items).toEqual({ $ref: '#/definitions/Message' });
  expect(schema.definitions.Message.required).toEqual(['role', 'content']);
  const table = routesTable(routes);
  expect(table).toMatch(/\/chat\s+POST\s+validates parameters and body \(ChatRequest\)/);
  expect(table).toMatch(/\/search\s+POST\s+validates parameters\s/);
});

describe('through the gateway', () => {
  const suite = gatewayForSuite(dir);
  const post = async (path: string, body: string, headers: Record<string, string> = { 'x-session-id': 's1' }) => {
    const res = await fetch(`${suite.url}/prod${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    return { status: res.status, errorType: res.headers.get('x-amzn-errortype'), body: await res.json() };
  };
  const good = JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], maxTokens: 100 });

  test('a valid request reaches the function', async () => {
    const res = await post('/chat?lang=en', good);
    expect(res).toMatchObject({ status: 200, body: { body: good } });
  });

  test('missing required parameters: 400 naming them, the function not called', async () => {
    const before = (await post('/chat?lang=en', good)).body.calls;
    expect(await post('/chat', good, {})).toEqual({
      status: 400, errorType: 'BadRequestException', body: { message: 'Missing required request parameters: [x-session-id, lang]' },
    });
    expect(await post('/chat?lang=en', good, {})).toMatchObject({ status: 400, body: { message: 'Missing required request parameters: [x-session-id]' } });
    expect((await post('/chat?lang=en', good)).body.calls).toBe(before + 1);
  });

  test.each([
    ['not JSON', '{"messages": ['],
    ['an empty body', ''],
    ['a required property missing', JSON.stringify({ maxTokens: 1 })],
    ['an empty list (minItems)', JSON.stringify({ messages: [] })],
    ['a wrong type', JSON.stringify({ messages: [{ role: 'user', content: 'x' }], maxTokens: 'many' })],
    ['an integer over its maximum', JSON.stringify({ messages: [{ role: 'user', content: 'x' }], maxTokens: 5000 })],
    ['a referenced model\'s enum broken', JSON.stringify({ messages: [{ role: 'system', content: 'x' }] })],
    ['a referenced model\'s required property missing', JSON.stringify({ messages: [{ role: 'user' }] })],
  ])('a body with %s: 400 Invalid request body', async (_what, body) => {
    expect(await post('/chat?lang=en', body)).toEqual({ status: 400, errorType: 'BadRequestException', body: { message: 'Invalid request body' } });
  });

  test('the reason is in the log, as API Gateway puts it in $context.error.validationErrorString', async () => {
    await post('/chat?lang=en', JSON.stringify({ messages: [{ role: 'system', content: 'x' }] }));
    expect(suite.log.join('\n')).toMatch(/POST \/chat: request validation: the body does not match model ChatRequest: .*role/);
  });

  test('a validator that checks parameters only lets any body through', async () => {
    expect((await post('/search?q=x', 'not json')).status).toBe(200);
    expect((await post('/search', 'not json')).body).toEqual({ message: 'Missing required request parameters: [q]' });
  });
});

test('a model built from deploy-time values is not emulated: the method is served unvalidated, and the start-up log says so', async () => {
  const app = new App({ outdir: tempDir('validation-unsupported-app') });
  const stack = new Stack(app, 'Unvalidated');
  const api = new StreamingRestApi(stack, 'Api');
  const fn = new lambda.Function(stack, 'Chat', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline(HANDLER) });
  const model = api.addModel('Dynamic', {
    contentType: 'application/json',
    schema: { schema: apigateway.JsonSchemaVersion.DRAFT4, type: apigateway.JsonSchemaType.OBJECT, title: fn.functionArn },
  });
  api.addStreamingLambda('/chat', fn, { httpMethod: 'POST', requestValidatorOptions: { validateRequestBody: true }, requestModels: { 'application/json': model } });
  const log: string[] = [];
  const gateway = LocalStreamingGateway.fromAssembly(app.synth().directory, { port: 0, accessLog: () => undefined, log: (m) => log.push(m) });
  const url = await gateway.start();
  try {
    expect(log.join('\n')).toMatch(/warning: 1 method\(s\) are served WITHOUT their request validation, not emulated: POST \/chat \(the schema of model .* is built from values known only when deployed\)/);
    expect(routesTable(gateway.routes)).toMatch(/validation NOT emulated/);
    expect((await fetch(`${url}/prod/chat`, { method: 'POST', body: 'anything' })).status).toBe(200);
  } finally {
    await gateway.stop();
  }
});
