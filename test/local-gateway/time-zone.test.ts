import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { buildAssembly } from './support/assembly';
import { fetchStream } from './support/clients';
import { startCommandLine, stopCommandLines } from './support/command-line';
import { timeZoneNote } from '../../local-gateway/lambda/variables';

// Lambda runs functions in UTC (`TZ=:UTC`). A process has one time zone for all its threads, so
// handlers on threads (the default isolation) run in the gateway process's zone whatever their
// TZ says: the command line sets its process's zone to the functions', and a gateway started from
// a developer's own code says when the zones differ.

/** Answers with the time zone the handler's dates are in. */
const WHAT_TIME_ZONE = `exports.handler = awslambda.streamifyResponse(async (event, s) => {
  const h = awslambda.HttpResponseStream.from(s, {});
  h.write(JSON.stringify({ offset: new Date(Date.UTC(2026, 6, 1)).getTimezoneOffset(), zone: Intl.DateTimeFormat().resolvedOptions().timeZone, hour: new Date(Date.UTC(2026, 0, 1, 12)).getHours() }));
  h.end();
});`;

afterEach(stopCommandLines);

/** The command line, in a process of its own started from a shell in New York. */
async function commandLine(args: string[]): Promise<string> {
  return (await startCommandLine(args, { ...process.env, TZ: 'America/New_York' })).url;
}

describe('the command line runs its functions in their time zone', () => {
  const dir = buildAssembly([{ path: '/tz', code: WHAT_TIME_ZONE }]);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test.each(['thread', 'process'])('UTC, as on Lambda, from a shell in New York (%s isolation)', async (isolation) => {
    const url = await commandLine(['serve', '--app', dir, '--port', '0', '--isolation', isolation]);
    const seen = JSON.parse((await fetchStream(`${url}/tz`)).body.toString());
    expect(seen).toEqual({ offset: 0, zone: 'UTC', hour: 12 });
  });

  test('--env TZ=... sets the functions\' zone', async () => {
    const url = await commandLine(['serve', '--app', dir, '--port', '0', '--env', 'TZ=Asia/Tokyo']);
    const seen = JSON.parse((await fetchStream(`${url}/tz`)).body.toString());
    expect(seen).toEqual({ offset: -540, zone: 'Asia/Tokyo', hour: 21 });
  });
});

test('a gateway started from your own code says when its process runs in another zone', () => {
  // (a test's process.env is a copy: its zone is set where the process starts)
  const dir = buildAssembly([{ path: '/tz', code: WHAT_TIME_ZONE }]);
  const script = path.join(dir, 'start.ts');
  fs.writeFileSync(script, `import { LocalStreamingGateway } from ${JSON.stringify(path.join(__dirname, '..', '..', 'local-gateway', 'gateway'))};
const gateway = LocalStreamingGateway.fromAssembly(${JSON.stringify(dir)}, { port: 0, log: (m) => console.log(m) });
void gateway.start().then(() => gateway.stop());`);
  try {
    const started = (tz: string) => spawnSync(process.execPath, [require.resolve('tsx/cli'), script], { env: { ...process.env, TZ: tz }, encoding: 'utf8' }).stdout;
    expect(started('America/New_York')).toContain('note: handlers run in this process\'s time zone (America/New_York), not their TZ (:UTC, as on Lambda)');
    expect(started('UTC')).not.toContain('time zone');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.each([
  ['thread', ':UTC', 'America/New_York', true],
  ['thread', ':UTC', 'Europe/Paris', true],
  ['process', ':UTC', 'America/New_York', false],
  ['thread', ':UTC', 'UTC', false],
  ['thread', ':UTC', 'Etc/UTC', false],
  ['thread', 'Asia/Tokyo', 'Asia/Tokyo', false],
  ['thread', 'Asia/Tokyo', 'UTC', true],
] as const)('timeZoneNote(%s, %s) in a process in %s: a note %s', (isolation, tz, zone, note) => {
  expect(timeZoneNote(isolation, tz, zone) !== undefined).toBe(note);
});
