/**
 * Builds the REST API proxy (v1) event API Gateway sends to a Lambda proxy integration.
 */
import { randomUUID } from 'crypto';
import type { IncomingMessage } from 'http';
import { clfTime } from '../access-log';
import type { RequestContext } from '../request';

/**
 * True when API Gateway passes a request body of `contentType` base64-encoded: the type matches one
 * of the API's `BinaryMediaTypes` (exactly, `type/*`, or `*\/*`). Otherwise the body is text.
 */
export function isBinaryMediaType(contentType: string, binaryMediaTypes: readonly string[]): boolean {
  const type = contentType.split(';')[0].trim().toLowerCase();
  if (!type) return false;
  return binaryMediaTypes.some((candidate) => {
    const wanted = candidate.trim().toLowerCase();
    return wanted === type || wanted === '*/*' || (wanted.endsWith('/*') && type.startsWith(wanted.slice(0, -1)));
  });
}

export interface EventInput {
  readonly req: IncomingMessage;
  readonly body: Buffer;
  readonly resource: string;
  /** The request path within the API (no stage). */
  readonly path: string;
  /** The API's `BinaryMediaTypes` (request bodies of these types are base64). */
  readonly binaryMediaTypes?: readonly string[];
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
  const binary = input.body.length > 0 && isBinaryMediaType(contentType, input.binaryMediaTypes ?? []);
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
      requestTime: clfTime(now),
      requestTimeEpoch: now,
      resourcePath: input.resource,
      stage: input.stage,
    },
    body: input.body.length === 0 ? null : binary ? input.body.toString('base64') : input.body.toString('utf8'),
    isBase64Encoded: binary,
  };
}

/** The proxy event of a routed request (`body` replaces the request's, e.g. for a web app's header). */
export function restEventOf(ctx: RequestContext, body: Buffer = ctx.body): Record<string, unknown> {
  const route = ctx.route!;
  return buildRestEvent({
    req: ctx.req,
    body,
    resource: route.path,
    path: ctx.apiPath,
    binaryMediaTypes: route.binaryMediaTypes,
    query: ctx.url.searchParams,
    pathParameters: ctx.pathParameters,
    stage: ctx.stage ?? route.stageName,
    apiId: route.apiId,
    requestId: ctx.requestId,
    sourceIp: ctx.ip,
  });
}
