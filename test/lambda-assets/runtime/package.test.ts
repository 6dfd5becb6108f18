import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { InstalledPackage, installPackedRuntime } from '../../support/packed-runtime';

// `cdk-streaming-rest-api/runtime` from the packed tarball, as users get it: `require` loads the
// CommonJS build, `import` the ES modules (which Lambda's nodejs22.x/nodejs24.x load unbundled, and
// esbuild tree-shakes when StreamingFunction bundles a handler).

const ROOT = path.join(__dirname, '..', '..', '..');
/**
 * The SSE handler's runtime overhead may not grow past this. The goal is 3 KB (3072 bytes); the
 * runtime measured 5,212 bytes when this ceiling was set (bench/runtime-bundle-size.ts).
 */
const SSE_CEILING_BYTES = 5632;

/** A stand-in for the Lambda runtime's awslambda global and response stream, then a handler run: plain JavaScript for a child process. */
const STAND_IN = `
const { Writable } = require('node:stream');
const chunks = [];
let metadata;
globalThis.awslambda = { streamifyResponse: (h) => h, HttpResponseStream: { from: (s, m) => { metadata = m; return s; } } };
const raw = new Writable({ write(c, _e, cb) { chunks.push(Buffer.from(c)); cb(); } });
raw.setContentType = () => undefined;
const report = async (resolved, runtime) => {
  const handler = runtime.streamingHandler(async (_e, response) => { await runtime.sse(response, { heartbeatMs: 0 }).data({ hello: 1 }); });
  await handler({ headers: {} }, raw, { getRemainingTimeInMillis: () => 10000 });
  process.stdout.write(JSON.stringify({ resolved, metadata, body: Buffer.concat(chunks).toString(), exports: Object.keys(runtime).sort() }));
};`;

let pkg: InstalledPackage;

beforeAll(() => {
  pkg = installPackedRuntime();
}, 120_000);

afterAll(() => pkg?.close());

function node(file: string, source: string): { resolved: string; metadata: unknown; body: string; exports: string[] } {
  fs.writeFileSync(path.join(pkg.dir, file), source);
  return JSON.parse(execFileSync(process.execPath, [file], { cwd: pkg.dir, encoding: 'utf8' }));
}

