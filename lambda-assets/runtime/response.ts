import { validateMetadata } from './metadata';
import type { AwsLambdaGlobal, LambdaResponseStream, ResponseMetadata } from './types';

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
  constructor(public readonly statusCode: number, message: string, public readonly details?: Record<string, unknown>) {
    super(message);
    this.name = 'HttpError';
  }
}

/**
 * The response of a streaming handler. Set the status and headers, then write the body: the
 * metadata and the 8-NUL delimiter are always sent before the first payload byte (even for an
 * empty body), each `write()` waits while the stream is over its high-water mark, and the stream
 * is ended exactly once.
 */
export class StreamingResponse {
  /** Fires before the function runs out of time (see `deadlineMarginMs`), or when the stream fails. */
  public readonly signal: AbortSignal;

  private metadata = freshMetadata();
  private stream?: LambdaResponseStream;
  private ended = false;
  private modeValue: ResponseMode = 'raw';
  private readonly onEnd: Array<() => void> = [];
  private frames?: ModeFrames;

  constructor(
    private readonly raw: LambdaResponseStream,
    private readonly runtime: AwsLambdaGlobal,
    controller: AbortController = new AbortController(),
  ) {
    this.signal = controller.signal;
    raw.on('error', (error: Error) => controller.abort(error));
  }

  /** True once the metadata has been sent: the status and headers can no longer change. */
  public get headersSent(): boolean {
    return this.stream !== undefined;
  }

  /** True once the stream has been ended. */
  public get finished(): boolean {
    return this.ended;
  }

  /** How the body is written: raw bytes, Server-Sent Events or NDJSON. */
  public get mode(): ResponseMode {
    return this.modeValue;
  }

  /** Sets the status code (100..599). */
  public status(statusCode: number): this {
    this.beforeHeaders('status');
    this.metadata.statusCode = statusCode;
    return this;
  }

  /** Sets a header (replacing one of the same name, whatever its case). */
  public header(name: string, value: string): this {
    this.beforeHeaders('header');
    delete this.metadata.headers[this.headerKey(name) ?? name];
    this.metadata.headers[name] = value;
    return this;
  }

  /** Sets several headers. */
  public headers(headers: Record<string, string>): this {
    for (const [name, value] of Object.entries(headers)) this.header(name, value);
    return this;
  }

  /** Sets a header with several values (API Gateway sends each; it wins over `header()`). */
  public multiValueHeader(name: string, values: string[]): this {
    this.beforeHeaders('multiValueHeader');
    this.metadata.multiValueHeaders[name] = [...values];
    return this;
  }

  /** Adds a cookie (`name=value; attributes`): each becomes its own `Set-Cookie`. */
  public cookie(cookie: string): this {
    this.beforeHeaders('cookie');
    this.metadata.cookies.push(cookie);
    return this;
  }

  /** The header value set for `name` (case-insensitive), if any. */
  public getHeader(name: string): string | undefined {
    return this.metadata.headers[this.headerKey(name) ?? name];
  }

  /**
   * Writes body bytes, sending the metadata first if needed. Resolves when the stream can take more
   * (after `drain` if it was over its high-water mark). Rejects after `end()`.
   */
  public async write(chunk: Chunk): Promise<void> {
    if (this.ended) {
      throw new Error('write() after end()');
    }
    const stream = this.open();
    if (!stream.write(chunk)) {
      await waitForDrain(stream);
    }
  }

  /** Writes an optional last chunk, then ends the stream (once; later calls do nothing). */
  public async end(chunk?: Chunk): Promise<void> {
    if (this.ended) return;
    if (chunk !== undefined && chunk.length > 0) {
      await this.write(chunk);
    }
    // The first write() sends the metadata; end(data) alone would skip it, so an empty body
    // still goes through write().
    const stream = this.open();
    if (!this.ended) {
      this.ended = true;
      this.onEnd.splice(0).forEach((callback) => callback());
      await new Promise<void>((resolve) => stream.end(() => resolve()));
    }
  }

  /** Sends a whole JSON body with a status, and ends. Only before the first byte. */
  public async json(statusCode: number, body: unknown): Promise<void> {
    this.status(statusCode).header('content-type', 'application/json');
    await this.end(JSON.stringify(body));
  }

  /**
   * @internal Forgets the status and headers set so far (before the first byte), so an error
   * response is not sent with headers that may be the cause of the error.
   */
  public resetHeaders(): void {
    this.beforeHeaders('resetHeaders');
    this.metadata = freshMetadata();
  }

  /**
   * @internal Switches the error-reporting mode (used by the writers), with the frame an error
   * after the first byte is sent as, and a last frame for when the handler returns without `end()`.
   */
  public setMode(mode: ResponseMode, frames?: ModeFrames): void {
    this.modeValue = mode;
    this.frames = frames;
  }

  /** @internal The frame that reports an error after the first byte, if the writer has one. */
  public errorFrame(error: ErrorInfo): string | undefined {
    return this.frames?.error(error);
  }

  /**
   * @internal Ends the stream after the handler returned (with the writer's last frame, if any: an
   * SSE stream that sent no event yet is marked finished too).
   */
  public autoEnd(): Promise<void> {
    return this.end(this.frames?.last?.());
  }

  /** @internal Runs `callback` when the stream ends (used by the writers to stop timers). */
  public onFinish(callback: () => void): void {
    if (this.ended) callback();
    else this.onEnd.push(callback);
  }

  private headerKey(name: string): string | undefined {
    return Object.keys(this.metadata.headers).find((key) => key.toLowerCase() === name.toLowerCase());
  }

  private open(): LambdaResponseStream {
    if (!this.stream) {
      const { statusCode, headers, multiValueHeaders, cookies } = this.metadata;
      const metadata: ResponseMetadata = { statusCode, headers };
      if (Object.keys(multiValueHeaders).length > 0) metadata.multiValueHeaders = multiValueHeaders;
      if (cookies.length > 0) metadata.cookies = cookies;
      validateMetadata(metadata);
      const stream = this.runtime.HttpResponseStream.from(this.raw, metadata);
      // The runtime sends the metadata and the delimiter on the first write() call.
      stream.write('');
      this.stream = stream;
    }
    return this.stream;
  }

  private beforeHeaders(method: string): void {
    if (this.headersSent) {
      throw new Error(`${method}() after the first byte`);
    }
  }
}

function freshMetadata(): { statusCode: number; headers: Record<string, string>; multiValueHeaders: Record<string, string[]>; cookies: string[] } {
  return { statusCode: 200, headers: {}, multiValueHeaders: {}, cookies: [] };
}

function waitForDrain(stream: LambdaResponseStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const listeners: Array<[string, (error?: Error) => void]> = [
      ['drain', () => done()],
      ['error', (error) => done(error)],
      ['close', () => done(new Error('stream closed'))],
    ];
    const done = (error?: Error) => {
      for (const [name, listener] of listeners) stream.off(name, listener);
      if (error) reject(error);
      else resolve();
    };
    for (const [name, listener] of listeners) stream.on(name, listener);
  });
}
