/**
 * The gateway's Lambda emulator: a faithful stand-in for the Lambda Node.js runtime's response
 * streaming, used by the function workers (where no `awslambda` global exists) and by unit tests
 * of handlers. It reproduces what the real runtime
 * does, traps included:
 *
 * - `HttpResponseStream.from(stream, metadata)` sets the content type
 *   `application/vnd.awslambda.http-integration-response` and sends the metadata JSON and 8 NUL
 *   bytes on the first `write()` call only: `end(data)` or `end()` without an earlier `write()`
 *   sends no metadata;
 * - the response stream's high-water mark is 16 KiB: `write()` returns false past it, and the
 *   bytes flow only as fast as the sink takes them;
 * - a handler that resolves without ending the stream hangs until the function timeout;
 * - a handler that throws (rejects) ends the stream with the error in trailers
 *   (`Lambda-Runtime-Function-Error-Type` / `-Body`);
 * - the handler is never told that the client went away (no `close` event);
 * - `write()` of anything but a string, Buffer or Uint8Array writes its JSON;
 * - `streamifyResponse(fn, { highWaterMark })` sets the stream's high-water mark;
 * - a streaming handler that is not async (returns no promise) fails the invocation
 *   (`Streaming does not support non-async handlers.`), and nothing it wrote is sent.
 */
import { randomUUID } from 'crypto';
import { Writable } from 'stream';
import type { AwsLambdaGlobal, LambdaContext, LambdaResponseStream, RawStreamingHandler } from '../../lambda-assets/runtime/types';
import {
  DEFAULT_STREAM_CONTENT_TYPE, DELIMITER_LENGTH, ERROR_BODY_TRAILER, ERROR_TYPE_TRAILER, PRELUDE_CONTENT_TYPE,
  MetadataError, RESPONSE_STREAM_HIGH_WATER_MARK, ResponseMetadata, splitStreamedResponse,
} from '../../wire/contract';

/** The content type `HttpResponseStream.from()` sets (the wire contract's prelude type). */
export const METADATA_CONTENT_TYPE = PRELUDE_CONTENT_TYPE;
const STREAMING_MARK = Symbol.for('aws.lambda.runtime.handler.streaming');
const HIGH_WATER_MARK_MARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');

type FirstWriteHook = (write: (chunk: string | Uint8Array) => void) => void;

/** The response stream a streaming handler receives. */
export class StandInResponseStream extends Writable implements LambdaResponseStream {
  /** The content type the runtime would send to the Lambda service. */
  public contentType = DEFAULT_STREAM_CONTENT_TYPE;
  /** Error trailers, set when the handler failed. */
  public trailers?: Record<string, string>;
  public _onBeforeFirstWrite?: FirstWriteHook;
  private firstWriteDone = false;
  /** Writes held back until the handler is known to be async (see `invoke`). */
  private held?: Array<() => void>;

  constructor(private readonly sink: Writable, highWaterMark: number = RESPONSE_STREAM_HIGH_WATER_MARK) {
    super({ highWaterMark, decodeStrings: true });
  }

  /** Holds what reaches the sink until `release()` (or drops it with `discard()`). */
  public hold(): void {
    this.held ??= [];
  }

  public release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    held.forEach((write) => write());
  }

  public discard(): void {
    this.held = undefined;
    this.destroy();
  }

  public setContentType(contentType: string): void {
    if (this.firstWriteDone) {
      throw new Error('Cannot set content-type, too late.');
    }
    this.contentType = contentType;
  }

  // The real runtime patches write() (not end()) to run the first-write hook.
  public write(chunk: any, encoding?: any, callback?: any): boolean {
    // As the runtime does: what is neither text nor bytes is written as JSON.
    if (typeof chunk !== 'string' && !Buffer.isBuffer(chunk) && chunk?.constructor !== Uint8Array) {
      chunk = JSON.stringify(chunk);
    }
    if (!this.firstWriteDone) {
      this.firstWriteDone = true;
      this._onBeforeFirstWrite?.((ch) => super.write(ch));
    }
    return super.write(chunk, encoding, callback);
  }

  public _write(chunk: Buffer, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.held) {
      this.held.push(() => this._write(chunk, encoding, callback));
      return;
    }
    if (this.sink.destroyed) {
      callback();
      return;
    }
    if (this.sink.write(chunk)) callback();
    else this.sink.once('drain', () => callback());
  }
}

