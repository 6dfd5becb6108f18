import { HttpError, StreamingResponse } from './response';
import { isEndedStreamId } from './sse';
import type { AwsLambdaGlobal, LambdaContext, RawStreamingHandler, RestProxyEvent } from './types';

/** The function a streaming handler runs for each request. */
export type StreamingHandlerFunction<E> = (event: E, response: StreamingResponse, context: LambdaContext) => Promise<void> | void;

/** Options of `streamingHandler()`. */
export interface StreamingHandlerOptions {
  /**
   * `response.signal` fires this long before the function's deadline, and the response is ended
   * cleanly (an error event for SSE/NDJSON) if the handler is still running. Default: 1000 ms.
   */
  deadlineMarginMs?: number;
  /**
   * Answer a request whose `Last-Event-ID` marks a finished stream (see `SseWriter.end()`) with
   * HTTP 204, without calling the handler: an `EventSource` reconnecting after the end stops for
   * good. Default: true.
   */
  answerEndedStreams?: boolean;
  /** The Lambda runtime API. Default: the `awslambda` global (or a test stand-in installed as it). */
  runtime?: AwsLambdaGlobal;
}

/** The reason `response.signal` fires when the function is about to run out of time. */
export class DeadlineError extends Error {
  constructor() {
    super('The function is about to time out');
    this.name = 'DeadlineError';
  }
}

/**
 * Wraps a handler so it streams correctly: the metadata is validated and always sent before the
 * body, the stream is ended exactly once (whether the handler returns, throws or forgets to end),
 * errors before the first byte become a JSON error response, errors after it are reported in-band,
 * `response.signal` fires before the deadline, and no timer is left behind.
 *
 * @example
 * export const handler = streamingHandler(async (event, response) => {
 *   const events = sse(response);
 *   for (const word of ['Hello', 'world']) await events.data({ text: word });
 * });
 */
export function streamingHandler<E = RestProxyEvent>(fn: StreamingHandlerFunction<E>, options: StreamingHandlerOptions = {}): RawStreamingHandler<E> {
  const runtimeOf = () => options.runtime ?? (globalThis as unknown as { awslambda?: AwsLambdaGlobal }).awslambda;
  const inner: RawStreamingHandler<E> = async (event, raw, context) => {
    context.callbackWaitsForEmptyEventLoop = false;
    const runtime = runtimeOf();
    if (!runtime) throw new Error('No Lambda streaming runtime (awslambda global)');
    const controller = new AbortController();
    const response = new StreamingResponse(raw, runtime, controller);
    // A request header of a proxy event (any case), if the event has headers.
    const headers = Object((event as { headers?: unknown } | null)?.headers) as Record<string, string | undefined>;
    const header = (name: string) => {
      for (const key in headers) if (key.toLowerCase() == name) return headers[key];
      return undefined;
    };
    if ((options.answerEndedStreams ?? true) && isEndedStreamId(header('last-event-id'))) {
      const origin = header('origin');
      // Nothing is read from an empty 204, so any origin may see it (an EventSource that cannot
      // read it would take it for a network error and reconnect).
      if (origin) response.headers({ 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true' });
      return response.status(204).end();
    }
    const remaining = context.getRemainingTimeInMillis?.();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let rethrow: unknown;
    try {
      const outcome = await Promise.race([(async () => fn(event, response, context))(), new Promise<DeadlineError>((resolve) => {
        // (a delay below 1 ms is 1 ms)
        if (Number.isFinite(remaining)) {
          timer = setTimeout(() => {
            const error = new DeadlineError();
            controller.abort(error);
            resolve(error);
          }, remaining - (options.deadlineMarginMs ?? 1000));
        }
      })]);
      if (outcome instanceof DeadlineError && !response.finished) throw outcome;
    } catch (error) {
      rethrow = await reportError(response, error);
    } finally {
      clearTimeout(timer);
      // A raw body that failed after its first byte is left open: the runtime ends it with the
      // error trailers when the error is rethrown, and API Gateway cuts the client's transfer.
      // Else the stream ends here, with the writer's last frame (SSE: the end marker) if any.
      if (!response.finished && rethrow === undefined) await response.end(response.frames?.last?.()).catch(() => undefined);
      controller.abort();
    }
    if (rethrow !== undefined) throw rethrow;
  };
  const runtime = runtimeOf();
  if (runtime) return runtime.streamifyResponse(inner);
  // No runtime yet (a unit test importing the module): mark the handler as the runtime would.
  (inner as unknown as Record<symbol, string>)[Symbol.for('aws.lambda.runtime.handler.streaming')] = 'response';
  return inner;
}

/**
 * Reports an error on the response. Before the first byte: a JSON error with the error's status
 * (HttpError) or 500. After it: an `error` event (SSE) or line (NDJSON), then the end; for a raw
 * body the error is returned to be rethrown, so the runtime ends the stream with error trailers and
 * the client sees the transfer cut.
 */
async function reportError(response: StreamingResponse, error: unknown): Promise<unknown> {
  const http = error instanceof HttpError && error;
  const deadline = error instanceof DeadlineError;
  const info = { message: http || deadline ? (error as Error).message : 'Internal Server Error', errorType: error instanceof Error ? error.name : 'Error' };
  if (!http) console.error(error);
  try {
    if (response.finished) return;
    if (!response.headersSent) {
      response.resetHeaders();
      const code = http ? http.statusCode : 0;
      return void await response.json(code >= 400 && code <= 599 ? code : deadline ? 504 : 500, { ...info, ...http && http.details });
    }
    // (a writer's error frame is always a string; a raw body has none)
    if (response.frames) return void await response.end(response.frames.error(info));
  } catch {
    // The stream itself failed: nothing more can be sent.
    return;
  }
  return error;
}
