/// <reference lib="dom" />
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium, packagedChromium } from './chromium';

// The browser tests' Chromium on a machine with no system Chromium: the one @sparticuz/chromium
// ships in its npm tarball, inflated by test/support/chromium.ts, runs here and streams SSE.

test('with no system Chromium, the packaged one is inflated and runs an EventSource', async () => {
  // GIVEN no CHROMIUM_PATH and no system Chromium
  const found = await findChromium({ env: {}, systemPaths: [] });
  expect(found.source).toBe('@sparticuz/chromium');
  expect(found.executablePath).toBe(packagedChromium()!.executable);
  expect(execFileSync(found.executablePath, ['--version'], { encoding: 'utf8' })).toMatch(/^Chromium \d+\./);

  const server = http.createServer((req, res) => {
    if (req.url !== '/events') {
      res.end('<html><body></body></html>');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    let n = 0;
    const timer = setInterval(() => {
      res.write(`data: ${n}\n\n`);
      if (++n === 3) {
        clearInterval(timer);
        res.end('event: done\ndata: end\n\n');
      }
    }, 50);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({ executablePath: found.executablePath, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    await page.goto(base);
    // WHEN
    const received = await page.evaluate((url) => new Promise<string[]>((resolve, reject) => {
      const data: string[] = [];
      const es = new EventSource(url);
      es.onmessage = (e) => data.push(e.data);
      es.addEventListener('done', () => {
        es.close(); resolve(data);
      });
      es.onerror = () => {
        es.close(); reject(new Error('EventSource failed'));
      };
    }), `${base}/events`);
    // THEN
    expect(received).toEqual(['0', '1', '2']);
  } finally {
    await browser.close();
    server.close();
  }
}, 120_000);

test('a second lookup reuses the inflated binary', async () => {
  const first = await findChromium({ env: {}, systemPaths: [] });
  const mtime = fs.statSync(first.executablePath).mtimeMs;
  const second = await findChromium({ env: {}, systemPaths: [] });
  expect(second.executablePath).toBe(first.executablePath);
  expect(fs.statSync(second.executablePath).mtimeMs).toBe(mtime);
}, 120_000);

test('a system Chromium is preferred, and CHROMIUM_PATH over both', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chromium-lookup-'));
  try {
    const system = path.join(dir, 'chromium');
    fs.writeFileSync(system, '');
    expect(await findChromium({ env: {}, systemPaths: [path.join(dir, 'absent'), system] })).toEqual({ executablePath: system, source: 'system' });
    expect(await findChromium({ env: { CHROMIUM_PATH: '/bin/sh' }, systemPaths: [system] })).toEqual({ executablePath: '/bin/sh', source: 'CHROMIUM_PATH' });
    await expect(findChromium({ env: { CHROMIUM_PATH: path.join(dir, 'absent') } })).rejects.toThrow(/CHROMIUM_PATH is .*absent, which does not exist/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('without any Chromium the error says what to install', async () => {
  await expect(findChromium({ env: {}, systemPaths: [], root: os.tmpdir() })).rejects.toThrow(/npm ci.*@sparticuz\/chromium.*apt-get install chromium.*CHROMIUM_PATH/);
});