describe('the packed runtime', () => {
  test('require() loads the CommonJS build and import the ES modules: the same exports and the same bytes on the wire', () => {
    // WHEN
    const cjs = node('run.cjs', `${STAND_IN}
report(require.resolve('cdk-streaming-rest-api/runtime'), require('cdk-streaming-rest-api/runtime'));`);
    const esm = node('run.mjs', `import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
${STAND_IN}
const runtime = await import('cdk-streaming-rest-api/runtime');
await report(import.meta.resolve('cdk-streaming-rest-api/runtime'), runtime);`);
    // THEN
    const installed = path.join(pkg.dir, 'node_modules', 'cdk-streaming-rest-api');
    expect(path.relative(installed, cjs.resolved)).toBe('lib/runtime/lambda-assets/runtime/index.js');
    expect(path.relative(installed, new URL(esm.resolved).pathname)).toBe('lib/runtime/esm/lambda-assets/runtime/index.js');
    expect(esm.exports).toEqual(cjs.exports.filter((name) => name !== '__esModule'));
    expect(esm.exports).toEqual(expect.arrayContaining(['sse', 'ndjson', 'pipe', 'streamingHandler', 'HttpError', 'validateMetadata']));
    expect(cjs.metadata).toEqual({ statusCode: 200, headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' } });
    expect(esm.metadata).toEqual(cjs.metadata);
    expect(cjs.body).toBe('data: {"hello":1}\n\nid: ~end\n\n');
    expect(esm.body).toBe(cjs.body);
  });

  test('esbuild keeps only what a handler uses when it imports the runtime; require bundles all of it', () => {
    // GIVEN
    const sseHandler = (load: string) => `${load}
export const handler = streamingHandler(async (_event, response) => {
  const events = sse(response);
  for (const text of ['Hello', 'world']) await events.data({ text });
});`;
    const ndjsonHandler = `import { ndjson, streamingHandler } from 'cdk-streaming-rest-api/runtime';
export const handler = streamingHandler(async (_event, response) => { await ndjson(response).send({ step: 1 }); });`;
    // WHEN
    const sseImport = pkg.bundle('sse-import', sseHandler("import { sse, streamingHandler } from 'cdk-streaming-rest-api/runtime';")).bytes.toString();
    const sseRequire = pkg.bundle('sse-require', sseHandler("const { sse, streamingHandler } = require('cdk-streaming-rest-api/runtime');")).bytes.toString();
    const ndjsonImport = pkg.bundle('ndjson-import', ndjsonHandler).bytes.toString();
    // THEN: each writer's content type tells whether its code is in the bundle
    expect(sseImport).toContain('text/event-stream');
    expect(sseImport).not.toContain('application/x-ndjson');
    expect(sseImport).not.toContain('getReader'); // pipe()
    expect(ndjsonImport).toContain('application/x-ndjson');
    expect(ndjsonImport).not.toContain('text/event-stream');
    expect(sseRequire).toContain('application/x-ndjson');
    expect(sseRequire).toContain('getReader');
    expect(sseImport.length).toBeLessThan(sseRequire.length);
  }, 60_000);

  test(`an SSE handler bundled from the package adds at most ${SSE_CEILING_BYTES} bytes (minified) over the same handler on raw streamifyResponse`, () => {
    const withRuntime = pkg.bundle('budget-runtime', `import { sse, streamingHandler } from 'cdk-streaming-rest-api/runtime';
export const handler = streamingHandler(async (_event, response) => {
  const events = sse(response);
  for (const text of ['Hello', 'world']) await events.data({ text });
});`).bytes;
    const raw = pkg.bundle('budget-raw', `export const handler = awslambda.streamifyResponse(async (_event, responseStream) => {
  const stream = awslambda.HttpResponseStream.from(responseStream, {
    statusCode: 200, headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' },
  });
  for (const text of ['Hello', 'world']) stream.write('data: ' + JSON.stringify({ text }) + '\\n\\n');
  stream.end();
});`).bytes;
    expect(withRuntime.length - raw.length).toBeLessThanOrEqual(SSE_CEILING_BYTES);
  }, 60_000);

  test('runtime/jwt is its own entry point: jose is bundled only into a handler that verifies tokens', () => {
    // GIVEN jose installed beside the package, as a user's handler would have it
    fs.symlinkSync(path.join(ROOT, 'node_modules', 'jose'), path.join(pkg.dir, 'node_modules', 'jose'));
    const serve = 'const serve = async () => new Response(null, { status: 202 });';
    // WHEN
    const withJwt = pkg.bundle('mcp-jwt', `import { mcpHandler } from 'cdk-streaming-rest-api/runtime';
import { jwtVerifier } from 'cdk-streaming-rest-api/runtime/jwt';
${serve}
export const handler = mcpHandler(serve, { verifyBearer: jwtVerifier({ issuer: 'https://issuer.example.com', audience: 'https://api.example.com/prod/mcp' }) });`).bytes.toString();
    const without = pkg.bundle('mcp-plain', `import { mcpHandler } from 'cdk-streaming-rest-api/runtime';
${serve}
export const handler = mcpHandler(serve);`).bytes.toString();
    // THEN (jose's JWKS fetcher names its own errors)
    expect(withJwt).toMatch(/ERR_JWKS_NO_MATCHING_KEY/);
    expect(without).not.toMatch(/ERR_JWKS/);
    expect(without).toContain('oauth-protected-resource');
  }, 60_000);

  test('TypeScript finds the ES module declarations for an ES module handler (node16), and they type-check', () => {
    // GIVEN
    fs.writeFileSync(path.join(pkg.dir, 'handler.mts'), `import { HttpError, sse, streamingHandler } from 'cdk-streaming-rest-api/runtime';
export const handler = streamingHandler(async (event, response) => {
  if (!event.queryStringParameters?.topic) throw new HttpError(400, 'topic is required');
  await sse(response, { resumable: true }).send({ event: 'token', data: { text: event.path } });
});`);
    fs.writeFileSync(path.join(pkg.dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        module: 'node16',
        moduleResolution: 'node16',
        target: 'ES2022',
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        types: ['node'],
        typeRoots: [path.join(ROOT, 'node_modules', '@types')],
        lib: ['es2022', 'dom'],
        traceResolution: true,
      },
      files: ['handler.mts'],
    }));
    // WHEN
    const trace = execFileSync(path.join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', '.'], { cwd: pkg.dir, encoding: 'utf8' });
    // THEN
    expect(trace).toMatch(/Module name 'cdk-streaming-rest-api\/runtime' was successfully resolved to '[^']*\/lib\/runtime\/esm\/lambda-assets\/runtime\/index\.d\.ts'/);
  }, 60_000);
});
