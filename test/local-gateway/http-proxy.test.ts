import * as http from 'http';
import * as net from 'net';
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

test('the query string reaches the backend as the client sent it, after the URL\'s own', async () => {
  const { url } = await serve([
    { path: '/items/{id}', url: `${backendUrl}/base/items/{id}` },
    { path: '/search', url: `${backendUrl}/base/search?v=2` },
  ]);
  expect((await rawGet(url, '/items/1?q=a%20b&flag&x=%zz&p=1+2')).body).toBe('/base/items/1?q=a%20b&flag&x=%zz&p=1+2');
  expect((await rawGet(url, '/search?q=%C3%A9')).body).toBe('/base/search?v=2&q=%C3%A9');
});

test('path values are substituted encoded, `$` sequences are text, a greedy value keeps its slashes', async () => {
  const { url } = await gateway();
  expect((await rawGet(url, '/files/docs/a%20b/%24%26x')).body).toBe('/base/docs/a%20b/%24%26x');
  expect((await rawGet(url, '/items/%241%24%60')).body).toBe('/base/items/%241%24%60');
  expect((await rawGet(url, '/items/a%2Fb?q=1')).body).toBe('/base/items/a%2Fb?q=1');
});

describe('backends that answer what no client can be sent', () => {
  // A raw backend: each request gets the bytes its path names.
  const answers: Record<string, string> = {
    '/odd': 'HTTP/1.1 999 Odd\r\nContent-Length: 2\r\n\r\nhi',
    '/six': 'HTTP/1.1 600 Six\r\nContent-Length: 2\r\n\r\nhi',
    '/upgrade': 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
    '/early': 'HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
  };
  let raw: net.Server;
  let rawUrl: string;
  beforeAll(async () => {
    raw = net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', (request: Buffer) => socket.write(answers[request.toString().split(' ')[1]] ?? 'HTTP/1.1 404 No\r\nContent-Length: 0\r\n\r\n'));
    });
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
    rawUrl = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => raw.close(() => r())));

  test.each([
    ['/odd', /answered status 999, not 200..599/],
    ['/six', /answered status 600, not 200..599/],
    ['/upgrade', /answered 101 \(switching protocols\)/],
  ])('%s is a 502 at once, with a log line that says why', async (path, why) => {
    const { url, diagnostics } = await serve([{ path, url: `${rawUrl}${path}` }]);
    const started = performance.now();
    const seen = await rawGet(url, path);
    expect(seen).toEqual({ status: 502, body: '{"message":"Internal server error"}' });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(diagnostics.join('\n')).toMatch(why);
  });

  test('an interim 103 is not the answer: the 200 after it is', async () => {
    const { url } = await serve([{ path: '/early', url: `${rawUrl}/early` }]);
    expect(await rawGet(url, '/early')).toEqual({ status: 200, body: 'ok' });
  });
});

describe('backends that close connections without saying so', () => {
  // A raw backend that answers one request per connection and closes it 5 ms later, without a
  // `Connection: close` header (as small embedded servers do); `/reset` resets the connection
  // instead of answering. It counts the connections and the requests it read.
  let raw: net.Server;
  let rawUrl: string;
  let connections = 0;
  const requests: string[] = [];
  beforeAll(async () => {
    raw = net.createServer((socket) => {
      connections++;
      socket.on('error', () => undefined);
      socket.once('data', (request: Buffer) => {
        const [head, body] = request.toString().split('\r\n\r\n');
        const target = head.split(' ')[1];
        requests.push(`${head.split(' ')[0]} ${target} ${body}`);
        if (target === '/reset') {
          socket.resetAndDestroy();
          return;
        }
        socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
        setTimeout(() => socket.destroy(), 5);
      });
    });
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
    rawUrl = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => raw.close(() => r())));
  beforeEach(() => {
    connections = 0;
    requests.splice(0);
  });

  test('a request sent on a kept connection the backend has closed is sent again on a new one, body and all', async () => {
    const { url } = await serve([{ path: '/echo', method: 'POST', url: `${rawUrl}/echo` }]);
    const bodies: string[] = [];
    for (let i = 0; i < 10; i++) {
      const response = await fetch(`${url}/echo`, { method: 'POST', body: `body ${i}` });
      expect(response.status).toBe(200);
      bodies.push(await response.text());
    }
    expect(bodies).toEqual(Array.from({ length: 10 }, (_, i) => `body ${i}`));
    // The backend read each request once (a request on a closed connection is never read).
    expect(requests).toEqual(bodies.map((body) => `POST /echo ${body}`));
    expect(connections).toBeGreaterThanOrEqual(10);
  });

  test('a backend that resets a new connection is a 502, and the request is not sent twice', async () => {
    const { url, diagnostics } = await serve([{ path: '/reset', method: 'POST', url: `${rawUrl}/reset` }]);
    const response = await fetch(`${url}/reset`, { method: 'POST', body: 'once' });
    expect(response.status).toBe(502);
    expect(requests).toEqual(['POST /reset once']);
    expect(diagnostics.join('\n')).toMatch(/backend http:\/\/127\.0\.0\.1:\d+ failed: read ECONNRESET/);
  });
});
