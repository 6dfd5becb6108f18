import { App, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { readAssembly } from '../../../local-gateway/assembly';
import { routesTable } from '../../../local-gateway/cli';
import { LocalStreamingGateway } from '../../../local-gateway/gateway';
import { StreamingRestApi } from '../../../src';
import { tempDir } from '../../support/temp-dirs';

// API keys and usage plans, written the way CDK users write them (RestApi.addUsagePlan,
// addApiKey, UsagePlan.addApiStage with a per-method throttle, deployOptions.methodOptions), served
// by the local gateway as API Gateway serves them: 403 Forbidden without a valid key, 429 Too Many
// Requests past a throttle's burst, 429 Limit Exceeded past a quota.

const HANDLER = `exports.handler = awslambda.streamifyResponse(async (event, stream) => {
  const out = awslambda.HttpResponseStream.from(stream, { statusCode: 200, headers: { 'content-type': 'application/json' } });
  out.write(JSON.stringify({ apiKey: event.requestContext.identity.apiKey ?? null, apiKeyId: event.requestContext.identity.apiKeyId ?? null }));
  out.end();
});`;

const FIXED_KEY = 'fixed-key-0123456789-abcdefghij';
// A throttle whose bucket does not refill within a test: one token per 100 s.
const SLOW = 0.01;

function synth(): string {
  const app = new App({ outdir: tempDir('usage-plans-app') });
  const stack = new Stack(app, 'Keys');
  const api = new StreamingRestApi(stack, 'Api', {
    deployOptions: { methodOptions: { '/limited/GET': { throttlingBurstLimit: 2, throttlingRateLimit: SLOW } } },
  });
  const fn = new lambda.Function(stack, 'Echo', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline(HANDLER) });
  const keyed = api.addStreamingLambda('/keyed', fn, { httpMethod: 'GET', apiKeyRequired: true });
  api.addStreamingLambda('/burst', fn, { httpMethod: 'GET', apiKeyRequired: true });
  api.addStreamingLambda('/quota', fn, { httpMethod: 'GET', apiKeyRequired: true });
  api.addStreamingLambda('/limited', fn, { httpMethod: 'GET' });

  const plan = api.addUsagePlan('Plan', { name: 'basic', throttle: { rateLimit: 100, burstLimit: 100 } });
  const burstMethod = api.root.getResource('burst')!.node.children.find((c) => c instanceof apigateway.Method) as apigateway.Method;
  plan.addApiStage({ stage: api.deploymentStage, throttle: [{ method: burstMethod, throttle: { burstLimit: 3, rateLimit: SLOW } }] });
  plan.addApiKey(api.addApiKey('Fixed', { apiKeyName: 'fixed', value: FIXED_KEY }));
  plan.addApiKey(new apigateway.ApiKey(stack, 'Generated', { apiKeyName: 'generated' }));
  plan.addApiKey(new apigateway.ApiKey(stack, 'Disabled', { apiKeyName: 'disabled', value: 'disabled-key-0123456789-abcdef', enabled: false }));
  new apigateway.ApiKey(stack, 'Planless', { apiKeyName: 'planless', value: 'planless-key-0123456789-abcdef' });

  const quotaPlan = api.addUsagePlan('QuotaPlan', { name: 'tiny', quota: { limit: 2, period: apigateway.Period.DAY } });
  quotaPlan.addApiStage({ stage: api.deploymentStage });
  quotaPlan.addApiKey(new apigateway.ApiKey(stack, 'Small', { apiKeyName: 'small', value: 'small-key-0123456789-abcdefghij' }));
  void keyed;
  return app.synth().directory;
}

const dir = synth();

async function withGateway(run: (url: string, log: string[]) => Promise<void>, options: { apiKeys?: Record<string, string> } = {}): Promise<void> {
  const log: string[] = [];
  const gateway = LocalStreamingGateway.fromAssembly(dir, { port: 0, accessLog: () => undefined, log: (m) => log.push(m), ...options });
  const url = await gateway.start();
  try {
    await run(url, log);
  } finally {
    await gateway.stop();
  }
}

const get = async (url: string, key?: string) => {
  const res = await fetch(url, { headers: key ? { 'x-api-key': key } : {} });
  return { status: res.status, body: await res.json() };
};

test('the assembly\'s keys, plans and stage throttles are read, and `routes` shows which methods need a key', () => {
  const routes = readAssembly(dir);
  const usage = routes.find((r) => r.path === '/keyed')!.usage!;
  expect(usage.keySource).toBe('HEADER');
  expect(Object.fromEntries(usage.keys.map((k) => [k.name, { value: k.value, enabled: k.enabled, plans: k.plans.length }]))).toEqual({
    fixed: { value: FIXED_KEY, enabled: true, plans: 1 },
    generated: { value: undefined, enabled: true, plans: 1 },
    disabled: { value: 'disabled-key-0123456789-abcdef', enabled: false, plans: 1 },
    small: { value: 'small-key-0123456789-abcdefghij', enabled: true, plans: 1 },
  });
  const basic = usage.plans.find((p) => p.name === 'basic')!;
  expect(basic).toMatchObject({ stages: ['prod'], throttle: { rateLimit: 100, burstLimit: 100 }, methodThrottles: { prod: { '/burst/GET': { burstLimit: 3, rateLimit: SLOW } } } });
  expect(usage.plans.find((p) => p.name === 'tiny')).toMatchObject({ quota: { limit: 2, period: 'DAY', offset: 0 } });
  // (StreamingRestApi's own stage-wide default, and the method's)
  expect(usage.stageThrottles.prod).toEqual([
    { resourcePath: '/*', httpMethod: '*', rateLimit: 1000, burstLimit: 2000 },
    { resourcePath: '/~1limited', httpMethod: 'GET', rateLimit: SLOW, burstLimit: 2 },
  ]);
  expect(routesTable(routes)).toMatch(/\/keyed\s+GET\s+an API key\s+AWS_PROXY/);
});

