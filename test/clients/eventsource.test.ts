/// <reference lib="dom" />
import * as path from 'path';
import type { Browser } from 'playwright-core';
import { ChatGateway, startChatGateway } from './support/chat-gateway';
import { HandlerGateway, startHandlerGateway } from './support/handler-gateway';
import { launchChromium } from '../support/chromium';
import { runEsm } from './support/esm';

// Streams that end stay ended, seen by the two EventSource implementations people use: the
// `eventsource` package and headless Chromium's. Against StreamingBedrockChat's simple protocol
// (GET ?message=) through the local gateway and the Bedrock stand-in. An EventSource reconnects
// after any end of stream; the reconnect carries the end marker as Last-Event-ID and is answered
// 204, so the model is called once per answer, and the client stops. The same for the plainest
// `sse()` handler, which returns (or throws) without calling `events.end()`: it runs once.

const WAIT_MS = 10_000; // more than three reconnection delays (3 s each)

let chat: ChatGateway;
let plain: HandlerGateway;
let browser: Browser;

beforeAll(async () => {
  chat = await startChatGateway();
  plain = await startHandlerGateway(path.join(__dirname, 'fixtures', 'plain-sse.ts'));
  browser = await launchChromium(); // a system Chromium, CHROMIUM_PATH, or the one the dev dependencies ship
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await chat?.close();
  await plain?.close();
});

// The cases run side by side (each waits out a client's reconnection delay, 3 s): each on a gateway
// of its own over the shared assembly, so the statuses it reads are its own requests, and with a
// message of its own, so the model calls it counts are its own.

/** The statuses a gateway answered on `route` (each 200 is a run of the handler). */
function statuses(gateway: { requests: Array<{ resourcePath: string; status: string }> }, route: string): string[] {
  return gateway.requests.filter((r) => r.resourcePath === route).map((r) => r.status);
}

/** The calls the Bedrock stand-in received whose last user message is `message`. */
function modelCalls(message: string): number {
  return chat.bedrock.requests.filter((r) => r.body.messages.filter((m: any) => m.role === 'user').pop()?.content?.[0]?.text === message).length;
}

interface Seen {
  events: Array<{ type: string; data?: string; code?: number; readyState: number; lastEventId?: string }>;
  readyState: number;
  closedAt?: number;
}

describe('the eventsource package', () => {
  test.concurrent('a finished stream: the answer, one model call, then a 204 on the reconnect and the client is closed', async () => {
    // GIVEN
    const gateway = await chat.another();
    // WHEN
    const seen = await runEsm<Seen>('eventsource-connection', { url: `${gateway.url}/chat?message=${encodeURIComponent('hi you')}`, waitMs: WAIT_MS });
    // THEN
    expect(seen.events.filter((e) => e.type === 'delta').map((e) => JSON.parse(e.data!).text).join('')).toBe('You said: hi you');
    expect(seen.events.filter((e) => e.type === 'done')).toHaveLength(1);
    expect(seen.readyState).toBe(2); // CLOSED
    expect(seen.events[seen.events.length - 1]).toMatchObject({ type: 'error', code: 204 });
    expect(modelCalls('hi you')).toBe(1);
    expect(statuses(gateway, '/chat')).toEqual(['200', '204']);
  }, 30_000);

  test.concurrent('a failed stream: the error event, one model call, then a 204 and the client is closed', async () => {
    const gateway = await chat.another();
    const message = 'please [fail] (eventsource)';
    const seen = await runEsm<Seen>('eventsource-connection', { url: `${gateway.url}/chat?message=${encodeURIComponent(message)}`, waitMs: WAIT_MS });
    const frames = seen.events.filter((e) => e.type === 'error' && e.data !== undefined);
    expect(frames).toHaveLength(1);
    expect(JSON.parse(frames[0].data!)).toMatchObject({ error: expect.stringMatching(/throttlingException/i), message: expect.stringMatching(/Too many requests/) });
    expect(seen.readyState).toBe(2);
    expect(modelCalls(message)).toBe(1);
    expect(statuses(gateway, '/chat')).toEqual(['200', '204']);
  }, 30_000);
});

