import * as fs from 'fs';
import * as path from 'path';
import { curl } from './support/clients';
import { isWebAppFunction, missingLanguage, startCommand, WebAppProcess } from '../../local-gateway/web-app/adapter';
import { tempDir } from '../support/temp-dirs';

// A plain-Python streaming web app (standard library only) run the way the Lambda Web Adapter
// runs it: its start script, a port of its own, the readiness check, then HTTP.

const APP_DIR = path.join(__dirname, 'apps', 'python-web-app', 'app');
const tmp = () => tempDir('web-app');

describe('a web app behind the Lambda Web Adapter', () => {
  let app: WebAppProcess;
  const lines: string[] = [];

  beforeAll(() => {
    app = new WebAppProcess(
      { logicalId: 'PythonApp', codeDir: APP_DIR, startScript: 'run.sh', runtime: 'python3.13', environment: { CHUNK_DELAY_S: '0.3', AWS_LWA_PORT: '8080' } },
      { log: (line) => lines.push(line) },
    );
  });
  afterAll(() => app.stop());

  test('starts from its start script on a free port and answers once ready', async () => {
    const url = await app.url();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(url).not.toBe('http://127.0.0.1:8080');
    const ready = await fetch(`${url}/`);
    expect(await ready.json()).toEqual({ ok: true });
    expect(lines.some((l) => /web app ready on port \d+ \(cold start \d+ ms\)/.test(l))).toBe(true);
    // A second call reuses the running app.
    expect(await app.url()).toBe(url);
  }, 20_000);

  test('its chunked response arrives chunk by chunk', async () => {
    const url = await app.url();
    const seen = await curl([`${url}/stream`]);
    expect(seen.exitCode).toBe(0);
    expect(seen.body.match(/^data: /gm)).toHaveLength(3);
    expect(seen.arrivals.length).toBeGreaterThanOrEqual(3);
    expect(seen.arrivals[0]).toBeLessThan(seen.totalMs - 400);
  }, 20_000);

  test('an app that exits before it is ready is reported with its output', async () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'run.sh'), '#!/bin/sh\necho "boom: no module named uvicorn" >&2\nexit 3\n');
    const broken = new WebAppProcess({ logicalId: 'Broken', codeDir: dir, startScript: 'run.sh', runtime: 'python3.13', environment: {} }, { log: () => undefined });
    await expect(broken.url()).rejects.toThrow(/exited \(code 3\) before it was ready[\s\S]*no module named uvicorn/);
  });
});

test('a missing language names what to install; an installed one passes', () => {
  expect(missingLanguage('python3.13', '/nonexistent')).toMatch(/python3\.13, which is not installed here: install Python 3/);
  expect(missingLanguage('java21', '/nonexistent')).toMatch(/install a Java runtime/);
  expect(missingLanguage('python3.13')).toBeUndefined();
  expect(missingLanguage('provided.al2023', '/nonexistent')).toBeUndefined();
});

test('the start command follows the script\'s shebang', () => {
  const dir = tmp();
  fs.writeFileSync(path.join(dir, 'a.sh'), '#!/usr/bin/env python3 -u\nprint(1)\n');
  fs.writeFileSync(path.join(dir, 'b.sh'), 'exec node server.js\n');
  expect(startCommand(path.join(dir, 'a.sh'))).toEqual(['/usr/bin/env', 'python3', '-u', path.join(dir, 'a.sh')]);
  expect(startCommand(path.join(dir, 'b.sh'))).toEqual(['/bin/sh', path.join(dir, 'b.sh')]);
});

test('web app functions are recognised by the adapter\'s wrapper or layer', () => {
  expect(isWebAppFunction({ AWS_LAMBDA_EXEC_WRAPPER: '/opt/bootstrap', AWS_LWA_INVOKE_MODE: 'response_stream' })).toBe(true);
  expect(isWebAppFunction({ AWS_LWA_PORT: '8000' }, ['arn:aws:lambda:us-east-1:753240598075:layer:LambdaAdapterLayerX86:25'])).toBe(true);
  expect(isWebAppFunction({ MODEL_ID: 'x' }, ['arn:aws:lambda:us-east-1:1:layer:Other:1'])).toBe(false);
});
