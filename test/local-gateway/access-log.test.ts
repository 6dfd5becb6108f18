import * as fs from 'fs';
import { buildAssembly, chunkedHandler } from './support/assembly';
import { until } from './support/serve';
import type { AccessLogEntry } from '../../local-gateway/access-log';
import { LocalStreamingGateway } from '../../local-gateway/gateway';
import { StreamingAccessLogFormat } from '../../src';

// The gateway's access log and the constructs' access-log format are two homes of one list of
// keys: this test keeps them the same, in the same order.

test('the gateway logs exactly the keys of StreamingAccessLogFormat.jsonWithStreamingFields(), in order', async () => {
  // GIVEN
  const dir = buildAssembly([{ path: '/a', code: chunkedHandler({}, ['ok']) }]);
  const entries: AccessLogEntry[] = [];
  const gateway = LocalStreamingGateway.fromAssembly(dir, { port: 0, accessLog: (e) => entries.push(e), log: () => undefined });
  try {
    // WHEN
    const url = await gateway.start();
    await (await fetch(`${url}/a`)).text();
    await until(() => entries.length > 0, 'the access-log entry'); // (written as the response ends)
  } finally {
    await gateway.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  // THEN
  const format = JSON.parse(StreamingAccessLogFormat.jsonWithStreamingFields().toString());
  expect(entries).toHaveLength(1);
  expect(Object.keys(entries[0])).toEqual(Object.keys(format));
  expect(Object.keys(StreamingAccessLogFormat.standardFields())).toEqual(Object.keys(format));
});
