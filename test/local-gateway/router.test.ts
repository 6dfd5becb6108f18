import type { Route } from '../../local-gateway/assembly';
import { matchRoute } from '../../local-gateway/router';

// Where a route answers: under each of its API's stages (as deployed), at the root, and under its
// API's prefix when the assembly has several APIs.

const BASE: Omit<Route, 'path'> = {
  stack: 'S',
  apiId: 'Api',
  apiName: 'api',
  endpointType: 'REGIONAL',
  stageName: 'prod',
  httpMethod: 'GET',
  integrationType: 'AWS_PROXY',
  transferMode: 'STREAM',
  timeoutMs: 29_000,
};
const route = (path: string, extra: Partial<Route> = {}): Route => ({ ...BASE, path, ...extra });

test('each stage of the API serves the route, and the root does too, with the stage the path named', () => {
  const routes = [route('/chat', { stageName: 'prod', stageNames: ['prod', 'dev'] })];
  expect(matchRoute(routes, 'GET', '/prod/chat')).toMatchObject({ path: '/chat', stage: 'prod' });
  expect(matchRoute(routes, 'GET', '/dev/chat')).toMatchObject({ path: '/chat', stage: 'dev' });
  expect(matchRoute(routes, 'GET', '/chat')).toMatchObject({ path: '/chat', stage: 'prod' });
  expect(matchRoute(routes, 'GET', '/test/chat')).toBeUndefined();
});

test('the stage is taken off before matching a greedy path; the root resource answers at /{stage}', () => {
  const routes = [route('/{proxy+}', { httpMethod: 'ANY' }), route('/')];
  expect(matchRoute(routes, 'GET', '/prod/a/b')).toMatchObject({ pathParameters: { proxy: 'a/b' }, path: '/a/b' });
  expect(matchRoute(routes, 'GET', '/prod')).toMatchObject({ route: { path: '/' }, path: '/' });
  // Not a stage: the greedy route gets the whole path.
  expect(matchRoute(routes, 'POST', '/other/a')).toMatchObject({ pathParameters: { proxy: 'other/a' } });
});

test('several APIs: each under its prefix (with or without the stage); at the root the first that has the path', () => {
  const a = route('/chat', { apiId: 'A', apiName: 'a', prefix: '/a', stageName: 'v1' });
  const b = route('/chat', { apiId: 'B', apiName: 'b', prefix: '/b', stageName: 'v2' });
  const routes = [a, b];
  expect(matchRoute(routes, 'GET', '/b/v2/chat')?.route).toBe(b);
  expect(matchRoute(routes, 'GET', '/b/chat')?.route).toBe(b);
  expect(matchRoute(routes, 'GET', '/a/v1/chat')).toMatchObject({ route: a, stage: 'v1', path: '/chat' });
  expect(matchRoute(routes, 'GET', '/v2/chat')?.route).toBe(b);
  expect(matchRoute(routes, 'GET', '/chat')?.route).toBe(a);
  expect(matchRoute(routes, 'GET', '/b/v1/chat')).toBeUndefined();
});
