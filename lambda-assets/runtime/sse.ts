import type { ErrorInfo, StreamingResponse } from './response';

/** One Server-Sent Event. */
export interface SseEvent {
  /** The event name (`event:`); default: the client's `message` event. */
  event?: string;
  /** The event id (`id:`), which the client sends back as `Last-Event-ID` when it reconnects. */
  id?: string;
  /** How long the client waits before reconnecting, in ms (`retry:`). */
  retry?: number;
  /** The data: a string (split into `data:` lines) or a value sent as JSON. */
  data: unknown;
}

/** Options of `sse()`. */
export interface SseOptions {
  /**
   * Send a comment frame (`: keep-alive`) when nothing was written for this long, so idle
   * timeouts (30 s on edge-optimized endpoints, 5 minutes on Regional ones) do not cut the
   * stream. `0` turns it off. Default: 15000.
   */
  heartbeatMs?: number;
  /**
   * How an error after the first byte is sent (the runtime sends it, then ends the stream).
   * Default: `event: error` with `data: {"message": ..., "errorType": ...}`, which a browser
   * `EventSource` and the `eventsource` package raise as an `error` event.
   */
  errorEvent?: (error: SseErrorInfo) => SseEvent;
  /**
   * A feed the client resumes: when the handler returns or throws without `end()` (e.g. a long feed
   * cut at the function's deadline), the stream is not marked finished, so an `EventSource`
   * reconnects with its `Last-Event-ID` and the handler runs again to carry on from there. Only
   * `end()` marks the end. Default: false (the stream is marked finished however it ends, so a
   * reconnecting `EventSource` is answered 204 and the handler does not run again; see
   * `SseWriter.end()`).
   */
  resumable?: boolean;
  /**
   * @deprecated Streams stay ended by default now. `stayEnded: false` means `resumable: true`;
   * `stayEnded: true` is the default.
   */
  stayEnded?: boolean;
}

/**
 * An error reported after the first byte: its message (`Internal Server Error` for errors that are
 * not `HttpError`s) and name (`errorType`, e.g. `HttpError`, `DeadlineError`).
 */
export type SseErrorInfo = ErrorInfo;

/**
 * The suffix of the id of a finished stream's last event. An `EventSource` that reconnects sends
 * that id as `Last-Event-ID`; `streamingHandler` answers such a request 204 (which the SSE
 * standard defines as final) without calling the handler. Stateless: the marker is in the id.
 */
export const SSE_END_MARKER = '~end';

/** True when a `Last-Event-ID` value marks a finished stream (it ends with `SSE_END_MARKER`). */
export function isEndedStreamId(lastEventId: string | undefined | null): boolean {
  return typeof lastEventId === 'string' && lastEventId.endsWith(SSE_END_MARKER);
}

/** The frame that marks the end of a stream: an id-only event (clients dispatch nothing for it). */
export function encodeSseEnd(id = ''): string {
  return `${field('id', id + SSE_END_MARKER)}\n`;
}

function field(name: string, value: string | number): string {
  if (name == 'retry' && !(Number.isInteger(value) && value as number >= 0)) throw new Error('SSE retry must be a whole number of ms');
  if (/[\r\n\0]/.test(String(value))) throw new Error(`SSE ${name} cannot contain line breaks or NUL`);
  return `${name}: ${value}\n`;
}

/** Each line of `text` (split at CRLF, CR or LF) after `prefix`, then the blank line that ends the frame. */
function lines(prefix: string, text: string): string {
  return `${text.split(/\r\n?|\n/).map((line) => prefix + line + '\n').join('')}\n`;
}

/** Encodes one event as SSE text (`event:`, `id:`, `retry:`, one `data:` line per line, blank line). */
export function encodeSseEvent(event: SseEvent): string {
  let frame = '';
  for (const name of ['event', 'id', 'retry'] as const) {
    if (event[name] !== undefined) frame += field(name, event[name]);
  }
  const { data } = event;
  return frame + lines('data: ', typeof data == 'string' ? data : JSON.stringify(data) ?? '');
}

/** Encodes a comment frame (ignored by clients; keeps the connection alive). */
export function encodeSseComment(text: string): string {
  return lines(': ', text);
}

/**
 * Writes Server-Sent Events. Created by `sse(response)`, which sets `content-type:
 * text/event-stream` (and `cache-control: no-cache`) unless already set.
 */
export class SseWriter {
  // (`#names`: esbuild shortens them when it minifies a handler's bundle)
  #response: StreamingResponse;
  #timer?: ReturnType<typeof setInterval>;

  constructor(response: StreamingResponse, options: SseOptions = {}) {
    this.#response = response;
    const end = options.resumable ?? options.stayEnded === false ? () => '' : encodeSseEnd;
    response.setMode('sse', {
      error: (error) => encodeSseEvent(options.errorEvent?.(error) ?? { event: 'error', data: error }) + end(),
      last: end,
    });
    if (!response.headersSent) {
      if (!response.getHeader('content-type')) response.header('content-type', 'text/event-stream; charset=utf-8');
      if (!response.getHeader('cache-control')) response.header('cache-control', 'no-cache');
    }
    const heartbeatMs = options.heartbeatMs ?? 15_000;
    if (heartbeatMs > 0) {
      // Every write restarts the period (`refresh()`), so the comment goes out after a silence.
      this.#timer = setInterval(() => this.comment('keep-alive').catch(() => this.stop()), heartbeatMs);
      this.#timer.unref?.(); // (jsdom's timers are numbers)
      // streamingHandler aborts the signal once the stream has ended (or at the deadline).
      response.signal.addEventListener('abort', () => this.stop());
    }
  }

  /** Sends an event; resolves when the stream can take more. */
  public send(event: SseEvent): Promise<void> {
    return this.#write(encodeSseEvent(event));
  }

  /** Sends `data` as a `message` event (or a named one). */
  public data(data: unknown, event?: string): Promise<void> {
    return this.send({ data, event });
  }

  /** Sends a comment frame. */
  public comment(text: string): Promise<void> {
    return this.#write(encodeSseComment(text));
  }

  /**
   * Finishes the stream for good: sends `final` (if given), then an id-only frame whose id carries
   * `SSE_END_MARKER`, then ends the response. An `EventSource` that reconnects afterwards sends that
   * id as `Last-Event-ID` and is answered HTTP 204, which makes it stop, without the handler running
   * again. Returning from the handler (or throwing) does the same, unless the stream is
   * `resumable`; call `end()` to send a final event, and instead of `response.end()`.
   */
  public async end(final?: SseEvent): Promise<void> {
    this.stop();
    if (!this.#response.finished) await this.#response.end((final ? encodeSseEvent(final) : '') + encodeSseEnd(final?.id));
  }

  /** Stops the heartbeat (also done when the response ends). */
  public stop(): void {
    clearInterval(this.#timer);
  }

  #write(text: string): Promise<void> {
    this.#timer?.refresh?.();
    return this.#response.write(text);
  }
}

/** Opens the response as Server-Sent Events. */
export function sse(response: StreamingResponse, options?: SseOptions): SseWriter {
  return new SseWriter(response, options);
}