test('a method that requires a key: 403 without one, with a wrong, disabled or plan-less key; the key reaches the event', async () => {
  await withGateway(async (url, log) => {
    for (const key of [undefined, 'wrong-key-0123456789-abcdefghij', 'disabled-key-0123456789-abcdef', 'planless-key-0123456789-abcdef']) {
      expect(await get(`${url}/prod/keyed`, key)).toEqual({ status: 403, body: { message: 'Forbidden' } });
    }
    const ok = await get(`${url}/prod/keyed`, FIXED_KEY);
    expect(ok).toEqual({ status: 200, body: { apiKey: FIXED_KEY, apiKeyId: expect.stringMatching(/^ApiFixed/) } });
    // The generated key was made at start, printed, and works.
    const generated = /API key generated: (\w{40}) \(generated locally/.exec(log.join('\n'))?.[1];
    expect(generated).toBeDefined();
    expect((await get(`${url}/prod/keyed`, generated)).status).toBe(200);
    expect(log.join('\n')).toMatch(/API key disabled: disabled-key-0123456789-abcdef \(from the template\) — disabled: API Gateway refuses it/);
    expect(log.join('\n')).toMatch(/GET \/keyed: refused: no API key \(x-api-key\)/);
  });
});

test('a generated key can be given (`apiKeys`, --api-key name=value) instead', async () => {
  await withGateway(async (url, log) => {
    expect((await get(`${url}/prod/keyed`, 'my-own-generated-key-0123456789')).status).toBe(200);
    expect(log.join('\n')).toMatch(/API key generated: my-own-generated-key-0123456789 \(given\)/);
  }, { apiKeys: { generated: 'my-own-generated-key-0123456789' } });
});

test('a usage plan\'s method throttle: a burst of 6 gets 3 answers and 3 × 429 Too Many Requests; buckets are per key and method', async () => {
  await withGateway(async (url) => {
    const answers = await Promise.all(Array.from({ length: 6 }, () => get(`${url}/prod/burst`, FIXED_KEY)));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(3);
    expect(answers.filter((a) => a.status === 429).map((a) => a.body)).toEqual(Array(3).fill({ message: 'Too Many Requests' }));
    // The method's throttle is its own bucket: the same key's other methods still answer, and so
    // does another key on this method (buckets are per key).
    expect((await get(`${url}/prod/keyed`, FIXED_KEY)).status).toBe(200);
    expect((await get(`${url}/prod/burst`, 'another-key-0123456789-abcdefghij')).status).toBe(200);
  }, { apiKeys: { generated: 'another-key-0123456789-abcdefghij' } });
});

test('a usage plan\'s quota: the third request of the day is 429 Limit Exceeded', async () => {
  await withGateway(async (url) => {
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push(await get(`${url}/prod/quota`, 'small-key-0123456789-abcdefghij'));
    expect(statuses.map((s) => s.status)).toEqual([200, 200, 429]);
    expect(statuses[2].body).toEqual({ message: 'Limit Exceeded' });
    // Another key's quota is its own.
    expect((await get(`${url}/prod/quota`, FIXED_KEY)).status).toBe(200);
  });
});

test('stage method throttling (deployOptions.methodOptions) applies without any key', async () => {
  await withGateway(async (url) => {
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await get(`${url}/prod/limited`)).status);
    expect(statuses).toEqual([200, 200, 429]);
  });
});

test('an API whose key source is AUTHORIZER takes the key from the Lambda authorizer\'s usageIdentifierKey', async () => {
  const app = new App({ outdir: tempDir('usage-authorizer-app') });
  const stack = new Stack(app, 'AuthorizerKeys');
  const api = new StreamingRestApi(stack, 'Api', { apiKeySourceType: apigateway.ApiKeySourceType.AUTHORIZER });
  const fn = new lambda.Function(stack, 'Echo', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline(HANDLER) });
  // A TOKEN authorizer that maps a customer's token to its API key, as AWS's usage plan docs describe.
  const authFn = new lambda.Function(stack, 'Auth', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(`exports.handler = async (event) => ({
      principalId: 'customer',
      usageIdentifierKey: event.authorizationToken === 'customer-a' ? '${FIXED_KEY}' : 'unknown-key-0123456789-abcdefghij',
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }] },
    });`),
  });
  const authorizer = new apigateway.TokenAuthorizer(stack, 'Token', { handler: authFn });
  api.addStreamingLambda('/metered', fn, { httpMethod: 'GET', apiKeyRequired: true, authorizer });
  const plan = api.addUsagePlan('Plan', { name: 'by-authorizer' });
  plan.addApiStage({ stage: api.deploymentStage });
  plan.addApiKey(api.addApiKey('Customer', { value: FIXED_KEY }));
  const gateway = LocalStreamingGateway.fromAssembly(app.synth().directory, { port: 0, accessLog: () => undefined, log: () => undefined });
  const url = await gateway.start();
  try {
    const a = await fetch(`${url}/prod/metered`, { headers: { 'Authorization': 'customer-a', 'x-api-key': 'ignored' } });
    expect([a.status, (await a.json()).apiKey]).toEqual([200, FIXED_KEY]);
    const b = await fetch(`${url}/prod/metered`, { headers: { 'Authorization': 'customer-b', 'x-api-key': FIXED_KEY } });
    expect([b.status, await b.json()]).toEqual([403, { message: 'Forbidden' }]);
  } finally {
    await gateway.stop();
  }
});
