/**
 * Relays one integration response to the client as API Gateway does: status and headers once the
 * integration's headers are known, then the body as it arrives (STREAMED) or all at once with a
 * Content-Length (BUFFERED). A streamed body is written to the client chunk by chunk (no pipeline
 * or Transform per request: they cost more CPU than the relaying itself); when the client's socket
 * is full, or shaping holds a chunk back, the integration's output is paused. The integration and
 * idle timeouts are enforced here. A failure before the status went out is a JSON error; after it
 * the connection is cut.
 */
import type { Readable } from 'stream';
import { ANSWERS, GatewayAnswer, respond } from './gateway-responses';
import type { LocalStreamingGatewayOptions } from './options';
import type { RequestContext } from './request';
import type { Route } from './route';
import { Shaping, SLICE_MS } from './shaping';
import { EDGE_IDLE_TIMEOUT_MS, REGIONAL_IDLE_TIMEOUT_MS } from '../wire/limits';

export type Headers = Record<string, string | string[]>;

/** A relay failure: API Gateway's answer, and the reason for the log. */
export class RelayError extends Error {
  /** API Gateway's answer to an integration that failed: 500 Internal server error. */
  public static internal(why: string): RelayError {
    return new RelayError(ANSWERS.internalError, why);
  }

  /** API Gateway's answer to a timeout: 504 Endpoint request timed out. */
  public static timeout(why: string): RelayError {
    return new RelayError(ANSWERS.integrationTimeout, why);
  }

  constructor(public readonly answer: GatewayAnswer, why: string) {
    super(why);
  }
}

/** The route's integration timeout (capped by `maxIntegrationTimeoutMs`). */
export function integrationTimeoutMs(route: Route, options: LocalStreamingGatewayOptions): number {
  return Math.min(route.timeoutMs, options.maxIntegrationTimeoutMs ?? Infinity);
}

export class Relay {
  private done = false;
  private readonly timers: Array<ReturnType<typeof setTimeout>> = [];
  private lastActivity = Date.now();
  private source?: Readable;
  private readonly shaping: Shaping;

  /**
   * `abort` stops the integration (the request failed or the client left); `spentMs` of the
   * integration timeout went by before the relay started (waiting for an execution environment).
   */
  constructor(
    private readonly ctx: RequestContext, options: LocalStreamingGatewayOptions, private readonly abort: () => void, spentMs = 0,
  ) {
    const route = ctx.route!;
    this.shaping = new Shaping(options);
    const timeout = integrationTimeoutMs(route, options) - spentMs;
    this.timers.push(setTimeout(() => this.fail(RelayError.timeout('the integration timeout was reached')), Math.max(0, timeout)));
    this.armIdleTimer(options.idleTimeoutMs ?? (route.endpointType === 'EDGE' ? EDGE_IDLE_TIMEOUT_MS : REGIONAL_IDLE_TIMEOUT_MS));
    ctx.onClose(() => {
      if (!this.done && !ctx.res.writableFinished) this.finish(true);
    });
  }

  /** A line in the gateway's log about this request. */
  public log(message: string): void {
    this.ctx.log(message);
  }

  /** The integration sent something (resets the idle timer). */
  public touch(): void {
    this.lastActivity = Date.now();
  }

  /** Relays the integration's response: status, headers, then the body from `body`. */
  public send(status: number, headers: Headers, body: Readable): void {
    if (this.done) {
      body.destroy();
      return;
    }
    const { ctx } = this;
    this.source = body;
    // The integration failed before the relay listened (its 'error' has gone by).
    if (body.errored || (body.destroyed && !body.readableEnded)) {
      const error = body.errored;
      this.fail(error instanceof RelayError ? error : RelayError.internal(error?.message ?? 'the integration\'s output ended before it was relayed'));
      return;
    }
    ctx.allHeaders = Date.now();
    this.touch();
    if (!ctx.streamed) {
      this.sendBuffered(status, headers, body);
      return;
    }
    // API Gateway sends status and headers as soon as the integration's headers are complete.
    // When body bytes already wait (they came with the headers), they leave together in this turn.
    if (!this.writeHead(status, headers, body.readableLength === 0)) return;
    this.stream(body);
  }

  /** Fails the request: a JSON error before the status went out, a cut connection after it. */
  public fail(error: RelayError): void {
    if (this.done) return;
    const { ctx } = this;
    ctx.log(error.message);
    if (!ctx.res.headersSent) respond(ctx, error.answer);
    else ctx.res.destroy();
    this.finish(true);
  }