/** The `awslambda` global of the stand-in. */
export function createAwsLambda(): AwsLambdaGlobal {
  return {
    streamifyResponse<E>(handler: RawStreamingHandler<E>, options?: { highWaterMark?: number }): RawStreamingHandler<E> {
      const marks = handler as unknown as Record<symbol, unknown>;
      marks[STREAMING_MARK] = 'response';
      if (typeof options?.highWaterMark === 'number') marks[HIGH_WATER_MARK_MARK] = Math.trunc(options.highWaterMark);
      return handler;
    },
    HttpResponseStream: {
      from(stream: LambdaResponseStream, metadata: ResponseMetadata): LambdaResponseStream {
        stream.setContentType(PRELUDE_CONTENT_TYPE);
        const prelude = JSON.stringify(metadata);
        (stream as StandInResponseStream)._onBeforeFirstWrite = (write) => {
          write(prelude);
          write(new Uint8Array(DELIMITER_LENGTH));
        };
        return stream;
      },
    },
  };
}

/** Installs the stand-in as the `awslambda` global (as the real runtime provides it). */
export function installAwsLambda(): AwsLambdaGlobal {
  const awslambda = createAwsLambda();
  (globalThis as unknown as { awslambda: AwsLambdaGlobal }).awslambda = awslambda;
  return awslambda;
}

/** Removes the global installed by `installAwsLambda()`. */
export function uninstallAwsLambda(): void {
  delete (globalThis as unknown as { awslambda?: AwsLambdaGlobal }).awslambda;
}

/** Options of `invoke()`. */
export interface InvokeOptions {
  /** The function timeout in ms. Default 3000 (Lambda's default). */
  timeoutMs?: number;
  /** Where the response bytes go, as the handler writes them. Default: collected in memory. */
  sink?: Writable;
  /** Context fields to override. */
  context?: Partial<LambdaContext>;
}

/** How an invocation ended. */
export interface InvokeResult {
  /** `ended`: the stream finished; `error`: the handler threw; `timeout`: the function timed out. */
  outcome: 'ended' | 'error' | 'timeout';
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

/**
 * Invokes a streaming handler as the Lambda runtime would. Resolves when the stream ends, the
 * handler fails, or the function times out.
 */
export async function invoke<E>(handler: RawStreamingHandler<E>, event: E, options: InvokeOptions = {}): Promise<InvokeResult> {
  if ((handler as unknown as Record<symbol, unknown>)[STREAMING_MARK] !== 'response') {
    throw new Error('Not a streaming handler: wrap it with awslambda.streamifyResponse() or streamingHandler()');
  }
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 3000;
  const chunks: Buffer[] = [];
  const sink = options.sink ?? new Writable({ write: (chunk: Buffer, _e, cb) => (chunks.push(chunk), cb()) });
  const highWaterMark = (handler as unknown as Record<symbol, unknown>)[HIGH_WATER_MARK_MARK];
  const stream = new StandInResponseStream(sink, typeof highWaterMark === 'number' ? highWaterMark : undefined);
  const context = createContext(timeoutMs, options.context);

  // The invocation is over when the handler has settled and the stream has finished (a stream
  // left open hangs until the timeout), or when the handler failed (the runtime then ends the
  // stream with error trailers).
  let timer: ReturnType<typeof setTimeout> | undefined;
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
        throw Object.assign(new Error('Streaming does not support non-async handlers.'), { name: 'Runtime.NonAsyncStreamingHandler' });
      }
      stream.release();
      return returned;
    })
    .then(
      (value: unknown) => {
        if (value !== undefined) console.warn('Streaming handlers ignore return values.');
      },
      (error: unknown) => {
        const errorType = error instanceof Error ? error.name : 'Error';
        const errorMessage = error instanceof Error ? error.message : String(error);
        stream.trailers = {
          [ERROR_TYPE_TRAILER]: errorType,
          [ERROR_BODY_TRAILER]: Buffer.from(JSON.stringify({ errorType, errorMessage })).toString('base64'),
        };
        if (!stream.writableEnded && !stream.destroyed) stream.end();
      },
    );
  const result = await Promise.race([
    Promise.all([settled, finished]).then((): Pick<InvokeResult, 'outcome' | 'error'> => ({ outcome: stream.trailers ? 'error' : 'ended', error: errorOf(stream) })),
    new Promise<Pick<InvokeResult, 'outcome' | 'error'>>((resolve) => {
      timer = setTimeout(() => resolve({ outcome: 'timeout', error: { errorType: 'Sandbox.Timedout', errorMessage: `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds` } }), timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  if (result.outcome === 'timeout') stream.destroy();
  return { ...result, contentType: stream.contentType, body: Buffer.concat(chunks), durationMs: Date.now() - started };
}

function errorOf(stream: StandInResponseStream): InvokeResult['error'] {
  if (!stream.trailers) return undefined;
  const body = JSON.parse(Buffer.from(stream.trailers[ERROR_BODY_TRAILER], 'base64').toString('utf8'));
  return { errorType: body.errorType, errorMessage: body.errorMessage };
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
