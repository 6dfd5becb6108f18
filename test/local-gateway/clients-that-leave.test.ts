import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { serve, until } from './support/serve';

// Clients that leave before their response: a request queued behind another on a pipelining
// connection, and a request still waiting for a free execution environment. Their invocations
// must stop (or never start), or they hold environments until the integration timeout.

/**
 * Streams a line every 50 ms for 20 s (far longer than the test), with the request's id; with
 * ?big=n, n × 4 MB as fast as the stream takes them instead (more than the relay buffers, so the
 * relay waits), writing how many bytes the stream took so far to the file ?progress= names.
 */
const LONG = `exports.handler = awslambda.streamifyResponse(async (event, s) => {
  const h = awslambda.HttpResponseStream.from(s, { headers: { 'content-type': 'text/plain' } });
  if (event.queryStringParameters?.big) {
    const progress = event.queryStringParameters.progress;
    for (let i = 0; i < Number(event.queryStringParameters.big) * 64; i++) {
      if (!h.write(Buffer.alloc(65536, 120))) await new Promise((r) => h.once('drain', r));
      if (progress) require('fs').writeFileSync(progress, String((i + 1) * 65536));
    }
    h.end();
    return;
  }
  for (let i = 0; i < 400; i++) {
    h.write(event.queryStringParameters?.id + ' ' + i + '\\n');
    await new Promise((r) => setTimeout(r, 50));
  }
  h.end();
});`;

/** A client that pipelines `paths` on one connection and leaves when the test says so. */
interface PipeliningClient {
  /** Everything read so far. */
  readonly received: () => string;
  /** Resolves once `text` has been read. */
  readonly reads: (text: string) => Promise<void>;
  /**
   * Leaves: closes the socket, or resets it (`reset`: the gateway sees the connection fail at
   * once; a closed one looks like a client that half-closed, which still gets its response, until
   * a write fails). Resolves with what was read.
   */
  readonly leave: (reset?: boolean) => string;
}

function pipelining(url: string, paths: string[]): PipeliningClient {
  const { hostname, port } = new URL(url);
  let received = '';
  const readers: Array<() => void> = [];
  const socket = net.connect(Number(port), hostname, () => {
    socket.write(paths.map((p) => `GET ${p} HTTP/1.1\r\nHost: ${hostname}:${port}\r\n\r\n`).join(''));
  });
  socket.on('data', (d: Buffer) => {
    received += d.toString();
    readers.splice(0).forEach((r) => r());
  });
  socket.on('error', () => undefined);
  return {
    received: () => received,
    reads: async (text) => {
      while (!received.includes(text)) await new Promise<void>((r) => readers.push(r));
    },
    leave: (reset = false) => {
      if (reset) socket.resetAndDestroy();
      else socket.destroy();
      return received;
    },
  };
}

/** How many requests wait for an execution environment of the gateway's functions. */
function waitingRequests(gateway: unknown): number {
  const pools = (gateway as { pools: Map<string, { waiting: unknown[] }> }).pools;
  return [...pools.values()].reduce((sum, pool) => sum + pool.waiting.length, 0);
}

/** The first line of a response, or 'none' after 3 s (the request waits for an environment). */
function firstLine(url: string): Promise<string> {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => res.once('data', (d: Buffer) => {
      clearTimeout(timer);
      req.destroy();
      resolve(d.toString().split('\n')[0]);
    }));
    req.on('error', () => undefined);
    const timer = setTimeout(() => {
      req.destroy();
      resolve('none');
    }, 3000);
  });
}

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return check();
}

