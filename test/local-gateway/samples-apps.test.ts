import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { synthSamplesApp } from './apps/samples-style';
import { curl, fetchStream } from './support/clients';
import { readAssembly } from '../../local-gateway/assembly';
import { routesTable } from '../../local-gateway/cli';
import { LocalStreamingGateway } from '../../local-gateway/gateway';
import { FakeBedrock, startFakeBedrock } from '../../local-gateway/stand-ins/bedrock';
import { tempDir } from '../support/temp-dirs';
import { writeStackAssembly } from './support/assembly';

// Apps written the way AWS's public streaming samples write them (OpenAPI bodies with
// x-amazon-apigateway-integration, unbundled ES module handlers, the AWS SDK from the runtime, a
// Python app behind the Lambda Web Adapter), synthesized here and served by the gateway.

let out: string;
let bedrock: FakeBedrock;
let gateway: LocalStreamingGateway;
let url: string;
let backend: http.Server;
const logs: string[] = [];

beforeAll(async () => {
  out = synthSamplesApp({ outdir: tempDir('samples-app') });
  bedrock = await startFakeBedrock({ delayMs: 80, answer: 'one two three four' });
  // The asset API's HTTP_PROXY backend, mapped to a local server that streams slowly.
  backend = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'x-backend-path': req.url ?? '' });
    let n = 0;
    const timer = setInterval(() => {
      res.write(`part ${n}\n`);
      if (++n === 3) {
        clearInterval(timer);
        res.end();
      }
    }, 200);
  });
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', () => resolve()));
  gateway = LocalStreamingGateway.fromAssembly(out, {
    port: 0,
    backends: { 'http://backend.example.com': `http://127.0.0.1:${(backend.address() as AddressInfo).port}` },
    environment: { BEDROCK_ENDPOINT_URL: bedrock.url, NODE_NO_WARNINGS: '1' },
    accessLog: () => undefined,
    log: (line) => logs.push(line),
  });
  url = await gateway.start();
}, 120_000);

afterAll(async () => {
  await gateway?.stop();
  await bedrock?.close();
  backend?.close();
  if (out) fs.rmSync(out, { recursive: true, force: true });
});

describe('every REST API of the assembly', () => {
  test('OpenAPI bodies (inline and file asset) and Method resources are all routes, each API under a prefix', () => {
    const routes = readAssembly(out);
    const seen = routes.map((r) => `${r.prefix} ${r.stageName} ${r.httpMethod} ${r.path} ${r.integrationType} ${r.transferMode}`);
    expect(seen).toEqual(expect.arrayContaining([
      '/samples-chat prod POST /echo AWS_PROXY STREAM',
      '/samples-chat prod ANY /files/{proxy+} AWS_PROXY STREAM',
      '/samples-chat prod GET /classic AWS_PROXY BUFFERED',
      '/samples-chat prod GET /mock MOCK BUFFERED',
      '/assetapi v1 GET /greet/{name} AWS_PROXY STREAM',
      '/assetapi v1 GET /upstream HTTP_PROXY STREAM',
      '/samples-webapp dev ANY /app/{proxy+} AWS_PROXY STREAM',
    ]));
    expect(routes).toHaveLength(11);
    expect(routes.find((r) => r.path === '/greet/{name}')?.function?.handler).toBe('index.echo');
    const table = routesTable(routes);
    expect(table).toMatch(/\/samples-chat\/prod\/echo\s+\/echo\s+POST/);
    expect(table).toMatch(/\/samples-chat\/prod\/mock\s+\/mock\s+GET\s+-\s+MOCK\s+BUFFERED\s+\S+ s\s+mock \(1 integration response\)/);
  });

  test('--api picks one API (then served without a prefix); an unknown name lists the APIs', () => {
    const routes = readAssembly(out, { api: 'samples-webapp' });
    expect(routes.map((r) => [r.prefix, r.path])).toEqual([[undefined, '/app/{proxy+}']]);
    expect(() => readAssembly(out, { api: 'nope' })).toThrow(/--api nope names no API of the assembly; it has: samples-chat .*samples-webapp/);
  });

  test('an assembly without a REST API method is a clear error', () => {
    const empty = writeStackAssembly(tempDir('empty-assembly'), { B: { Type: 'AWS::S3::Bucket' } });
    expect(() => readAssembly(empty)).toThrow(/has no REST API method/);
  });

  test('a MOCK method of an OpenAPI body answers with its default response, its template rendered', async () => {
    const seen = await fetchStream(`${url}/samples-chat/prod/mock`);
    expect(seen.status).toBe(200);
    expect(JSON.parse(seen.body.toString())).toEqual({ mock: true, path: '/mock' });
  });
});

