import { fetchStream } from './support/clients';
import { serve } from './support/serve';

// The REST proxy event carries the headers API Gateway adds: libraries build absolute URLs from
// X-Forwarded-Proto, Host and X-Forwarded-Port (the MCP SDK's metadata, OAuth redirects), and log
// the caller from X-Forwarded-For.

const ECHO = `exports.handler = awslambda.streamifyResponse(async (event, s) => {
  const h = awslambda.HttpResponseStream.from(s, { headers: { 'content-type': 'application/json' } });
  h.write(JSON.stringify({ headers: event.headers, multi: event.multiValueHeaders, sourceIp: event.requestContext.identity.sourceIp }));
  h.end(); });`;

test('X-Forwarded-For, -Port, -Proto and a trace id, in headers and multiValueHeaders, as API Gateway adds them', async () => {
  const { url } = await serve([{ path: '/e', code: ECHO }]);
  const port = new URL(url).port;
  const seen = JSON.parse((await fetchStream(`${url}/e`)).body.toString());
  expect(seen.headers).toMatchObject({ 'X-Forwarded-For': '127.0.0.1', 'X-Forwarded-Port': port, 'X-Forwarded-Proto': 'http' });
  expect(seen.headers['X-Amzn-Trace-Id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
  expect(seen.multi['X-Forwarded-Proto']).toEqual(['http']);
  // an absolute URL built the way web frameworks build it is the one the client used
  expect(`${seen.headers['X-Forwarded-Proto']}://${seen.headers.host}`).toBe(url);
});

test('the client\'s own X-Forwarded-For is kept, its address added after it; a client cannot set the port or the scheme', async () => {
  const { url } = await serve([{ path: '/e', code: ECHO }]);
  const seen = JSON.parse((await fetchStream(`${url}/e`, { headers: { 'X-Forwarded-For': '203.0.113.7', 'X-Forwarded-Proto': 'gopher', 'X-Forwarded-Port': '1' } })).body.toString());
  expect(seen.headers['X-Forwarded-For']).toBe('203.0.113.7, 127.0.0.1');
  expect(seen.headers['X-Forwarded-Proto']).toBe('http');
  expect(seen.headers['X-Forwarded-Port']).toBe(new URL(url).port);
  expect(seen.headers['x-forwarded-proto']).toBeUndefined();
  expect(seen.sourceIp).toBe('127.0.0.1');
});
