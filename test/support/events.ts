import { randomUUID } from 'crypto';
import type { RestProxyEvent } from '../../lambda-assets/runtime/types';

/** A REST API proxy (v1) event for tests, with `overrides` applied. */
export function restProxyEvent(overrides: Partial<RestProxyEvent> = {}): RestProxyEvent {
  const httpMethod = overrides.httpMethod ?? 'GET';
  const path = overrides.path ?? '/';
  return {
    resource: path,
    path,
    httpMethod,
    headers: {},
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: { requestId: randomUUID(), stage: 'local', httpMethod, resourcePath: path, path: `/local${path}` },
    body: null,
    isBase64Encoded: false,
    ...overrides,
  };
}
