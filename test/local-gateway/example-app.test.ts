/// <reference lib="dom" />
import { Browser } from 'playwright-core';
import { curl } from './support/clients';
import { startCommandLine, stopCommandLines } from './support/command-line';
import { LocalStreamingGateway } from '../../local-gateway/gateway';
import { FakeBedrock, startFakeBedrock } from '../../local-gateway/stand-ins/bedrock';
import { launchChromium } from '../support/chromium';
import { synthExampleApp } from '../support/example-app';

// The example app, synthesized by the aws-cdk CLI and served by the gateway: real clients
// (curl --no-buffer, headless Chromium's EventSource) see tokens before the stream ends. The curl
// tests do not wait on a browser: Chromium is found (or inflated from @sparticuz/chromium) only for
// the browser tests, by test/support/chromium.ts.

let out: string;
let bedrock: FakeBedrock;
let gateway: LocalStreamingGateway;
let url: string;

beforeAll(async () => {
  out = synthExampleApp();
  bedrock = await startFakeBedrock({ delayMs: 120, answer: 'one two three four five six' });
  gateway = LocalStreamingGateway.fromAssembly(out, {
    port: 0, environment: { BEDROCK_ENDPOINT_URL: bedrock.url, NODE_NO_WARNINGS: '1' }, accessLog: () => undefined, log: () => undefined,
  });
  url = await gateway.start();
}, 120_000);

afterAll(async () => {
  await gateway?.stop();
  await bedrock?.close();
});

test('curl --no-buffer gets the SSE tokens one by one', async () => {
  const seen = await curl([`${url}/chat?words=5&delay=150`]);
  expect(seen.exitCode).toBe(0);
  expect(seen.body.match(/event: token/g)).toHaveLength(5);
  expect(seen.arrivals.length).toBeGreaterThanOrEqual(4);
  expect(seen.arrivals[0]).toBeLessThan(seen.totalMs - 500);
});

test('curl --no-buffer gets the Bedrock chat deltas before the answer ends', async () => {
  const seen = await curl(['-X', 'POST', '-H', 'content-type: application/json', '--data', '{"messages":[{"role":"user","content":"count"}]}', `${url}/assistant`]);
  expect(seen.exitCode).toBe(0);
  expect(seen.body).toContain('event: delta\ndata: {"text":"one "}');
  expect(seen.body).toMatch(/event: done\ndata: \{"stopReason":"end_turn"/);
  expect(seen.arrivals.length).toBeGreaterThanOrEqual(4);
  expect(seen.arrivals[0]).toBeLessThan(seen.totalMs - 400);
});

test('serve --bedrock-stand-in: the command line answers the example chat with its own Bedrock stand-in', async () => {
  // GIVEN the command line, as a user starts it, with no Bedrock endpoint but its stand-in
  try {
    const cli = await startCommandLine(['serve', '--app', out, '--port', '0', '--bedrock-stand-in']);
    expect(cli.output()).toMatch(/Bedrock stand-in on http:\/\/127\.0\.0\.1:\d+/);
    // WHEN
    const seen = await curl(['-X', 'POST', '-H', 'content-type: application/json', '--data', '{"messages":[{"role":"user","content":"stream these words back"}]}', `${cli.url}/assistant`]);
    // THEN the stand-in's answer (the question, word by word) streams through the chat
    expect(seen.exitCode).toBe(0);
    expect(seen.body).toContain('event: delta\ndata: {"text":"stream "}');
    expect(seen.body).toMatch(/event: done\ndata: \{"stopReason":"end_turn"/);
    expect(seen.arrivals.length).toBeGreaterThanOrEqual(2);
  } finally {
    await stopCommandLines();
  }
});

describe('headless Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

  /** Opens an EventSource in a page; returns the tokens with the time each was rendered, and when the stream ended. */
  async function eventSourceInBrowser(source: string, tokenEvent: string, field: string) {
    const page = await browser.newPage();
    try {
      await page.setContent('<html><body><ol id="tokens"></ol></body></html>');
      type Rendered = { tokens: Array<{ text: string; at: number; rendered: number }>; endedAt: number };
      return await page.evaluate((args) => new Promise<Rendered>((resolve, reject) => {
        const started = performance.now();
        const list = document.getElementById('tokens')!;
        const tokens: Array<{ text: string; at: number; rendered: number }> = [];
        const es = new EventSource(args.source);
        es.addEventListener(args.tokenEvent, (e) => {
          const item = document.createElement('li');
          item.textContent = JSON.parse((e as MessageEvent).data)[args.field];
          list.appendChild(item);
          tokens.push({ text: item.textContent!, at: performance.now() - started, rendered: list.children.length });
        });
        es.addEventListener('done', () => {
          es.close();
          resolve({ tokens, endedAt: performance.now() - started });
        });
        es.addEventListener('error', () => {
          es.close();
          reject(new Error(`EventSource failed after ${tokens.length} tokens`));
        });
      }), { source, tokenEvent, field });
    } finally {
      await page.close();
    }
  }

  test('headless Chromium renders the SSE tokens before the stream ends (EventSource)', async () => {
    const result = await eventSourceInBrowser(`${url}/chat?words=6&delay=150`, 'token', 'text');
    expect(result.tokens).toHaveLength(6);
    expect(result.tokens[0].rendered).toBe(1);
    expect(result.tokens[0].at).toBeLessThan(result.endedAt - 500);
  });

  test('headless Chromium renders the Bedrock chat answer word by word (EventSource on GET ?message=)', async () => {
    const result = await eventSourceInBrowser(`${url}/assistant?message=${encodeURIComponent('count please')}`, 'delta', 'text');
    expect(result.tokens.map((t) => t.text).join('')).toBe('one two three four five six');
    expect(result.tokens[0].at).toBeLessThan(result.endedAt - 400);
  });
});
