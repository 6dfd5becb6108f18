/**
 * Builds the REST API proxy (v1) event API Gateway sends to a Lambda proxy integration.
 */
import { randomUUID } from 'crypto';
import type { IncomingMessage } from 'http';

/** Content types API Gateway passes as text; anything else is base64-encoded. */
const TEXT_TYPES = /^(text\/|application\/(json|x-www-form-urlencoded|xml|javascript|x-ndjson|.*\+json|.*\+xml))/i;

export interface EventInput {
  readonly req: IncomingMessage;
  readonly body: Buffer;
  readonly resource: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly pathParameters: Record<string, string> | null;
  readonly stage: string;
  readonly apiId: string;
  readonly requestId: string;
  readonly sourceIp: string;
}

export function buildRestEvent(input: EventInput): Record<string, unknown> {
  const { req } = input;
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i];
    const value = req.rawHeaders[i + 1];
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const queryStringParameters: Record<string, string> = {};
  const multiValueQueryStringParameters: Record<string, string[]> = {};
  for (const [name, value] of input.query) {
    queryStringParameters[name] = value;
    (multiValueQueryStringParameters[name] ??= []).push(value);
  }
  const hasQuery = Object.keys(queryStringParameters).length > 0;
  const contentType = String(req.headers['content-type'] ?? '');
  const binary = input.body.length > 0 && !TEXT_TYPES.test(contentType);
  const now = Date.now();
  return {
    resource: input.resource,
    path: input.path,
    httpMethod: req.method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? queryStringParameters : null,
    multiValueQueryStringParameters: hasQuery ? multiValueQueryStringParameters : null,
    pathParameters: input.pathParameters,
    stageVariables: null,
    requestContext: {
      accountId: '000000000000',
      apiId: input.apiId,
      domainName: String(req.headers.host ?? 'localhost'),
      extendedRequestId: randomUUID(),
      httpMethod: req.method,
      identity: { sourceIp: input.sourceIp, userAgent: String(req.headers['user-agent'] ?? '') },
      path: `/${input.stage}${input.path}`,
      protocol: `HTTP/${req.httpVersion}`,
      requestId: input.requestId,
      requestTime: new Date(now).toUTCString(),
      requestTimeEpoch: now,
      resourcePath: input.resource,
      stage: input.stage,
    },
    body: input.body.length === 0 ? null : binary ? input.body.toString('base64') : input.body.toString('utf8'),
    isBase64Encoded: binary,
  };
}
