import * as http from 'http';
import type { AddressInfo } from 'net';
import { serve } from './support/serve';

// HTTP_PROXY path parameters are substituted encoded, and can never leave the backend's base path.

let backend: http.Server;
let backendUrl: string;
const seenByBackend: string[] = [];
beforeAll(async () => {
  backend = http.createServer((req, res) => {
    seenByBackend.push(req.url ?? '');
    res.end(req.url);
  });
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => backend.close(() => r())));
beforeEach(() => seenByBackend.splice(0));

/** A GET with the path sent exactly as given (no client-side normalisation). */
function rawGet(url: string, rawPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    http.get({ hostname, port, path: rawPath }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

async function gateway() {
  return serve([
    { path: '/files/{proxy+}', method: 'ANY', url: `${backendUrl}/base/{proxy}` },
    { path: '/items/{id}', url: `${backendUrl}/base/items/{id}` },
  ]);
}

test.each([
  ['/files/..%2f..%2fsecret'],
  ['/files/../secret'],
  ['/files/a/%2e%2e/%2e%2e/secret'],
  ['/items/..'],
  ['/items/%2e%2e'],
])('%s cannot climb out of the backend base path: a 4xx, the backend sees nothing', async (rawPath) => {
  // (a dot segment that the router resolves matches no route: 403, as on API Gateway)
  const { url } = await gateway();
  const seen = await rawGet(url, rawPath);
  expect([400, 403]).toContain(seen.status);
  expect(seenByBackend).toEqual([]);
});

test('path values are substituted encoded, `$` sequences are text, a greedy value keeps its slashes', async () => {
  const { url } = await gateway();
  expect((await rawGet(url, '/files/docs/a%20b/%24%26x')).body).toBe('/base/docs/a%20b/%24%26x');
  expect((await rawGet(url, '/items/%241%24%60')).body).toBe('/base/items/%241%24%60');
  expect((await rawGet(url, '/items/a%2Fb?q=1')).body).toBe('/base/items/a%2Fb?q=1');
});