describe.each(['thread', 'process'] as const)('clients that leave (%s isolation)', (isolation) => {
  test('a pipelined request queued behind another stops when its client leaves', async () => {
    // GIVEN a function of long streams, at most two environments
    const { url, logs, gateway } = await serve([{ path: '/long', code: LONG }], { isolation, shaping: false, maxEnvironments: 2 });
    // WHEN a client pipelines two requests (the second's 4 MB wait behind the first) and leaves
    const client = pipelining(url, ['/long?id=first', '/long?id=second&big=1']);
    await client.reads('first 0');
    // (the second has an environment of its own, its output queued behind the first's)
    await until(() => waitingRequests(gateway) === 0 && gateway.workerCount === 2, 'both requests have an environment');
    const received = client.leave();
    expect(received).toMatch(/first 0/);
    expect(received).not.toMatch(/xxxx/);
    // THEN both requests end soon (their access-log lines), not at the idle or integration timeout,
    // and give back the function output they held
    expect(await waitFor(() => logs.length === 2, 3000)).toBe(true);
    // and both environments are free again: two new requests start streaming at once
    const next = await Promise.all(['a', 'b'].map((id) => firstLine(`${url}/long?id=${id}`)));
    expect(next).toEqual(['a 0', 'b 0']);
  });

  test('a request whose client left while it waited for an environment is not invoked', async () => {
    // GIVEN one environment at most, busy with a long stream
    const { url, logs, diagnostics, gateway } = await serve([{ path: '/long', code: LONG }], { isolation, shaping: false, maxEnvironments: 1 });
    const busy = pipelining(url, ['/long?id=busy']);
    await busy.reads('busy 0');
    // WHEN another client asks and leaves (resets) while it waits for the environment
    const waiting = pipelining(url, ['/long?id=waiting']);
    await until(() => waitingRequests(gateway) === 1, 'the second request waits for the environment');
    waiting.leave(true);
    busy.leave();
    // THEN once the environment is free, the waiting request is not invoked (the log says why)
    expect(await waitFor(() => diagnostics.some((d) => /client left before an execution environment was free/.test(d)), 3000)).toBe(true);
    expect(await waitFor(() => logs.length === 2, 3000)).toBe(true);
  });

  test('clients that close, or half-close, while their request waits are not invoked, and nothing is written to them', async () => {
    // GIVEN one environment at most, busy with a long stream for 600 ms
    const { url, diagnostics, gateway } = await serve([{ path: '/long', code: LONG }], { isolation, shaping: false, maxEnvironments: 1 });
    const busy = pipelining(url, ['/long?id=busy']);
    await busy.reads('busy 0');
    // WHEN 10 clients ask and close their connection (a FIN: curl --max-time, a browser's abort)
    // while they wait, and another asks and half-closes (it ends its side, and reads on)
    const gone = Array.from({ length: 10 }, (_, i) => pipelining(url, [`/long?id=gone${i}`]));
    await until(() => waitingRequests(gateway) === 10, 'the 10 requests wait for the environment');
    gone.forEach((client) => client.leave());
    const { hostname, port } = new URL(url);
    const halfClosed = new Promise<string>((resolve) => {
      let received = '';
      const socket = net.connect(Number(port), hostname, () => socket.end(`GET /long?id=half HTTP/1.1\r\nHost: ${hostname}:${port}\r\n\r\n`));
      socket.on('data', (d: Buffer) => (received += d.toString()));
      socket.on('close', () => resolve(received));
      socket.on('error', () => undefined);
    });
    await until(() => diagnostics.filter((d) => /client left before/.test(d)).length === 11, 'the 11 clients are seen leaving');
    busy.leave();
    // THEN none of the 11 is invoked, and the half-closed one was sent nothing at all (no interim 1xx)
    expect(await halfClosed).toBe('');
    expect(diagnostics.filter((d) => /client left before an execution environment was free/.test(d))).toHaveLength(11);
  });

  test('a client that half-closes once its request is under way gets its whole response, and nothing else', async () => {
    // GIVEN a warm environment
    const { url } = await serve([{ path: '/short', code: 'exports.handler = awslambda.streamifyResponse(async (e, s) => { const h = awslambda.HttpResponseStream.from(s, {}); h.write("a"); await new Promise((r) => setTimeout(r, 300)); h.end("b"); });' }], { isolation, shaping: false });
    await fetch(`${url}/short`).then((r) => r.text());
    // WHEN a client sends its request and half-closes at once (printf ... | nc -N does)
    const { hostname, port } = new URL(url);
    const received = await new Promise<string>((resolve) => {
      let text = '';
      const socket = net.connect(Number(port), hostname, () => socket.end(`GET /short HTTP/1.1\r\nHost: ${hostname}:${port}\r\nConnection: close\r\n\r\n`));
      socket.on('data', (d: Buffer) => (text += d.toString()));
      socket.on('close', () => resolve(text));
    });
    // THEN it reads a 200 and the whole body, with no interim response before it
    expect(received).toMatch(/^HTTP\/1.1 200 OK\r\n/);
    expect(received).toMatch(/\r\n\r\n1\r\na\r\n1\r\nb\r\n0\r\n\r\n$/);
  });

  test('a client that leaves before the body it announced is logged as leaving, and nothing is invoked', async () => {
    const { url, logs, diagnostics } = await serve([{ path: '/long', method: 'POST', code: LONG }], { isolation });
    const target = new URL(`${url}/long`);
    for (const leave of ['end', 'reset'] as const) {
      const socket = net.connect(Number(target.port), target.hostname);
      socket.on('error', () => undefined);
      await new Promise((r) => socket.once('connect', r));
      socket.write(`POST ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nContent-Length: 100\r\n\r\nhello`);
      await new Promise((r) => setTimeout(r, 100));
      if (leave === 'end') socket.destroy();
      else socket.resetAndDestroy();
    }
    expect(await waitFor(() => logs.length === 2, 3000)).toBe(true);
    expect(diagnostics.filter((d) => /the client left before its request body arrived \(.*\): the integration was not called/.test(d))).toHaveLength(2);
    expect(diagnostics.join('\n')).not.toMatch(/unexpected gateway error|cold start/);
  });

  test('a client that stops reading holds its handler back: the function\'s writes wait, within a bounded window', async () => {
    // GIVEN a function that writes 32 MB as fast as its stream takes them (more than the sockets hold)
    const { url } = await serve([{ path: '/long', code: LONG }], { isolation, shaping: false });
    const progress = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'backpressure-')), 'written');
    // WHEN its client reads the first bytes and then stops reading
    let reading!: () => void;
    const read = new Promise<void>((r) => (reading = r));
    const req = http.get(`${url}/long?id=x&big=8&progress=${encodeURIComponent(progress)}`, (res) => res.once('data', () => {
      res.pause();
      reading();
    }));
    req.on('error', () => undefined);
    await read;
    // THEN the handler is held back after a few MB (the sockets, the relay's buffer, the window):
    // its writes stop short of 32 MB. (The check waits for the count to stay the same for 500 ms:
    // a slower machine only makes that take longer; a handler that was not held back writes all
    // 32 MB and fails the check below.)
    const writtenSoFar = () => (fs.existsSync(progress) ? Number(fs.readFileSync(progress, 'utf8')) : 0);
    let written = -1;
    let since = Date.now();
    await until(() => {
      const now = writtenSoFar();
      if (now !== written) [written, since] = [now, Date.now()];
      return written > 0 && Date.now() - since >= 500;
    }, 'the handler\'s writes stop', 30_000);
    req.destroy();
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThan(8 * 1024 * 1024);
    fs.rmSync(path.dirname(progress), { recursive: true, force: true });
  });
});
