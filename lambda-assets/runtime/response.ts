import type { AwsLambdaGlobal, LambdaResponseStream, ResponseMetadata } from './types';
import { BAD_VALUE, HEADER_NAME, MetadataError } from '../../wire/contract';

/** An error reported after the first byte: its message and name. */
export interface ErrorInfo { message: string; errorType: string }

/** @internal How a writer reports an error after the first byte, and ends a forgotten stream. */
export interface ModeFrames { last?: () => string; error(error: ErrorInfo): string }

/** A chunk of body: text (UTF-8) or bytes. */
export type Chunk = string | Uint8Array;

/** What the response was opened as; decides how errors after the first byte are reported. */
export type ResponseMode = 'raw' | 'sse' | 'ndjson';

/** An error that carries the HTTP status to answer with (when it happens before the first byte). */
export class HttpError extends Error {
  // (`declare`d and set in the constructor: no class field is emitted, which saves bytes in every bundle)
  declare public readonly statusCode: number;
  declare public readonly details?: Record<string, unknown>;

  constructor(statusCode: number, message: string, details?: Record<string, unknown>) {
    super(message);
    this.statusCode = statusCode;
    this.details = details;
    this.name = 'HttpError';
  }
}

// Private members are `#names` and the code is written for size: the runtime is bundled into
// every handler, and esbuild shortens `#names` (not `private` ones) when it minifies.

/**
 * The response of a streaming handler. Set the status and headers, then write the body: the
 * metadata and the 8-NUL delimiter are always sent before the first payload byte (even for an
 * empty body), each `write()` waits while the stream is over its high-water mark, and the stream
 * is ended exactly once.
 */
export class StreamingResponse {
  /** Fires before the function runs out of time (see `deadlineMarginMs`), or when the stream fails. */
  declare public readonly signal: AbortSignal;

  #raw: LambdaResponseStream;
  #runtime: AwsLambdaGlobal;
  #status!: number;
  #headers!: Record<string, string>;
  #multi!: Record<string, string[]>;
  #cookies!: string[];
  #stream?: LambdaResponseStream;
  #ended = false;
  #mode: ResponseMode = 'raw';
  /** @internal The writer's frames: how an error after the first byte is sent, and a last frame. */
  declare public frames?: ModeFrames;

  constructor(raw: LambdaResponseStream, runtime: AwsLambdaGlobal, controller: AbortController = new AbortController()) {
    this.#raw = raw;
    this.#runtime = runtime;
    this.signal = controller.signal;
    this.resetHeaders();
    raw.on('error', (error: Error) => controller.abort(error));
  }

  /** True once the metadata has been sent: the status and headers can no longer change. */
  public get headersSent(): boolean {
    return !!this.#stream;
  }

  /** True once the stream has been ended. */
  public get finished(): boolean {
    return this.#ended;
  }

  /** How the body is written: raw bytes, Server-Sent Events or NDJSON. */
  public get mode(): ResponseMode {
    return this.#mode;
  }

  /** Sets the status code (100..599). */
  public status(statusCode: number): this {
    this.#before('status');
    this.#status = statusCode;
    return this;
  }

  /** Sets a header (replacing one of the same name, whatever its case). */
  public header(name: string, value: string): this {
    this.#before('header');
    delete this.#headers[this.#key(name)];
    this.#headers[name] = value;
    return this;
  }

  /** Sets several headers. */
  public headers(headers: Record<string, string>): this {
    for (const name in headers) this.header(name, headers[name]);
    return this;
  }

  /** Sets a header with several values (API Gateway sends each; it wins over `header()`). */
  public multiValueHeader(name: string, values: string[]): this {
    this.#before('multiValueHeader');
    this.#multi[name] = [...values];
    return this;
  }

  /** Adds a cookie (`name=value; attributes`): each becomes its own `Set-Cookie`. */
  public cookie(cookie: string): this {
    this.#before('cookie');
    this.#cookies.push(cookie);
    return this;
  }

