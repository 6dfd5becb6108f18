import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as path from 'path';
import { chunkedHandler } from './support/assembly';
import { curl } from './support/clients';
import { idleEnvironments, serve, until } from './support/serve';
import { tempDir } from '../support/temp-dirs';

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
  test('an absolute-form target names the host that is checked, as RFC 9112 has it', async () => {
    const { url } = await serve([{ path: '/a', code: OK }]);
    const port = new URL(url).port;
    expect(await raw(url, 'GET http://rebind.attacker.example/a HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n')).toMatch(/^HTTP\/1.1 403/);
    expect(await raw(url, `GET http://127.0.0.1:${port}/a HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`)).toMatch(/^HTTP\/1.1 200[\s\S]*\r\n\r\n2\r\nok\r\n/);
  });

  test('two Host headers are a 400', async () => {
    const { url } = await serve([{ path: '/a', code: OK }]);
    expect(await raw(url, 'GET /a HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: rebind.attacker.example\r\n\r\n')).toMatch(/^HTTP\/1.1 400/);
  });

  test('a request for a Host that is neither the bound address nor a loopback name is a 403', async () => {
    const { url, diagnostics } = await serve([{ path: '/a', code: OK }]);
    const port = new URL(url).port;
    const evil = await curl(['-i', '-H', `Host: rebind.attacker.example:${port}`, `${url}/a`]);
    expect(evil.body).toMatch(/^HTTP\/1.1 403/);
    expect(diagnostics.join('\n')).toMatch(/refused a request for Host 'rebind.attacker.example/);
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, '[::1]', 'app.localhost', `localhost.:${port}`, '127.0.0.1.']) {
      expect((await curl(['-H', `Host: ${host}`, `${url}/a`])).body).toBe('ok');
    }
  });

  test('allowedHosts (--allow-host) adds names', async () => {
    const { url } = await serve([{ path: '/a', code: OK }], { allowedHosts: ['dev.test'] });
    expect((await curl(['-H', 'Host: dev.test:8080', `${url}/a`])).body).toBe('ok');
    expect((await curl(['-i', '-H', 'Host: other.test', `${url}/a`])).body).toMatch(/^HTTP\/1.1 403/);
    expect((await curl(['-H', 'Host: dev.test.', `${url}/a`])).body).toBe('ok');
    expect((await curl(['-i', '-H', 'Host: other.test.', `${url}/a`])).body).toMatch(/^HTTP\/1.1 403/);
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

  test('the 10,240 bytes are counted as sent: the request line and header lines with their line ends', async () => {
    const { url } = await serve([{ path: '/a', code: OK }]);
    const head = (bytes: number) => {
      const start = 'GET /a HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nX-Pad: ';
      return `${start}${'x'.repeat(bytes - start.length - 2)}\r\n`;
    };
    expect(head(10_240)).toHaveLength(10_240);
    expect(await raw(url, `${head(10_240)}\r\n`)).toMatch(/^HTTP\/1.1 200/);
    expect(await raw(url, `${head(10_241)}\r\n`)).toMatch(/^HTTP\/1.1 431[\s\S]*Request Header Fields Too Large/);
  });

  test('Expect: 100-continue: a body over 10 MB is refused without asking for it; a small one is asked for', async () => {
    const { url } = await serve([{ path: '/a', method: 'POST', code: OK }]);
    const big = await raw(url, `POST /a HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\nContent-Length: ${20 * 1024 * 1024}\r\n\r\n`);
    expect(big).toMatch(/^HTTP\/1.1 413/);
    expect(big).not.toMatch(/100 Continue/);
    // curl sends Expect: 100-continue for bodies over 1 MB and waits for the 100 before sending
    const file = path.join(tempDir('expect-continue'), 'body');
    fs.writeFileSync(file, 'x'.repeat(2 * 1024 * 1024));
    const small = await curl(['-i', '-H', 'Content-Type: text/plain', '--data-binary', `@${file}`, `${url}/a`]);
    expect(small.body).toMatch(/^HTTP\/1.1 100 Continue\r\n\r\nHTTP\/1.1 200/);
  });

  test('a declared Content-Length over 10 MB is a 413 before any of the body is sent', async () => {
    const { url } = await serve([{ path: '/a', method: 'POST', code: OK }]);
    const answer = await raw(url, `POST /a HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${10 * 1024 * 1024 + 1}\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1.1 413/);
    expect(answer).toContain('{"message":"Request Too Long"}');
  });

  test('a client that half-closes after its request gets its response from a warm environment; one whose request waits for a cold start is taken as gone', async () => {
    const { url, diagnostics, gateway } = await serve([{ path: '/a', code: OK }]);
    // a cold start: the FIN comes while the request waits for an environment
    // (closed or reset, with nothing written)
    expect(await raw(url, 'GET /a HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', true).catch(() => '')).toBe('');
    expect(diagnostics.join('\n')).toMatch(/the client left before an execution environment was free/);
    expect((await curl([`${url}/a`])).body).toBe('ok');
    // (the environment goes back to its pool when the relay lets go of its output, which can come
    // after curl has read the whole response: a FIN sent before that would meet a busy environment)
    await until(() => idleEnvironments(gateway) > 0, 'an environment is back in its pool');
    // warm: the invocation starts at once, and the response comes whole, with nothing before it
    const answer = await raw(url, 'GET /a HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', true);
    expect(answer).toMatch(/^HTTP\/1.1 200/);
    expect(answer).toMatch(/\r\n\r\n2\r\nok\r\n0\r\n\r\n$/);
  });
});

describe('request targets that are not plain paths', () => {
  test.each([
    ['GET //x:99999/a HTTP/1.1', 403], // a path that starts with two slashes and looks like a host
    ['GET //[::1/a HTTP/1.1', 403],
    ['GET http://a:99999/a HTTP/1.1', 400], // absolute-form that is no URL
    ['GET http://[::1/a HTTP/1.1', 400],
    ['GET http://:80/a HTTP/1.1', 400],
    ['OPTIONS * HTTP/1.1', 400],
  ])('%s is a %s, and the gateway goes on', async (line, status) => {
    const { url } = await serve([{ path: '/a', code: OK }]);
    expect(await raw(url, `${line}\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`)).toMatch(new RegExp(`^HTTP/1.1 ${status}`));
    expect((await curl([`${url}/a`])).body).toBe('ok');
  });

  test('a path that starts with // is a path: //anything/a is not the route /a (403), as a browser\'s image link would send it', async () => {
    const { url } = await serve([{ path: '/a', code: OK }]);
    const seen = await curl(['-i', '--path-as-is', `${url}//anything/a`]);
    expect(seen.body).toMatch(/^HTTP\/1.1 403[\s\S]*Missing Authentication Token/);
    const crash = await fetch(`${url}//x:99999/a`);
    expect(crash.status).toBe(403);
    expect((await fetch(`${url}/a`)).status).toBe(200);
  });
});
