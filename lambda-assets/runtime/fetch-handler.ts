import { DeadlineError, streamingHandler } from './handler';
import { pipe } from './pipe';
import type { StreamingResponse } from './response';
import type { AwsLambdaGlobal, LambdaContext, RawStreamingHandler, RestProxyEvent } from './types';

/**
 * A web-standard handler: Hono's `app.fetch`, an MCP SDK handler's `fetch`, or any function
 * answering a `Request`. It also gets the Lambda context and the proxy event (for
 * `requestContext.authorizer`, stage variables…).
 */
export type FetchFunction = (request: Request, context: LambdaContext, event: RestProxyEvent) => Response | Promise<Response>;

/** Options of `fetchHandler()`. */
export interface FetchHandlerOptions {
  /**
   * The path prefix of the URL the client used, before the resource path. Default: taken from the
   * event (`requestContext.path` minus `path`), else `/<stage>` as on an execute-api URL. Set `''`
   * (or the base path mapping) for a custom domain if the event does not carry it.
   */
  basePath?: string;
  /**
   * `request.signal` aborts (with a `DeadlineError`) this long before the function's deadline, so
   * the handler can end its body in time. Default: 1000 ms.
   */
  deadlineMarginMs?: number;
  /**
   * If the body is still open this long before the deadline, it is ended (cleanly: its bytes so far
   * are kept). Must be smaller than `deadlineMarginMs`. Default: 200 ms.
   */
  hardStopMarginMs?: number;
  /** The Lambda runtime API. Default: the `awslambda` global. */
  runtime?: AwsLambdaGlobal;
}

/** Response headers that describe the HTTP/1.1 framing of one hop: API Gateway frames the stream itself. */
const HOP_BY_HOP = /^(connection|keep-alive|proxy-connection|transfer-encoding|content-length|te|trailer|upgrade)$/i;

/**
 * Serves a web-standard `(Request) => Response` handler (Hono, the MCP SDKs, `new Response(stream)`)
 * as a streaming Lambda handler behind an API Gateway REST API: the proxy event becomes a `Request`
 * (absolute URL with the stage, headers, query, decoded body, a `signal` that aborts before the
 * deadline or when the stream fails), and the `Response` is streamed with backpressure. An error
 * thrown before the response is a JSON 500; a body that fails after its first byte is ended cleanly.
 *
 * @example
 * const app = new Hono().get('/hello', (c) => c.text('Hello'));
 * export const handler = fetchHandler(app.fetch);
 */
export function fetchHandler(fetch: FetchFunction, options: FetchHandlerOptions = {}): RawStreamingHandler<RestProxyEvent> {
  const margin = options.deadlineMarginMs ?? 1000;
  const hardStop = Math.min(options.hardStopMarginMs ?? 200, margin);
  return streamingHandler<RestProxyEvent>(async (event, response, context) => {
    const controller = new AbortController();
    const abort = () => controller.abort(response.signal.reason);
    response.signal.addEventListener('abort', abort);
    const remaining = context.getRemainingTimeInMillis?.();
    const timer = Number.isFinite(remaining) ? setTimeout(() => controller.abort(new DeadlineError()), remaining - margin) : undefined;
    try {
      const request = toRequest(event, options.basePath, controller.signal);
      await sendResponse(response, await fetch(request, context, event));
    } finally {
      clearTimeout(timer);
      response.signal.removeEventListener('abort', abort);
    }
  }, { deadlineMarginMs: hardStop, answerEndedStreams: false, runtime: options.runtime });
}

/** The `Request` a REST proxy event stands for. */
export function toRequest(event: RestProxyEvent, basePath?: string, signal?: AbortSignal): Request {
  const headers = new Headers();
  const multi = event.multiValueHeaders ?? {};
  for (const [name, values] of Object.entries(multi)) {
    for (const value of values ?? []) headers.append(name, value);
  }
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined && !headers.has(name)) headers.set(name, value);
  }
  const cookies = headers.get('cookie');
  // A client may send several Cookie headers: one header, `; `-separated, as HTTP/2 folds them.
  if (cookies) headers.set('cookie', cookies.split(', ').join('; '));
  const proto = (headers.get('x-forwarded-proto') ?? 'https').split(',')[0].trim();
  const host = headers.get('host') ?? String(event.requestContext?.domainName ?? 'localhost');
  const url = new URL(`${proto}://${host}`);
  url.pathname = (basePath ?? basePathOf(event)) + event.path;
  const query = event.multiValueQueryStringParameters ?? {};
  for (const [name, values] of Object.entries(query)) for (const value of values ?? []) url.searchParams.append(name, value);
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) {
    if (value !== undefined && !(name in query)) url.searchParams.append(name, value);
  }
  const method = event.httpMethod.toUpperCase();
  const hasBody = event.body != null && method != 'GET' && method != 'HEAD';
  const body = hasBody ? (event.isBase64Encoded ? Buffer.from(event.body!, 'base64') : event.body) : undefined;
  const request = new Request(url, { method, headers, body });
  // Not `new Request(url, { signal })`: Node's Request follows a signal through an AbortController
  // it holds weakly, which may be collected before the abort (the handler then never hears of it).
  if (signal) Object.defineProperty(request, 'signal', { value: signal });
  return request;
}

/** The prefix before `event.path` in the path the client used: `/<stage>` on an execute-api URL. */
export function basePathOf(event: RestProxyEvent): string {
  const full = event.requestContext?.path;
  if (typeof full == 'string' && full.endsWith(event.path)) return full.slice(0, full.length - event.path.length);
  return event.requestContext?.stage ? `/${event.requestContext.stage}` : '';
}

/** Streams a `Response` into the Lambda response: status, headers, cookies, then the body with backpressure. */
async function sendResponse(response: StreamingResponse, answer: Response): Promise<void> {
  response.status(answer.status);
  answer.headers.forEach((value, name) => {
    if (name != 'set-cookie' && !HOP_BY_HOP.test(name)) response.header(name, value);
  });
  for (const cookie of answer.headers.getSetCookie()) response.cookie(cookie);
  // From here on, a failure ends the stream cleanly (its bytes so far are kept): a raw body has no
  // in-band error frame, and the status can no longer change.
  response.setMode('raw', { error: () => '' });
  const body = answer.body;
  if (!body) return response.end();
  try {
    await pipe(response, body);
  } catch (error) {
    if (!response.headersSent) throw error;
    if (!response.finished) console.error(error);
  } finally {
    await body.cancel().catch(() => undefined);
  }
  await response.end().catch(() => undefined);
}