/** Opens an EventSource in a page of the API's origin until it is closed (or WAIT_MS): what the page saw. */
async function inBrowser(url: string) {
  const page = await browser.newPage();
  try {
    await page.goto(`${new URL(url).origin}/page-that-does-not-exist`).catch(() => undefined); // same origin as the API
    type PageSeen = { deltas: string[]; done: number; errorFrames: string[]; errors: number; readyState: number };
    return await page.evaluate(({ source, waitMs }) => new Promise<PageSeen>((resolve) => {
      const seen = { deltas: [] as string[], done: 0, errorFrames: [] as string[], errors: 0, readyState: 0 };
      const es = new EventSource(source);
      es.addEventListener('delta', (e) => seen.deltas.push(JSON.parse((e as MessageEvent).data).text));
      es.addEventListener('done', () => (seen.done += 1));
      es.addEventListener('error', (e) => {
        if ((e as MessageEvent).data !== undefined) seen.errorFrames.push((e as MessageEvent).data);
        else seen.errors += 1;
      });
      const started = performance.now();
      const poll = setInterval(() => {
        if (es.readyState === EventSource.CLOSED || performance.now() - started > waitMs) {
          clearInterval(poll);
          seen.readyState = es.readyState;
          es.close();
          resolve(seen);
        }
      }, 20);
    }), { source: url, waitMs: WAIT_MS });
  } finally {
    await page.close();
  }
}

describe('headless Chromium EventSource', () => {
  test.concurrent('a finished stream is read once and the EventSource ends CLOSED, without a second model call', async () => {
    const gateway = await chat.another();
    const seen = await inBrowser(`${gateway.url}/chat?message=${encodeURIComponent('from chromium')}`);
    expect(seen.deltas.join('')).toBe('You said: from chromium');
    expect(seen.done).toBe(1);
    expect(seen.readyState).toBe(2);
    expect(modelCalls('from chromium')).toBe(1);
    expect(statuses(gateway, '/chat')).toEqual(['200', '204']);
  }, 30_000);

  test.concurrent('a failed stream raises one error frame and the EventSource ends CLOSED, without a second model call', async () => {
    const gateway = await chat.another();
    const message = 'please [fail] (chromium)';
    const seen = await inBrowser(`${gateway.url}/chat?message=${encodeURIComponent(message)}`);
    expect(seen.deltas.join('')).toBe('You said: ');
    expect(seen.errorFrames).toHaveLength(1);
    expect(JSON.parse(seen.errorFrames[0]).message).toMatch(/Too many requests/);
    expect(seen.readyState).toBe(2);
    expect(modelCalls(message)).toBe(1);
    expect(statuses(gateway, '/chat')).toEqual(['200', '204']);
  }, 30_000);
});

describe('a plain sse() handler that returns or throws without events.end()', () => {
  const cases = [
    ['finished', '', 0],
    ['failed', '?fail', 1],
  ] as const;

  test.concurrent.each(cases)('the eventsource package: a %s stream runs the handler once, then a 204 closes the client', async (_name, query, errorFrames) => {
    // GIVEN
    const gateway = await plain.another();
    // WHEN
    const seen = await runEsm<Seen>('eventsource-connection', { url: `${gateway.url}/events${query}`, waitMs: WAIT_MS });
    // THEN
    expect(seen.events.filter((e) => e.type === 'delta').map((e) => JSON.parse(e.data!).text).join('')).toBe('Streaming works');
    const frames = seen.events.filter((e) => e.type === 'error' && e.data !== undefined);
    expect(frames).toHaveLength(errorFrames);
    if (errorFrames > 0) expect(JSON.parse(frames[0].data!)).toEqual({ message: 'the model broke', errorType: 'HttpError' });
    expect(seen.readyState).toBe(2); // CLOSED
    expect(seen.events[seen.events.length - 1]).toMatchObject({ type: 'error', code: 204 });
    expect(statuses(gateway, '/events')).toEqual(['200', '204']);
  }, 30_000);

  test.concurrent.each(cases)('headless Chromium: a %s stream runs the handler once, then a 204 closes the EventSource', async (_name, query, errorFrames) => {
    const gateway = await plain.another();
    const seen = await inBrowser(`${gateway.url}/events${query}`);
    expect(seen.deltas.join('')).toBe('Streaming works');
    expect(seen.errorFrames).toHaveLength(errorFrames);
    expect(seen.readyState).toBe(2);
    expect(statuses(gateway, '/events')).toEqual(['200', '204']);
  }, 30_000);
});
