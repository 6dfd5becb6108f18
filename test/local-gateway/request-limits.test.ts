import * as http from 'http';
import * as net from 'net';
import { chunkedHandler } from './support/assembly';
import { curl } from './support/clients';
import { serve } from './support/serve';

// What reaches the gateway: the Host check (no DNS rebinding), API Gateway's request limits,
// and clients that half-close after their request.

const OK = chunkedHandler({}, ['ok']);

/** Sends raw bytes on a new connection; `halfClose` ends our side after writing. Resolves with all bytes read. */
function raw(url: string, request: string, halfClose = false): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => {
      socket.write(request);
      if (halfClose) socket.end();
    });
    let text = '';
    socket.on('data', (c: Buffer) => (text += c.toString('latin1')));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
    setTimeout(() => socket.destroy(), 5000).unref();
  });
}

describe('Host', () => {
  test('a request for a Host that is neither the bound address nor a loopback name is a 403', async () => {
    const { url, diagnostics } = await serve([{ path: '/a', code: OK }]);
    const port = new URL(url).port;
    const evil = await curl(['-i', '-H', `Host: rebind.attacker.example:${port}`, `${url}/a`]);
    expect(evil.body).toMatch(/^HTTP\/1.1 403/);
    expect(diagnostics.join('\n')).toMatch(/refused a request for Host 'rebind.attacker.example/);
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, '[::1]', 'app.localhost']) {
      expect((await curl(['-H', `Host: ${host}`, `${url}/a`])).body).toBe('ok');
    }
  });

  test('allowedHosts (--allow-host) adds names', async () => {
    const { url } = await serve([{ path: '/a', code: OK }], { allowedHosts: ['dev.test'] });
    expect((await curl(['-H', 'Host: dev.test:8080', `${url}/a`])).body).toBe('ok');
    expect((await curl(['-i', '-H', 'Host: other.test', `${url}/a`])).body).toMatch(/^HTTP\/1.1 403/);
  });

  test('binding a non-loopback address prints a warning', async () => {
    const { gateway, diagnostics } = await serve([{ path: '/a', code: OK }], { host: '0.0.0.0' });
    expect(diagnostics.join('\n')).toMatch(/warning: listening on 0.0.0.0, not a loopback address/);
    const port = new URL(gateway.url).port;
    expect((await curl([`http://127.0.0.1:${port}/a`])).body).toBe('ok');
  });
});

describe('request limits', () => {
  function withHeader(url: string, bytes: number): Promise<number> {
    return new Promise((resolve, reject) => {
      http.get(`${url}/a`, { headers: { 'x-big': 'x'.repeat(bytes) } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject);
    });
  }

  test('request line and headers over 10,240 bytes are a 431', async () => {
    const { url } = await serve([{ path: '/a', code: OK }]);
    expect(await withHeader(url, 9_000)).toBe(200);
    expect(await withHeader(url, 10_300)).toBe(431);
  });

  test('a declared Content-Length over 10 MB is a 413 before any of the body is sent', async () => {
    const { url } = await serve([{ path: '/a', method: 'POST', code: OK }]);
    const answer = await raw(url, `POST /a HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${10 * 1024 * 1024 + 1}\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1.1 413/);
    expect(answer).toContain('{"message":"Request Too Long"}');
  });

  test('a client that half-closes after its request gets its response', async () => {
    const { url } = await serve([{ path: '/a', code: OK }]);
    const answer = await raw(url, 'GET /a HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', true);
    expect(answer).toMatch(/^HTTP\/1.1 200/);
    expect(answer).toMatch(/\r\n\r\n2\r\nok\r\n0\r\n\r\n$/);
  });
});
