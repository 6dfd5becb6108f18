import * as http from 'http';
import type { AddressInfo } from 'net';
import type { Browser } from 'playwright-core';
import { synthCorsApp } from './apps/cors-app';
import { serve } from './support/serve';
import { LocalStreamingGateway } from '../../local-gateway/gateway';
import { launchChromium } from '../support/chromium';
import { tempDir } from '../support/temp-dirs';

// A streamed API called from a web page on another origin, as a chat UI on Vite's dev server
// calls it: CORS preflights (MOCK integrations from defaultCorsPreflightOptions, one origin and
// several), a MOCK route, and a gateway response that lets the page read API Gateway's errors.

let page: http.Server;
let origin: string;
let gateway: LocalStreamingGateway;
let url: string;
const diagnostics: string[] = [];

beforeAll(async () => {
  // the page's own server, on another port (another origin)
  page = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>chat</body></html>'));
  await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
  origin = `http://localhost:${(page.address() as AddressInfo).port}`;
  const dir = synthCorsApp(tempDir('cors-app'), origin);
  gateway = LocalStreamingGateway.fromAssembly(dir, { port: 0, accessLog: () => undefined, log: (m) => diagnostics.push(m), shaping: false });
  url = await gateway.start();
}, 120_000);

afterAll(async () => {
  await gateway?.stop();
  page?.close();
});

test('a preflight gets the headers defaultCorsPreflightOptions configured, from its MOCK integration', async () => {
  const res = await fetch(`${url}/prod/chat`, { method: 'OPTIONS', headers: { 'Origin': origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,authorization' } });
  expect(res.status).toBe(204);
  expect(Object.fromEntries(res.headers)).toMatchObject({
    'access-control-allow-origin': origin,
    'access-control-allow-headers': 'Content-Type,Authorization',
    'access-control-allow-methods': 'OPTIONS,GET,PUT,POST,DELETE,PATCH,HEAD',
    'access-control-allow-credentials': 'true',
    'vary': 'Origin',
  });
});

test.each([
  ['the second allowed origin', () => origin, () => origin],
  ['the first allowed origin', () => 'https://app.example.com', () => 'https://app.example.com'],
  ['an origin not allowed', () => 'https://evil.example', () => 'https://app.example.com'],
])('with several allowed origins, the VTL template answers %s', async (_what, sent, allowed) => {
  const res = await fetch(`${url}/prod/multi`, { method: 'OPTIONS', headers: { 'Origin': sent(), 'Access-Control-Request-Method': 'GET' } });
  expect(res.status).toBe(204);
  expect(res.headers.get('access-control-allow-origin')).toBe(allowed());
  expect(res.headers.get('access-control-allow-methods')).toBe('GET,POST');
});

test('a MOCK route renders its response template; its request template selects the integration response', async () => {
  const ok = await fetch(`${url}/prod/health?probe=local`);
  expect(ok.status).toBe(200);
  expect(await ok.json()).toEqual({ status: 'ok', stage: 'prod', probe: 'local' });
  const down = await fetch(`${url}/prod/health/down`);
  expect(down.status).toBe(503);
  expect(await down.json()).toEqual({ status: 'down' });
});

test('API Gateway\'s own errors take the API\'s gateway response: its status, headers and template', async () => {
  const res = await fetch(`${url}/prod/nowhere`, { headers: { Origin: origin } });
  expect(res.status).toBe(403);
  expect(res.headers.get('access-control-allow-origin')).toBe(origin);
  expect(res.headers.get('x-request-origin')).toBe(origin);
  expect(await res.json()).toEqual({ error: 'Missing Authentication Token', type: 'MISSING_AUTHENTICATION_TOKEN' });
});

describe('headless Chromium on another origin', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

  test('a JSON POST with Authorization (a preflight first) streams to the page, and the page can read a 403', async () => {
    const tab = await browser.newPage();
    try {
      await tab.goto(origin);
      const seen = await tab.evaluate(async (api) => {
        const started = performance.now();
        const res = await fetch(`${api}/prod/chat`, { method: 'POST', headers: { 'content-type': 'application/json', 'authorization': 'Bearer local' }, body: JSON.stringify({ message: 'one two three four' }) });
        const reader = res.body!.getReader();
        const chunks: Array<{ text: string; at: number }> = [];
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          chunks.push({ text: new TextDecoder().decode(value), at: performance.now() - started });
        }
        const missing = await fetch(`${api}/prod/nowhere`);
        return { status: res.status, chunks, endedAt: performance.now() - started, missing: { status: missing.status, body: await missing.json() } };
      }, url);
      expect(seen.status).toBe(200);
      expect(seen.chunks.map((c) => c.text).join('')).toBe('one two three four [Bearer local]');
      expect(seen.chunks[0].at).toBeLessThan(seen.endedAt - 200); // streamed, not buffered
      expect(seen.missing).toEqual({ status: 403, body: { error: 'Missing Authentication Token', type: 'MISSING_AUTHENTICATION_TOKEN' } });
    } finally {
      await tab.close();
    }
  });
});

test('a MOCK integration with no integration response for its status is API Gateway\'s 500, and the log says why', async () => {
  const { url: bare, diagnostics: seen } = await serve([{ path: '/m', integrationType: 'MOCK', code: '' }]);
  const res = await fetch(`${bare}/m`);
  expect(res.status).toBe(500);
  expect(await res.json()).toEqual({ message: 'Internal server error' });
  expect(seen.join('\n')).toMatch(/gave statusCode 200, which no integration response selects/);
});
