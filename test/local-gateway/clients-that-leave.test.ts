import * as http from 'http';
import * as net from 'net';
import { serve } from './support/serve';
import { BatchCredit, Lease } from '../../local-gateway/lambda/channel';

/** Counts the leases on function output (shared slots, channel.ts) the gateway holds. */
const leases = { out: 0 };
beforeAll(() => {
  const receive = BatchCredit.prototype.receive;
  jest.spyOn(BatchCredit.prototype, 'receive').mockImplementation(function (this: BatchCredit, message, deliver) {
    return receive.call(this, message, (env: number, bytes: Buffer, lease?: Lease) => {
      if (lease) leases.out++;
      deliver(env, bytes, lease);
    });
  });
  const returned = BatchCredit.prototype.returned;
  jest.spyOn(BatchCredit.prototype, 'returned').mockImplementation(function (this: BatchCredit, slot: number) {
    leases.out--;
    returned.call(this, slot);
  });
});
afterAll(() => jest.restoreAllMocks());

// Clients that leave before their response: a request queued behind another on a pipelining
// connection, and a request still waiting for a free execution environment. Their invocations
// must stop (or never start), or they hold environments until the integration timeout.

/**
 * Streams a line every 50 ms for 20 s (far longer than the test), with the request's id; with
 * ?big=n, n × 4 MB at once instead (more than the relay buffers, so the relay waits).
 */
const LONG = `exports.handler = awslambda.streamifyResponse(async (event, s) => {
  const h = awslambda.HttpResponseStream.from(s, { headers: { 'content-type': 'text/plain' } });
  if (event.queryStringParameters?.big) {
    for (let i = 0; i < Number(event.queryStringParameters.big) * 64; i++) if (!h.write(Buffer.alloc(65536, 120))) await new Promise((r) => h.once('drain', r));
    h.end();
    return;
  }
  for (let i = 0; i < 400; i++) {
    h.write(event.queryStringParameters?.id + ' ' + i + '\\n');
    await new Promise((r) => setTimeout(r, 50));
  }
  h.end();
});`;

/**
 * Sends `paths` pipelined on one connection, reads a little, then leaves: closes the socket, or
 * resets it (`reset`: the gateway sees the connection fail at once; a closed one looks like a
 * client that half-closed, which still gets its response, until a write fails).
 */
function pipelineAndLeave(url: string, paths: string[], leaveAfterMs: number, reset = false): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    let received = '';
    const socket = net.connect(Number(port), hostname, () => {
      socket.write(paths.map((p) => `GET ${p} HTTP/1.1\r\nHost: ${hostname}:${port}\r\n\r\n`).join(''));
      setTimeout(() => {
        if (reset) socket.resetAndDestroy();
        else socket.destroy();
        resolve(received);
      }, leaveAfterMs);
    });
    socket.on('data', (d: Buffer) => (received += d.toString()));
    socket.on('error', reject);
  });
}

/** The first line of a response, or 'none' after 3 s (the request waits for an environment). */
function firstLine(url: string): Promise<string> {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => res.once('data', (d: Buffer) => {
      req.destroy();
      resolve(d.toString().split('\n')[0]);
    }));
    req.on('error', () => undefined);
    setTimeout(() => {
      req.destroy();
      resolve('none');
    }, 3000);
  });
}

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return check();
}

