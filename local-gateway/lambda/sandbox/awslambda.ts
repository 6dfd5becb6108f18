/**
 * The `awslambda` global of the Lambda Node.js runtime, as a faithful stand-in: what a sandbox
 * installs before it loads a handler, and what unit tests of handlers use (with `invoke.ts`). It
 * reproduces what the real runtime does, traps included:
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
import { Writable } from 'stream';
import type { AwsLambdaGlobal, LambdaResponseStream, RawStreamingHandler } from '../../../lambda-assets/runtime/types';
import {
  DEFAULT_STREAM_CONTENT_TYPE, DELIMITER_LENGTH, PRELUDE_CONTENT_TYPE, RESPONSE_STREAM_HIGH_WATER_MARK, ResponseMetadata,
} from '../../../wire/contract';

/** The content type `HttpResponseStream.from()` sets (the wire contract's prelude type). */
export const METADATA_CONTENT_TYPE = PRELUDE_CONTENT_TYPE;
/** The marks `streamifyResponse()` puts on a handler (the runtime's own symbols). */
export const STREAMING_MARK = Symbol.for('aws.lambda.runtime.handler.streaming');
export const HIGH_WATER_MARK_MARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');

type FirstWriteHook = (write: (chunk: string | Uint8Array) => void) => void;

/** Where a response stream's bytes go: `done` is called when more may be written (backpressure). */
export interface ResponseSink {
  write(chunk: Buffer, done: () => void): void;
}

/** A sink that writes to a `Writable` (what `invoke()` is given in tests). */
export function writableSink(writable: Writable): ResponseSink {
  return {
    write: (chunk, done) => {
      if (writable.destroyed) done();
      else if (writable.write(chunk)) done();
      else writable.once('drain', done);
    },
  };
}

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

  constructor(private readonly sink: ResponseSink, highWaterMark: number = RESPONSE_STREAM_HIGH_WATER_MARK) {
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
    this.sink.write(chunk, () => callback());
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