  /** The header value set for `name` (case-insensitive), if any. */
  public getHeader(name: string): string | undefined {
    return this.#headers[this.#key(name)];
  }

  /**
   * Writes body bytes, sending the metadata first if needed. Resolves when the stream can take more
   * (after `drain` if it was over its high-water mark). Rejects after `end()`.
   */
  public async write(chunk: Chunk): Promise<void> {
    if (this.#ended) throw new Error('write() after end()');
    const stream = this.#open();
    if (!stream.write(chunk)) await drained(stream);
  }

  /** Writes an optional last chunk, then ends the stream (once; later calls do nothing). */
  public async end(chunk?: Chunk): Promise<void> {
    if (this.#ended) return;
    if (chunk?.length) await this.write(chunk);
    // The first write() sends the metadata; end(data) alone would skip it, so an empty body
    // still goes through write().
    const stream = this.#open();
    if (!this.#ended) {
      this.#ended = true;
      await new Promise((resolve) => stream.end(resolve));
    }
  }

  /** Sends a whole JSON body with a status, and ends. Only before the first byte. */
  public json(statusCode: number, body: unknown): Promise<void> {
    return this.status(statusCode).header('content-type', 'application/json').end(JSON.stringify(body));
  }

  /**
   * @internal Forgets the status and headers set so far (before the first byte), so an error
   * response is not sent with headers that may be the cause of the error.
   */
  public resetHeaders(): void {
    this.#before('resetHeaders');
    this.#status = 200;
    this.#headers = {};
    this.#multi = {};
    this.#cookies = [];
  }

  /**
   * @internal Switches the error-reporting mode (used by the writers), with the frame an error
   * after the first byte is sent as, and a last frame for when the handler returns without `end()`.
   */
  public setMode(mode: ResponseMode, frames?: ModeFrames): void {
    this.#mode = mode;
    this.frames = frames;
  }

  /** The key under which a header is set (whatever its case), else `name`. */
  #key(name: string): string {
    return Object.keys(this.#headers).find((key) => key.toLowerCase() == name.toLowerCase()) ?? name;
  }

  #open(): LambdaResponseStream {
    if (!this.#stream) {
      // What API Gateway would reject in metadata built here (its shape is right by construction):
      // a status outside 100..599, a header name that is not an HTTP token, a header value or
      // cookie that is not a Latin-1 string without control characters. (`validateMetadata` checks
      // metadata of any shape, with messages that say more.)
      const [statusCode, headers, multiValueHeaders, cookies] = [this.#status, this.#headers, this.#multi, this.#cookies];
      const bad = (value: unknown) => typeof value != 'string' || BAD_VALUE.test(value);
      if (!(Number.isInteger(statusCode) && statusCode >= 100 && statusCode <= 599)) throw new MetadataError(`statusCode ${statusCode} is not 100..599`);
      for (const [name, values] of [...Object.entries(headers), ...Object.entries(multiValueHeaders)]) {
        if (!HEADER_NAME.test(name) || [values].flat().some(bad)) throw new MetadataError(`header '${name}'`);
      }
      if (cookies.some(bad)) throw new MetadataError('cookie');
      const metadata: ResponseMetadata = { statusCode, headers };
      if (Object.keys(multiValueHeaders).length) metadata.multiValueHeaders = multiValueHeaders;
      if (cookies.length) metadata.cookies = cookies;
      this.#stream = this.#runtime.HttpResponseStream.from(this.#raw, metadata);
      // The runtime sends the metadata and the delimiter on the first write() call.
      this.#stream.write('');
    }
    return this.#stream;
  }

  #before(method: string): void {
    if (this.#stream) throw new Error(`${method}() after the first byte`);
  }
}

/** Resolves on `drain`; rejects if the stream fails or closes first. */
function drained(stream: LambdaResponseStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const listen = (method: 'on' | 'off') => stream[method]('drain', done)[method]('error', done)[method]('close', closed);
    const done = (error?: Error) => {
      listen('off');
      if (error) reject(error);
      else resolve();
    };
    const closed = () => done(new Error('stream closed'));
    listen('on');
  });
}
