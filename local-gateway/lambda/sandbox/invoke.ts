/**
 * One invocation of a handler, as the Lambda Node.js runtime runs it: a streaming handler
 * (`streamifyResponse`) writes to a response stream until it ends it; a classic handler's result
 * (a returned promise, or the callback) is the payload. Used by the sandbox for every invocation,
 * and by unit tests of handlers (with `awslambda.ts`).
 */
import { randomUUID } from 'crypto';
import { Writable } from 'stream';
import { HIGH_WATER_MARK_MARK, ResponseSink, StandInResponseStream, STREAMING_MARK, writableSink } from './awslambda';
import type { LambdaContext, RawStreamingHandler } from '../../../lambda-assets/runtime/types';
import { ERROR_BODY_TRAILER, ERROR_TYPE_TRAILER, MetadataError, ResponseMetadata, splitStreamedResponse } from '../../../wire/contract';
import { failed, functionError, InvocationEnd, NON_ASYNC_STREAMING, timedOut } from '../outcome';

/** Options of `invoke()`. */
export interface InvokeOptions {
  /** The function timeout in ms. Default 3000 (Lambda's default). */
  timeoutMs?: number;
  /** Where the response bytes go, as the handler writes them. Default: collected in memory. */
  sink?: Writable | ResponseSink;
  /** Context fields to override. */
  context?: Partial<LambdaContext>;
}

/** How an invocation ended. */
export interface InvokeResult {
  /** `ended`: the stream finished; `error`: the handler threw; `timeout`: the function timed out. */
  outcome: InvocationEnd['outcome'];
  /** The content type the runtime sent to the Lambda service. */
  contentType: string;
  /** The bytes written (when no sink was given). */
  body: Buffer;
  /** The error the runtime reported in trailers. */
  error?: { errorType: string; errorMessage: string };
  durationMs: number;
}

/** A Lambda context for one invocation with `timeoutMs` to run. */
export function createContext(timeoutMs: number, overrides: Partial<LambdaContext> = {}): LambdaContext {
  const deadline = Date.now() + timeoutMs;
  return {
    awsRequestId: randomUUID(),
    functionName: 'local-function',
    functionVersion: '$LATEST',
    memoryLimitInMB: '512',
    logGroupName: '/aws/lambda/local-function',
    logStreamName: 'local',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:local-function',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    ...overrides,
  };
}

/** What `promise` resolves to, or `fallback` once `ms` pass first. */
function within<T>(promise: Promise<T>, ms: number, fallback: () => T): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<T>((resolve) => (timer = setTimeout(() => resolve(fallback()), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Invokes a streaming handler as the Lambda runtime would. Resolves when the stream ends, the
 * handler fails, or the function times out.
 */
export async function invoke<E>(handler: RawStreamingHandler<E>, event: E, options: InvokeOptions = {}): Promise<InvokeResult> {
  const marks = handler as unknown as Record<symbol, unknown>;
  if (marks[STREAMING_MARK] !== 'response') {
    throw new Error('Not a streaming handler: wrap it with awslambda.streamifyResponse() or streamingHandler()');
  }
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 3000;
  const chunks: Buffer[] = [];
  const sink: ResponseSink = options.sink instanceof Writable ? writableSink(options.sink)
    : options.sink ?? { write: (chunk, done) => (chunks.push(chunk), done()) };
  const highWaterMark = marks[HIGH_WATER_MARK_MARK];
  const stream = new StandInResponseStream(sink, typeof highWaterMark === 'number' ? highWaterMark : undefined);
  const context = createContext(timeoutMs, options.context);

  // The invocation is over when the handler has settled and the stream has finished (a stream
  // left open hangs until the timeout), or when the handler failed (the runtime then ends the
  // stream with error trailers).
  const finished = new Promise<void>((resolve) => {
    stream.on('finish', () => resolve());
    stream.on('close', () => resolve());
  });
  const settled = Promise.resolve()
    .then(() => {
      // The runtime fails a handler that returns no promise, after it ran: hold its writes until then.
      stream.hold();
      const returned: unknown = handler(event, stream, context);
      if (!returned || typeof (returned as Promise<unknown>).then !== 'function') {
        stream.discard();
        throw Object.assign(new Error(NON_ASYNC_STREAMING.errorMessage), { name: NON_ASYNC_STREAMING.errorType });
      }
      stream.release();
      return returned;
    })
    .then(
      (value: unknown) => {
        if (value !== undefined) console.warn('Streaming handlers ignore return values.');
      },
      (error: unknown) => {
        const { errorType, errorMessage } = functionError(error);
        stream.trailers = {
          [ERROR_TYPE_TRAILER]: errorType,
          [ERROR_BODY_TRAILER]: Buffer.from(JSON.stringify({ errorType, errorMessage })).toString('base64'),
        };
        if (!stream.writableEnded && !stream.destroyed) stream.end();
      },
    );
  const done = Promise.all([settled, finished]).then((): InvocationEnd => (stream.trailers ? failed(errorOf(stream)) : { outcome: 'ended' }));
  const result = await within(done, timeoutMs, () => timedOut(timeoutMs));
  if (result.outcome === 'timeout') stream.destroy();
  const { outcome, error } = result;
  return { outcome, error, contentType: stream.contentType, body: Buffer.concat(chunks), durationMs: Date.now() - started };
}

function errorOf(stream: StandInResponseStream): { errorType: string; errorMessage: string } {
  const body = JSON.parse(Buffer.from(stream.trailers![ERROR_BODY_TRAILER], 'base64').toString('utf8'));
  return { errorType: body.errorType, errorMessage: body.errorMessage };
}

/**
 * Invokes a classic handler like the runtime: a returned promise or the callback gives the
 * result (its JSON is the payload); a handler that does neither before `timeoutMs` times out.
 */
export async function invokeClassic(
  handler: (...args: any[]) => unknown, event: unknown, context: LambdaContext, timeoutMs: number,
): Promise<InvocationEnd & { readonly payload?: Buffer }> {
  const run = new Promise<unknown>((resolve, reject) => {
    const callback = (error: unknown, result: unknown) => (error ? reject(error) : resolve(result));
    const returned = handler(event, context, callback);
    const promise = returned as Promise<unknown> | undefined;
    if (promise && typeof promise.then === 'function') promise.then(resolve, reject);
    else if (handler.length < 3) resolve(undefined);
  }).then(
    (result) => ({ outcome: 'ended' as const, payload: Buffer.from(JSON.stringify(result === undefined ? null : result) ?? 'null') }),
    (error: unknown) => failed(functionError(error)),
  );
  return within<InvocationEnd & { payload?: Buffer }>(run, timeoutMs, () => timedOut(timeoutMs));
}

/** Splits a streamed response into its metadata and payload, as API Gateway does (throws if it would answer 500). */
export function parseStreamedResponse(bytes: Buffer): { metadata: ResponseMetadata; body: Buffer } {
  try {
    return splitStreamedResponse(bytes);
  } catch (error) {
    if (!(error instanceof MetadataError)) throw error;
    const why = error.message.replace(/^Invalid response metadata: /, '');
    throw new Error(`${why.charAt(0).toUpperCase()}${why.slice(1)}: API Gateway would answer 500`);
  }
}
