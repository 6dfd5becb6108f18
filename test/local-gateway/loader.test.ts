import * as fs from 'fs';
import * as path from 'path';
import { Writable } from 'stream';
import { buildAssembly } from './support/assembly';
import { fetchStream } from './support/clients';
import { LocalStreamingGateway } from '../../local-gateway/gateway';
import { createAwsLambda } from '../../local-gateway/lambda/sandbox/awslambda';
import { invoke } from '../../local-gateway/lambda/sandbox/invoke';

// The emulator's `awslambda` global as the Node.js runtime interface client has it, and handler
// loading failures named as the runtime names them, with what to do.

describe('awslambda parity with the runtime interface client', () => {
  const awslambda = createAwsLambda() as any;

  test('write() of anything but text or bytes writes its JSON', async () => {
    const handler = awslambda.streamifyResponse(async (_event: unknown, stream: Writable) => {
      stream.write({ a: 1 });
      stream.write([1, 2]);
      stream.write(Buffer.from('|buf|'));
      stream.write(new Uint8Array([65]));
      stream.write(42);
      stream.end();
    });
    const result = await invoke(handler, {});
    expect(result.outcome).toBe('ended');
    expect(result.body.toString()).toBe('{"a":1}[1,2]|buf|A42');
  });

  test('streamifyResponse(fn, { highWaterMark }) sets the stream\'s high-water mark; 16 KiB without it', async () => {
    const marks: number[] = [];
    const probe = () => async (_e: unknown, stream: Writable) => {
      marks.push(stream.writableHighWaterMark);
      stream.end();
    };
    await invoke(awslambda.streamifyResponse(probe(), { highWaterMark: 1024 }), {});
    await invoke(awslambda.streamifyResponse(probe()), {});
    expect(marks).toEqual([1024, 16 * 1024]);
  });

  test('a handler that is not async fails the invocation and sends nothing it wrote', async () => {
    const handler = awslambda.streamifyResponse((_e: unknown, stream: Writable) => {
      stream.write('written synchronously');
      stream.end();
    });
    const result = await invoke(handler, {}, { timeoutMs: 2000 });
    expect(result.outcome).toBe('error');
    expect(result.error?.errorMessage).toBe('Streaming does not support non-async handlers.');
    expect(result.body.length).toBe(0);
  });
});

describe('loading failures are named as the runtime names them', () => {
  async function serveAsset(files: Record<string, string>, handler = 'index.handler') {
    const dir = buildAssembly([{ path: '/f', code: '' }]);
    const asset = path.join(dir, 'asset.0');
    fs.rmSync(path.join(asset, 'index.js'));
    for (const [name, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(asset, name)), { recursive: true });
      fs.writeFileSync(path.join(asset, name), text);
    }
    const templateFile = path.join(dir, 'Test.template.json');
    fs.writeFileSync(templateFile, fs.readFileSync(templateFile, 'utf8').replace('"Handler":"index.handler"', `"Handler":"${handler}"`));
    const diagnostics: string[] = [];
    const gateway = LocalStreamingGateway.fromAssembly(dir, { port: 0, accessLog: () => undefined, log: (m) => diagnostics.push(m) });
    const url = await gateway.start();
    try {
      const seen = await fetchStream(`${url}/f`);
      return { status: seen.status, body: seen.body.toString(), log: diagnostics.join('\n') };
    } finally {
      await gateway.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  test('an AWS SDK client the app has not installed: the message names the package to install', async () => {
    const seen = await serveAsset({ 'index.mjs': "import { Nope } from '@aws-sdk/client-not-installed-here';\nexport const handler = awslambda.streamifyResponse(async () => {});\n" });
    expect(seen.status).toBe(500);
    expect(seen.log).toContain('Runtime.ImportModuleError');
    expect(seen.log).toContain('npm install --save-dev @aws-sdk/client-not-installed-here');
  });

  test('a handler name the module does not export', async () => {
    const seen = await serveAsset({ 'src/app.cjs': 'exports.other = async () => {};' }, 'src/app.handler');
    expect(seen.status).toBe(500);
    expect(seen.log).toMatch(/Runtime\.HandlerNotFound: src\/app\.handler is undefined or not exported/);
  });

  test('a syntax error', async () => {
    const seen = await serveAsset({ 'index.mjs': 'export const handler = ;' });
    expect(seen.status).toBe(500);
    expect(seen.log).toMatch(/Runtime\.UserCodeSyntaxError: SyntaxError/);
  });

  test('a nested export path (index.api.handler) and a classic handler with a callback', async () => {
    const seen = await serveAsset({ 'index.js': 'exports.api = { handler: (event, context, callback) => callback(null, { statusCode: 418, body: "nested" }) };' }, 'index.api.handler');
    // A classic handler on the streaming URI: its JSON result has no metadata prelude (500).
    expect(seen.status).toBe(500);
    expect(seen.log).toMatch(/the handler is not a streaming one; wrap it in awslambda\.streamifyResponse\(\)/);
  });
});