describe('handlers load like the Node.js managed runtime', () => {
  test('ES module, top-level await, export named by the Handler (index.echo); non-string writes are JSON', async () => {
    const seen = await fetchStream(`${url}/samples-chat/prod/echo`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' });
    expect(seen.status).toBe(200);
    expect(seen.headers['x-loaded-as']).toBe('esm');
    expect(JSON.parse(seen.body.toString())).toEqual({ greeting: 'echo', path: '/echo', stage: 'prod', resourcePath: '/prod/echo', body: 'hi', isBase64Encoded: false });
  });

  test('"type": "module" with a nested handler path streams its events as written', async () => {
    const seen = await curl([`${url}/samples-chat/prod/events`]);
    expect(seen.exitCode).toBe(0);
    expect(seen.body).toBe('data: one\n\ndata: two\n\ndata: three\n\n');
    expect(seen.arrivals.length).toBeGreaterThanOrEqual(3);
    expect(seen.arrivals[0]).toBeLessThan(seen.totalMs - 450);
  });

  test('.cjs, any method and a greedy path', async () => {
    const seen = await fetchStream(`${url}/samples-chat/prod/files/a/b.txt`, { method: 'DELETE' });
    expect(seen.status).toBe(201);
    expect(seen.headers['x-loaded-as']).toBe('cjs');
    expect(seen.body.toString()).toBe('method=DELETE proxy=a/b.txt');
  });

  test('an unbundled asset imports the AWS SDK (as the runtime provides it) and streams Bedrock', async () => {
    const seen = await curl(['-X', 'POST', '--data', '{"prompt":"count"}', `${url}/samples-chat/prod/bedrock`]);
    expect(seen.exitCode).toBe(0);
    expect(seen.body.replace(/\s+/g, ' ').trim()).toBe('one two three four');
    expect(seen.arrivals.length).toBeGreaterThanOrEqual(2);
    expect(bedrock.requests.at(-1)?.modelId).toBe('amazon.nova-lite-v1:0');
  });

  test('a streaming handler that is not async fails as on Lambda, saying why', async () => {
    const seen = await fetchStream(`${url}/samples-chat/prod/sync`);
    expect(seen.status).toBe(500);
    expect(seen.body.toString()).not.toContain('too late');
    expect(logs.join('\n')).toContain('Streaming does not support non-async handlers.');
  });
});

describe('Lambda proxy modes', () => {
  test('classic URI, BUFFERED, classic handler: the proxy result becomes the response', async () => {
    const seen = await fetchStream(`${url}/samples-chat/prod/classic`);
    expect(seen.status).toBe(200);
    expect(seen.headers['x-handler']).toBe('classic');
    expect(seen.headers['x-multi']).toBe('a, b');
    expect(seen.headers['content-length']).toBe(String(seen.body.length));
    expect(seen.body.toString()).toBe('classic GET /classic');
  });

  test('classic URI, BUFFERED, streaming handler: status and headers, no body (as API Gateway)', async () => {
    const seen = await fetchStream(`${url}/samples-chat/prod/buffered-stream`);
    expect(seen.status).toBe(200);
    expect(seen.headers['x-loaded-as']).toBe('esm');
    expect(seen.body.length).toBe(0);
  });
});

describe('stage paths and request bodies', () => {
  test('the stage path (the URL the stack outputs) and the root path reach the same route with the same event', async () => {
    const staged = JSON.parse((await fetchStream(`${url}/assetapi/v1/greet/bob`)).body.toString());
    const root = JSON.parse((await fetchStream(`${url}/greet/bob`)).body.toString());
    expect(staged).toMatchObject({ path: '/greet/bob', stage: 'v1', resourcePath: '/v1/greet/bob' });
    expect(root).toEqual(staged);
  });

  test('an HTTP_PROXY method of an asset body streams from its (mapped) backend under the stage path', async () => {
    const seen = await curl(['-i', `${url}/assetapi/v1/upstream`]);
    expect(seen.exitCode).toBe(0);
    expect(seen.body).toMatch(/x-backend-path: \/slow/i);
    expect(seen.body).toContain('part 0\npart 1\npart 2\n');
    expect(seen.arrivals.length).toBeGreaterThanOrEqual(3);
  });

  test('bodies are base64 only for the API\'s binary media types', async () => {
    const bytes = Buffer.from([0, 1, 2, 255]);
    const post = async (type: string) => JSON.parse((await fetchStream(`${url}/samples-chat/prod/echo`, { method: 'POST', headers: { 'content-type': type }, body: bytes })).body.toString());
    const binary = await post('application/octet-stream');
    expect(binary.isBase64Encoded).toBe(true);
    expect(Buffer.from(binary.body, 'base64')).toEqual(bytes);
    expect((await post('image/png')).isBase64Encoded).toBe(true);
    const text = await post('application/x-custom');
    expect(text.isBase64Encoded).toBe(false);
    expect(text.body).toBe(bytes.toString('utf8'));
  });
});

describe('a Python web app behind the Lambda Web Adapter', () => {
  test('runs from its start script and streams through the route', async () => {
    const seen = await curl(['-i', `${url}/samples-webapp/dev/app/stream?x=1`]);
    expect(seen.exitCode).toBe(0);
    expect(seen.body).toMatch(/^HTTP\/1\.1 200/);
    expect(seen.body).toMatch(/x-python-version: 3\.\d+/i);
    expect(seen.body.match(/^data: /gm)).toHaveLength(3);
    expect(seen.body).toContain('"path": "/app/stream?x=1", "stage": "dev"');
    expect(seen.arrivals.length).toBeGreaterThanOrEqual(3);
    expect(seen.arrivals[1] - seen.arrivals[0]).toBeGreaterThan(150);
  }, 30_000);

  test('when its language is not installed, the route answers 501 naming what to install', () => {
    const other = synthSamplesApp({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'samples-dotnet-')), pythonRuntime: lambda.Runtime.DOTNET_8 });
    const route = readAssembly(other).find((r) => r.path === '/app/{proxy+}');
    fs.rmSync(other, { recursive: true, force: true });
    expect(route?.unsupported).toMatch(/runs on dotnet8, which is not installed here: install the \.NET runtime/);
  }, 60_000);
});
