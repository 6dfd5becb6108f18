import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { App, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as aws4 from 'aws4';
import { LocalStreamingGateway } from '../../../local-gateway/gateway';
import { StreamingRestApi } from '../../../src';
import { tempDir } from '../../support/temp-dirs';
import { gatewayForSuite } from '../support/suite-gateway';

// IAM (AWS_IAM) methods: the request's SigV4 signature verified against the credentials the
// gateway holds, signed the ways people sign execute-api requests: the AWS SDK's signer
// (@smithy/signature-v4, as SDK v3 code does) and `aws4` (an independent implementation).

const HANDLER = `exports.handler = awslambda.streamifyResponse(async (event, stream) => {
  const out = awslambda.HttpResponseStream.from(stream, { statusCode: 200 });
  out.write(JSON.stringify({ accessKey: event.requestContext.identity.accessKey ?? null, body: event.body, query: event.queryStringParameters }));
  out.end();
});`;

const CREDENTIALS = { accessKeyId: 'AKIDLOCALEXAMPLE', secretAccessKey: 'local/secret+key/EXAMPLE' };
const REGION = 'us-east-1';

function synth(): string {
  const app = new App({ outdir: tempDir('iam-app') });
  const stack = new Stack(app, 'Iam');
  const api = new StreamingRestApi(stack, 'Api');
  const fn = new lambda.Function(stack, 'Echo', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline(HANDLER) });
  api.addStreamingLambda('/signed/{name}', fn, { httpMethod: 'ANY', authorizationType: apigateway.AuthorizationType.IAM });
  return app.synth().directory;
}

const dir = synth();
const suite = gatewayForSuite(dir, { iamCredentials: [CREDENTIALS] });
const log = suite.log;
let url: URL;
beforeAll(() => {
  url = new URL(suite.url);
});

/** Signs with the AWS SDK's signer and sends with fetch. */
async function sdkSigned(method: string, path: string, body?: string, credentials = CREDENTIALS, signingDate?: Date): Promise<Response> {
  const target = new URL(path, url);
  const query = Object.fromEntries(target.searchParams);
  const signer = new SignatureV4({ service: 'execute-api', region: REGION, credentials, sha256: Hash.bind(null, 'sha256') });
  const signed = await signer.sign({
    method,
    protocol: 'http:',
    hostname: target.hostname,
    port: Number(target.port),
    path: target.pathname,
    query,
    headers: { 'host': target.host, 'content-type': 'application/json' },
    body,
  }, { signingDate });
  return fetch(target, { method, headers: signed.headers, body });
}

test('signed with the AWS SDK\'s signer (GET with a query, POST with a body): streamed, the access key in the event', async () => {
  const get = await sdkSigned('GET', '/prod/signed/alice?b=2&a=1');
  expect(get.status).toBe(200);
  expect(await get.json()).toEqual({ accessKey: CREDENTIALS.accessKeyId, body: null, query: { a: '1', b: '2' } });
  const post = await sdkSigned('POST', '/prod/signed/bob', JSON.stringify({ hello: 'world' }));
  expect(await post.json()).toMatchObject({ accessKey: CREDENTIALS.accessKeyId, body: '{"hello":"world"}' });
});

test('signed with aws4, an independent signer, including a path that needs encoding', async () => {
  for (const path of ['/prod/signed/carol?x=1', '/prod/signed/caf%C3%A9%20au%20lait']) {
    const opts = aws4.sign({ host: url.host, path, method: 'POST', service: 'execute-api', region: REGION, body: 'payload', headers: { 'content-type': 'text/plain' } }, CREDENTIALS);
    const res = await fetch(new URL(path, url), { method: 'POST', headers: opts.headers as Record<string, string>, body: 'payload' });
    expect([path, res.status]).toEqual([path, 200]);
  }
});

test.each([
  ['no signature', async () => fetch(new URL('/prod/signed/x', url)), 'Missing Authentication Token'],
  ['a key the gateway does not hold', async () => sdkSigned('GET', '/prod/signed/x', undefined, { accessKeyId: 'AKIDSOMEONEELSE', secretAccessKey: 'x' }), 'The security token included in the request is invalid.'],
  ['the wrong secret', async () => sdkSigned('GET', '/prod/signed/x', undefined, { ...CREDENTIALS, secretAccessKey: 'wrong' }), 'The request signature we calculated does not match'],
  ['a signature older than 5 minutes', async () => sdkSigned('GET', '/prod/signed/x', undefined, CREDENTIALS, new Date(Date.now() - 6 * 60_000)), 'The request signature we calculated does not match'],
  ['a body changed after signing', async () => {
    const target = new URL('/prod/signed/x', url);
    const signer = new SignatureV4({ service: 'execute-api', region: REGION, credentials: CREDENTIALS, sha256: Hash.bind(null, 'sha256') });
    const signed = await signer.sign({ method: 'POST', protocol: 'http:', hostname: target.hostname, port: Number(target.port), path: target.pathname, headers: { host: target.host }, body: 'original' });
    return fetch(target, { method: 'POST', headers: signed.headers, body: 'tampered' });
  }, 'The request signature we calculated does not match'],
  ['a garbled Authorization header', async () => fetch(new URL('/prod/signed/x', url), { headers: { Authorization: 'AWS4-HMAC-SHA256 nonsense' } }), 'Authorization header requires'],
])('%s: 403 with API Gateway\'s message, the function not called', async (_what, send, message) => {
  log.length = 0;
  const res = await send();
  expect(res.status).toBe(403);
  expect((await res.json()).message).toContain(message);
  expect(log.join('\n')).toMatch(/refused by IAM: /);
});

test('without credentials to verify with, an IAM method is refused (501), saying how to give them', async () => {
  const other = LocalStreamingGateway.fromAssembly(dir, { port: 0, accessLog: () => undefined, log: () => undefined, iamCredentials: [] });
  const base = await other.start();
  try {
    const res = await fetch(`${base}/prod/signed/x`);
    expect(res.status).toBe(501);
    expect((await res.json()).message).toMatch(/IAM \(SigV4\).*give the gateway AWS credentials \(AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in its shell\)/);
  } finally {
    await other.stop();
  }
});
