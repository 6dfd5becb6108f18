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

/** The requests the gateway answered on the chat route since `from`, as statuses. */
function chatStatuses(from: number): string[] {
  return chat.requests.slice(from).filter((r) => r.resourcePath === '/chat').map((r) => r.status);
}

/** The requests the plain handler's gateway answered since `from`, as statuses (each 200 is a run of the handler). */
function plainStatuses(from: number): string[] {
  return plain.requests.slice(from).filter((r) => r.resourcePath === '/events').map((r) => r.status);
}

interface Seen {
  events: Array<{ type: string; data?: string; code?: number; readyState: number; lastEventId?: string }>;
  readyState: number;
  closedAt?: number;
}

describe('the eventsource package', () => {
  test('a finished stream: the answer, one model call, then a 204 on the reconnect and the client is closed', async () => {
    // GIVEN
    const [requests, calls] = [chat.requests.length, chat.bedrock.requests.length];
    // WHEN
    const seen = await runEsm<Seen>('eventsource-connection', { url: `${chat.url}/chat?message=${encodeURIComponent('hi you')}`, waitMs: WAIT_MS });
    // THEN
    expect(seen.events.filter((e) => e.type === 'delta').map((e) => JSON.parse(e.data!).text).join('')).toBe('You said: hi you');
    expect(seen.events.filter((e) => e.type === 'done')).toHaveLength(1);
    expect(seen.readyState).toBe(2); // CLOSED
    expect(seen.events[seen.events.length - 1]).toMatchObject({ type: 'error', code: 204 });
    expect(chat.bedrock.requests.length - calls).toBe(1);
    expect(chatStatuses(requests)).toEqual(['200', '204']);
  }, 30_000);

  test('a failed stream: the error event, one model call, then a 204 and the client is closed', async () => {
    const [requests, calls] = [chat.requests.length, chat.bedrock.requests.length];
    const seen = await runEsm<Seen>('eventsource-connection', { url: `${chat.url}/chat?message=${encodeURIComponent('please [fail]')}`, waitMs: WAIT_MS });
    const frames = seen.events.filter((e) => e.type === 'error' && e.data !== undefined);
    expect(frames).toHaveLength(1);
    expect(JSON.parse(frames[0].data!)).toMatchObject({ error: expect.stringMatching(/throttlingException/i), message: expect.stringMatching(/Too many requests/) });
    expect(seen.readyState).toBe(2);
    expect(chat.bedrock.requests.length - calls).toBe(1);
    expect(chatStatuses(requests)).toEqual(['200', '204']);
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
  test('a finished stream is read once and the EventSource ends CLOSED, without a second model call', async () => {
    const [requests, calls] = [chat.requests.length, chat.bedrock.requests.length];
    const seen = await inBrowser(`${chat.url}/chat?message=${encodeURIComponent('from chromium')}`);
    expect(seen.deltas.join('')).toBe('You said: from chromium');
    expect(seen.done).toBe(1);
    expect(seen.readyState).toBe(2);
    expect(chat.bedrock.requests.length - calls).toBe(1);
    expect(chatStatuses(requests)).toEqual(['200', '204']);
  }, 30_000);

  test('a failed stream raises one error frame and the EventSource ends CLOSED, without a second model call', async () => {
    const [requests, calls] = [chat.requests.length, chat.bedrock.requests.length];
    const seen = await inBrowser(`${chat.url}/chat?message=${encodeURIComponent('please [fail]')}`);
    expect(seen.deltas.join('')).toBe('You said: ');
    expect(seen.errorFrames).toHaveLength(1);
    expect(JSON.parse(seen.errorFrames[0]).message).toMatch(/Too many requests/);
    expect(seen.readyState).toBe(2);
    expect(chat.bedrock.requests.length - calls).toBe(1);
    expect(chatStatuses(requests)).toEqual(['200', '204']);
  }, 30_000);
});

describe('a plain sse() handler that returns or throws without events.end()', () => {
  const cases = [
    ['finished', '', 0],
    ['failed', '?fail', 1],
  ] as const;

  test.each(cases)('the eventsource package: a %s stream runs the handler once, then a 204 closes the client', async (_name, query, errorFrames) => {
    // GIVEN
    const from = plain.requests.length;
    // WHEN
    const seen = await runEsm<Seen>('eventsource-connection', { url: `${plain.url}/events${query}`, waitMs: WAIT_MS });
    // THEN
    expect(seen.events.filter((e) => e.type === 'delta').map((e) => JSON.parse(e.data!).text).join('')).toBe('Streaming works');
    const frames = seen.events.filter((e) => e.type === 'error' && e.data !== undefined);
    expect(frames).toHaveLength(errorFrames);
    if (errorFrames > 0) expect(JSON.parse(frames[0].data!)).toEqual({ message: 'the model broke', errorType: 'HttpError' });
    expect(seen.readyState).toBe(2); // CLOSED
    expect(seen.events[seen.events.length - 1]).toMatchObject({ type: 'error', code: 204 });
    expect(plainStatuses(from)).toEqual(['200', '204']);
  }, 30_000);

  test.each(cases)('headless Chromium: a %s stream runs the handler once, then a 204 closes the EventSource', async (_name, query, errorFrames) => {
    const from = plain.requests.length;
    const seen = await inBrowser(`${plain.url}/events${query}`);
    expect(seen.deltas.join('')).toBe('Streaming works');
    expect(seen.errorFrames).toHaveLength(errorFrames);
    expect(seen.readyState).toBe(2);
    expect(plainStatuses(from)).toEqual(['200', '204']);
  }, 30_000);
});
