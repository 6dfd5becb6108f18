/**
 * API Gateway's own answers: every response the gateway makes itself (not the integration's), by
 * the gateway response type API Gateway files it under (AWS::ApiGateway::GatewayResponse
 * `ResponseType`: what a custom gateway response of the API replaces), with its status and its
 * `{"message": ...}` body. A few answers are the local gateway's own (`local`): they have no
 * counterpart on AWS (a Host it refuses, a route it does not emulate).
 */
import { localValue } from './deploy-values';
import { renderTemplate } from './mapping-template';
import type { RequestContext } from './request';

/** API Gateway's gateway response types that the local gateway answers with. */
export type GatewayResponseType =
  | 'ACCESS_DENIED' | 'AUTHORIZER_CONFIGURATION_ERROR' | 'BAD_REQUEST_BODY' | 'BAD_REQUEST_PARAMETERS' | 'DEFAULT_4XX' | 'DEFAULT_5XX'
  | 'EXPIRED_TOKEN' | 'INTEGRATION_FAILURE' | 'INTEGRATION_TIMEOUT' | 'INVALID_API_KEY' | 'INVALID_SIGNATURE' | 'MISSING_AUTHENTICATION_TOKEN'
  | 'QUOTA_EXCEEDED' | 'REQUEST_TOO_LARGE' | 'THROTTLED' | 'UNAUTHORIZED';

export interface GatewayAnswer {
  readonly type: GatewayResponseType;
  readonly status: number;
  /** `null` where API Gateway sends `{"message":null}` (an authorizer's configuration error). */
  readonly message: string | null;
  /** API Gateway's `x-amzn-ErrorType` header, where it sends one. */
  readonly errorType?: string;
  /** The local gateway's own answer, with no counterpart on AWS. */
  readonly local?: boolean;
}

function answer(type: GatewayResponseType, status: number, message: string | null, errorType?: string, local?: boolean): GatewayAnswer {
  return { type, status, message, errorType, local };
}