  /**
   * Writes the body's chunks to the client as they come; a full socket pauses the body. Past the
   * unthrottled bytes, shaping (shaping.ts) sends what is due in slices every `SLICE_MS` (a chunk
   * of any size starts at once with what is still free, the rest follows at the shaped rate; each
   * slice counts as activity for the idle timeout), and the body stays paused while bytes wait.
   */
  private stream(body: Readable): void {
    const { res } = this.ctx;
    const waiting: Buffer[] = []; // bytes shaping holds back
    let paceDue = false; // a pace is scheduled: on a timer, or on the socket's drain
    let ended = false;
    const resume = () => {
      if (!this.done && waiting.length === 0 && !res.writableNeedDrain) body.resume();
    };
    const write = (chunk: Buffer) => {
      this.ctx.bytes += chunk.length;
      if (!res.write(chunk)) {
        body.pause();
        res.once('drain', resume);
      }
    };
    const end = () => res.end(() => this.finish(false));
    const schedulePace = () => {
      if (paceDue) return;
      paceDue = true;
      this.timers.push(setTimeout(pace, SLICE_MS));
    };
    /** Sends what shaping allows of the waiting bytes; comes back until none wait. */
    const pace = () => {
      paceDue = false;
      if (this.done) return;
      if (res.writableNeedDrain) {
        paceDue = true;
        res.once('drain', pace); // a slow client: its socket sets the pace
        return;
      }
      let allowed = this.shaping.allowance(this.ctx.bytes);
      while (waiting.length > 0 && allowed > 0) {
        const bytes = Math.min(allowed, waiting[0].length);
        allowed -= bytes;
        write(waiting[0].subarray(0, bytes));
        if (bytes === waiting[0].length) waiting.shift();
        else waiting[0] = waiting[0].subarray(bytes);
        this.touch();
      }
      if (waiting.length > 0) schedulePace();
      else if (ended) end();
      else resume();
    };
    body.on('data', (chunk: Buffer) => {
      this.touch();
      if (chunk.length === 0 || this.done) return;
      this.ctx.firstContent ??= Date.now();
      if (waiting.length === 0) {
        const free = this.shaping.allowance(this.ctx.bytes);
        if (free >= chunk.length) {
          write(chunk);
          return;
        }
        if (free > 0) {
          write(chunk.subarray(0, free));
          chunk = chunk.subarray(free);
        }
      }
      waiting.push(chunk);
      body.pause();
      if (!res.headersSent) res.flushHeaders(); // the status and headers do not wait for shaped bytes
      schedulePace();
    });
    body.once('error', (error) => this.fail(error instanceof RelayError ? error : RelayError.internal(error.message)));
    body.once('end', () => {
      ended = true;
      if (!this.done && waiting.length === 0) end();
    });
    body.resume(); // the prelude reader left it paused
  }

  private sendBuffered(status: number, headers: Headers, body: Readable): void {
    const chunks: Buffer[] = [];
    body.on('data', (chunk: Buffer) => {
      this.touch();
      this.ctx.firstContent ??= Date.now();
      chunks.push(chunk);
    });
    body.on('error', (error) => this.fail(error instanceof RelayError ? error : RelayError.internal(error.message)));
    body.on('end', () => {
      if (this.done) return;
      // A 204 or 304 has no body, and no Content-Length to announce one (RFC 9110 8.6).
      const bodiless = status === 204 || status === 304;
      const bytes = bodiless ? Buffer.alloc(0) : Buffer.concat(chunks);
      this.ctx.bytes = bytes.length;
      if (!this.writeHead(status, bodiless ? headers : { ...headers, 'content-length': String(bytes.length) })) return;
      this.ctx.res.end(bytes);
      this.finish(false);
    });
    body.resume();
  }

  /**
   * Sets status and headers, and sends them now if `flush` (else with the first body write, due
   * this turn); false (and the request failed) when Node refuses them.
   */
  private writeHead(status: number, headers: Headers, flush = true): boolean {
    const { res } = this.ctx;
    try {
      res.writeHead(status, headers);
    } catch (error) {
      // A last line of defence: the integrations validate what they pass on.
      for (const name of res.getHeaderNames()) if (name !== 'x-amzn-requestid') res.removeHeader(name);
      res.statusMessage = ''; // the refused head's reason phrase is not the 500's
      this.fail(RelayError.internal(`the response head is invalid: ${(error as Error).message}`));
      return false;
    }
    this.ctx.status = status;
    if (flush) res.flushHeaders();
    return true;
  }

  private finish(aborted: boolean): void {
    if (this.done) return;
    this.done = true;
    this.ctx.ended ??= Date.now();
    this.timers.forEach(clearTimeout);
    if (aborted) {
      this.source?.destroy();
      this.abort();
    }
  }

  /** The idle timer re-arms itself lazily (no timer churn per chunk). */
  private armIdleTimer(idleMs: number): void {
    const check = () => {
      const silent = Date.now() - this.lastActivity;
      if (silent >= idleMs) this.fail(RelayError.timeout('the idle timeout was reached'));
      else this.timers.push(setTimeout(check, idleMs - silent));
    };
    this.timers.push(setTimeout(check, idleMs));
  }
}