describe.each(['shared', 'thread'] as const)('clients that leave (%s isolation)', (isolation) => {
  test('a pipelined request queued behind another stops when its client leaves', async () => {
    // GIVEN a function of long streams, at most two environments
    const { url, logs } = await serve([{ path: '/long', code: LONG }], { isolation, shaping: false, maxEnvironments: 2 });
    // WHEN a client pipelines two requests (the second's 4 MB wait behind the first) and leaves
    const received = await pipelineAndLeave(url, ['/long?id=first', '/long?id=second&big=1'], 400);
    expect(received).toMatch(/first 0/);
    expect(received).not.toMatch(/xxxx/);
    // THEN both requests end soon (their access-log lines), not at the idle or integration timeout,
    // and give back the function output they held
    expect(await waitFor(() => logs.length === 2, 3000)).toBe(true);
    expect(await waitFor(() => leases.out === 0, 3000)).toBe(true);
    // and both environments are free again: two new requests start streaming at once
    const next = await Promise.all(['a', 'b'].map((id) => firstLine(`${url}/long?id=${id}`)));
    expect(next).toEqual(['a 0', 'b 0']);
  });

  test('a request whose client left while it waited for an environment is not invoked', async () => {
    // GIVEN one environment at most, busy with a long stream
    const { url, logs, diagnostics } = await serve([{ path: '/long', code: LONG }], { isolation, shaping: false, maxEnvironments: 1 });
    const busy = pipelineAndLeave(url, ['/long?id=busy'], 600);
    await new Promise((r) => setTimeout(r, 150));
    // WHEN another client asks and leaves (resets) while it waits for the environment
    await pipelineAndLeave(url, ['/long?id=waiting'], 100, true);
    await busy;
    // THEN once the environment is free, the waiting request is not invoked (the log says why)
    expect(await waitFor(() => diagnostics.some((d) => /client left before an execution environment was free/.test(d)), 3000)).toBe(true);
    expect(await waitFor(() => logs.length === 2, 3000)).toBe(true);
    expect(await waitFor(() => logs.length === 2, 3000)).toBe(true);
  });

  test('clients that close while their request waits (curl --max-time, a browser\'s abort) are not invoked; one that half-closes gets its response', async () => {
    // GIVEN one environment at most, busy with a long stream for 600 ms
    const { url, diagnostics } = await serve([{ path: '/long', code: LONG }], { isolation, shaping: false, maxEnvironments: 1 });
    const busy = pipelineAndLeave(url, ['/long?id=busy'], 600);
    await new Promise((r) => setTimeout(r, 150));
    // WHEN 10 clients ask and close their connection (a FIN, as a closed socket sends) while they
    // wait, and another asks and half-closes (it ends its side, and reads on)
    const left = Promise.all(Array.from({ length: 10 }, (_, i) => pipelineAndLeave(url, [`/long?id=gone${i}`], 50)));
    const { hostname, port } = new URL(url);
    const halfClosed = new Promise<string>((resolve, reject) => {
      let received = '';
      const socket = net.connect(Number(port), hostname, () => socket.end(`GET /long?id=half HTTP/1.1\r\nHost: ${hostname}:${port}\r\n\r\n`));
      socket.on('data', (d: Buffer) => {
        received += d.toString();
        if (/half 0/.test(received)) {
          socket.destroy();
          resolve(received);
        }
      });
      socket.on('error', reject);
    });
    await left;
    await busy;
    // THEN the half-closed client gets its response (an interim 100 Continue before it), and
    // none of the 10 that left is invoked
    expect(await halfClosed).toMatch(/^HTTP\/1.1 100 Continue\r\n\r\nHTTP\/1.1 200 OK\r\n[\s\S]*half 0/);
    expect(diagnostics.filter((d) => /client left before an execution environment was free/.test(d))).toHaveLength(10);
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

  test('a client that stops reading holds a few lent chunks of its thread\'s shared slots, not all of them', async () => {
    // GIVEN a function that writes 32 MB as fast as it can (more than the sockets hold)
    const { url } = await serve([{ path: '/long', code: LONG }], { isolation, shaping: false });
    // WHEN its client reads the first bytes and then stops reading
    const req = http.get(`${url}/long?id=x&big=8`, (res) => res.once('data', () => res.pause()));
    req.on('error', () => undefined);
    await new Promise((r) => setTimeout(r, 500));
    // THEN the gateway holds at most a few chunks lent (the rest waits as copies, or in the function)
    const held = leases.out;
    req.destroy();
    expect(held).toBeLessThanOrEqual(8);
    expect(await waitFor(() => leases.out === 0, 3000)).toBe(true);
  });
});