export const ANSWERS = {
  /** A path or method the API does not have. */
  missingAuthenticationToken: answer('MISSING_AUTHENTICATION_TOKEN', 403, 'Missing Authentication Token', 'MissingAuthenticationTokenException'),
  /** The integration did not answer within its timeout (or its stream went idle). */
  integrationTimeout: answer('INTEGRATION_TIMEOUT', 504, 'Endpoint request timed out'),
  /** A Lambda function failed, or its streamed output is not what API Gateway accepts. */
  internalError: answer('DEFAULT_5XX', 500, 'Internal server error'),
  /** A malformed Lambda proxy result, a failed classic invocation, an HTTP backend that failed. */
  badGateway: answer('DEFAULT_5XX', 502, 'Internal server error'),
  /** A request body over 10 MB; a Lambda event over Lambda's 6 MB (what API Gateway answers then is *unverified*). */
  requestTooLarge: answer('REQUEST_TOO_LARGE', 413, 'Request Too Long'),
  /** A request line and headers over 10,240 bytes. */
  headersTooLarge: answer('DEFAULT_4XX', 431, 'Request Header Fields Too Large'),
  /** A request the HTTP parser cannot route: a bad target, two Host headers, a path that escapes. */
  badRequest: answer('DEFAULT_4XX', 400, 'Bad request'),
  /** An HTTP_PROXY path parameter that would leave the backend's base path. */
  invalidPath: answer('DEFAULT_4XX', 400, 'Invalid request path'),
  /** A protected method called without its identity source (or one its validation expression refuses), or an authorizer that said `Unauthorized`. */
  unauthorized: answer('UNAUTHORIZED', 401, 'Unauthorized', 'UnauthorizedException'),
  /** An authorizer's policy with an explicit Deny for the method. */
  explicitDeny: answer('ACCESS_DENIED', 403, 'User is not authorized to access this resource with an explicit deny', 'AccessDeniedException'),
  /** An authorizer's policy with no Allow for the method. */
  implicitDeny: answer('ACCESS_DENIED', 403, 'User is not authorized to access this resource', 'AccessDeniedException'),
  /** An authorizer that failed, timed out or answered something that is no authorizer result (AWS sends `{"message":null}`). */
  authorizerError: answer('AUTHORIZER_CONFIGURATION_ERROR', 500, null, 'AuthorizerConfigurationException'),
  /** IAM: a signature that does not match the request, or is more than 5 minutes old (*unverified* message). */
  invalidSignature: answer('INVALID_SIGNATURE', 403, 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.', 'InvalidSignatureException'),
  /** IAM: an Authorization header that is no complete SigV4 signature (*unverified* message). */
  incompleteSignature: answer('INVALID_SIGNATURE', 403, 'Authorization header requires \'Credential\', \'Signature\' and \'SignedHeaders\' parameters, and an X-Amz-Date header', 'IncompleteSignatureException'),
  /** IAM: an access key (or session token) the gateway does not hold. */
  invalidToken: answer('UNAUTHORIZED', 403, 'The security token included in the request is invalid.', 'UnrecognizedClientException'),
  /** A method that requires an API key, called without a valid one. */
  invalidApiKey: answer('INVALID_API_KEY', 403, 'Forbidden'),
  /** Request validation: a required header, query string or path parameter missing (the names follow). */
  missingParameters: answer('BAD_REQUEST_PARAMETERS', 400, 'Missing required request parameters', 'BadRequestException'),
  /** Request validation: a body that does not match the method's model. */
  invalidBody: answer('BAD_REQUEST_BODY', 400, 'Invalid request body', 'BadRequestException'),
  /** Throttled by a stage, method or usage plan limit. */
  throttled: answer('THROTTLED', 429, 'Too Many Requests'),
  /** A usage plan's quota used up. */
  quotaExceeded: answer('QUOTA_EXCEEDED', 429, 'Limit Exceeded'),
  /** A Host that is not the gateway's address or a loopback name (against DNS rebinding). */
  unknownHost: answer('ACCESS_DENIED', 403, 'Forbidden: unknown Host', undefined, true),
  /** A route the local gateway cannot serve (the message says why). */
  notEmulated: answer('DEFAULT_5XX', 501, 'Not emulated by the local gateway', undefined, true),
} as const;

/** The body of an answer: `{"message": ...}`, with `detail` after the message when given. */
export function answerBody(gatewayAnswer: GatewayAnswer, detail?: string): string {
  return JSON.stringify({ message: detail && gatewayAnswer.message !== null ? `${gatewayAnswer.message}: ${detail}` : gatewayAnswer.message });
}

/**
 * A value of a response parameter, as API Gateway maps it: `'literal'`, or
 * `method.request.{header,querystring,path}.<name>` of the request; anything else is empty.
 */
export function parameterValue(value: string, ctx: RequestContext): string {
  const literal = /^'(.*)'$/s.exec(value);
  if (literal) return localValue(literal[1], ctx.localAddresses);
  const reference = /^method\.request\.(header|querystring|path)\.(.+)$/.exec(value);
  if (!reference) return '';
  const [, where, name] = reference;
  if (where === 'header') return String(ctx.req.headers[name.toLowerCase()] ?? '');
  if (where === 'querystring') return ctx.url.searchParams.get(name) ?? '';
  return ctx.pathParameters?.[name] ?? '';
}

/** The template of `templates` for a JSON answer: `application/json`, else the first (deploy-time URLs filled for `ctx`). */
export function jsonTemplate(templates: Record<string, string>, ctx: RequestContext): string | undefined {
  const template = templates['application/json'] ?? Object.values(templates)[0];
  return template === undefined ? undefined : localValue(template, ctx.localAddresses);
}

/**
 * Answers with one of API Gateway's own answers (`detail` follows its message in the body), as the
 * API's custom gateway responses shape it: the one of the answer's type, else DEFAULT_4XX or
 * DEFAULT_5XX, with their status, headers and body template (`$context.error.message`,
 * `messageString`, `responseType`).
 */
export function respond(ctx: RequestContext, gatewayAnswer: GatewayAnswer, detail?: string): void {
  const message = detail && gatewayAnswer.message !== null ? `${gatewayAnswer.message}: ${detail}` : gatewayAnswer.message;
  const errorType: Record<string, string> = gatewayAnswer.errorType ? { 'x-amzn-errortype': gatewayAnswer.errorType } : {};
  const fallback = gatewayAnswer.status >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX';
  const custom = ctx.gatewayResponses?.find((r) => r.type === gatewayAnswer.type) ?? ctx.gatewayResponses?.find((r) => r.type === fallback);
  if (!custom) {
    ctx.send(gatewayAnswer.status, errorType, answerBody(gatewayAnswer, detail));
    return;
  }
  const headers: Record<string, string> = { ...errorType };
  for (const [name, value] of Object.entries(custom.parameters)) {
    const header = /^gatewayresponse\.header\.(.+)$/.exec(name)?.[1];
    if (header) headers[header] = parameterValue(value, ctx);
  }
  const template = jsonTemplate(custom.templates, ctx);
  const error = { message, messageString: JSON.stringify(message), responseType: gatewayAnswer.type };
  const body = template === undefined ? answerBody(gatewayAnswer, detail) : renderTemplate(template, ctx, { header: {} }, { error });
  ctx.send(custom.statusCode ?? gatewayAnswer.status, headers, body);
}
