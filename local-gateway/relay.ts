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
import type { Lease } from './lambda/channel';
import type { LocalStreamingGatewayOptions } from './options';
import type { RequestContext } from './request';
import type { Route } from './route';
import { EDGE_IDLE_TIMEOUT_MS, REGIONAL_IDLE_TIMEOUT_MS, SHAPING_BYTES_PER_SECOND, SHAPING_FREE_BYTES } from '../wire/limits';

export type Headers = Record<string, string | string[]>;

/**
 * A body whose chunks may be lent memory (a function thread's batch slot, channel.ts): once the
 * relay starts lending, it takes each chunk's lease and releases it when the socket has sent it.
 */
export interface LendingBody {
  startLending(): void;
  takeLease(chunk: Buffer): Lease | undefined;
}

function isLending(body: Readable): body is Readable & LendingBody {
  return typeof (body as Partial<LendingBody>).takeLease === 'function';
}

/** A relay failure: the status and body API Gateway answers, and the reason for the log. */
export class RelayError extends Error {
  /** API Gateway's answer to an integration that failed: 500 Internal server error. */
  public static internal(why: string): RelayError {
    return new RelayError(500, { message: 'Internal server error' }, why);
  }

  /** API Gateway's answer to a timeout: 504 Endpoint request timed out. */
  public static timeout(why: string): RelayError {
    return new RelayError(504, { message: 'Endpoint request timed out' }, why);
  }

  constructor(public readonly status: number, public readonly body: object, why: string) {
    super(why);
  }
}

/** The route's integration timeout (capped by `maxIntegrationTimeoutMs`). */
export function integrationTimeoutMs(route: Route, options: LocalStreamingGatewayOptions): number {
  return Math.min(route.timeoutMs, options.maxIntegrationTimeoutMs ?? Infinity);
}

/** How often shaping sends what is due (2 MB/s: about 100 KB a slice). */
const SLICE_MS = 50;

export class Relay {
  private done = false;
  private readonly timers: Array<ReturnType<typeof setTimeout>> = [];
  private lastActivity = Date.now();
  private source?: Readable;
  private shapingStarted?: number;
  /** Lent bytes (channel.ts) written to the client and not yet sent by its socket. */
  private readonly leases = new Set<Lease>();

  /**
   * `abort` stops the integration (the request failed or the client left); `spentMs` of the
   * integration timeout went by before the relay started (waiting for an execution environment).
   */
  constructor(
    private readonly ctx: RequestContext, private readonly options: LocalStreamingGatewayOptions, private readonly abort: () => void, spentMs = 0,
  ) {
    const route = ctx.route!;
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
    if (!ctx.res.headersSent) ctx.respond(error.status, error.body);
    else ctx.res.destroy();
    this.finish(true);
  }

  /**
   * Writes the body's chunks to the client as they come; a full socket pauses the body. Past the
   * unthrottled bytes, shaping sends what is due in slices every `SLICE_MS` (a chunk of any size
   * starts at once with what is still free, the rest follows at the shaped rate; each slice counts
   * as activity for the idle timeout), and the body stays paused while bytes wait.
   */
  private stream(body: Readable): void {
    const { res } = this.ctx;
    const waiting: Array<{ chunk: Buffer; lease?: Lease }> = []; // bytes shaping holds back
    let paceDue = false; // a pace is scheduled: on a timer, or on the socket's drain
    let ended = false;
    const resume = () => {
      if (!this.done && waiting.length === 0 && !res.writableNeedDrain) body.resume();
    };
    const lending = isLending(body) ? body : undefined;
    const release = (lease: Lease) => {
      this.leases.delete(lease);
      lease.release();
    };
    const write = (chunk: Buffer, lease?: Lease) => {
      this.ctx.bytes += chunk.length;
      if (!res.write(chunk, lease && (() => release(lease)))) {
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
      let allowed = this.shapingAllowance();
      while (waiting.length > 0 && allowed > 0) {
        const next = waiting[0];
        const bytes = Math.min(allowed, next.chunk.length);
        allowed -= bytes;
        if (bytes === next.chunk.length) {
          waiting.shift();
          write(next.chunk, next.lease); // the lease goes with the chunk's last bytes
        } else {
          write(next.chunk.subarray(0, bytes));
          next.chunk = next.chunk.subarray(bytes);
        }
        this.touch();
      }
      if (waiting.length > 0) {
        schedulePace();
      } else if (ended) {
        end();
      } else {
        resume();
      }
    };
    body.on('data', (chunk: Buffer) => {
      this.touch();
      // A lent chunk is the relay's from here (the body may end and close while shaping holds it).
      const lease = lending?.takeLease(chunk);
      if (lease) this.leases.add(lease);
      // Shared memory without a lease (a slice of a lent chunk): copied before anything can free it.
      else if (chunk.buffer instanceof SharedArrayBuffer) chunk = Buffer.from(chunk);
      if (chunk.length === 0 || this.done) {
        if (lease) release(lease);
        return;
      }
      this.ctx.firstContent ??= Date.now();
      if (waiting.length === 0) {
        const free = this.shapingAllowance();
        if (free >= chunk.length) {
          write(chunk, lease);
          return;
        }
        if (free > 0) {
          write(chunk.subarray(0, free));
          chunk = chunk.subarray(free);
        }
      }
      waiting.push({ chunk, lease });
      body.pause();
      if (!res.headersSent) res.flushHeaders(); // the status and headers do not wait for shaped bytes
      schedulePace();
    });
    body.once('error', (error) => this.fail(error instanceof RelayError ? error : RelayError.internal(error.message)));
    body.once('end', () => {
      ended = true;
      if (!this.done && waiting.length === 0) end();
    });
    lending?.startLending();
    body.resume(); // the prelude reader left it paused
  }

  /**
   * How many bytes may be sent now under API Gateway's shaping: what is left of the first 10 MB,
   * then 2 MB/s from the moment they were used up.
   */
  private shapingAllowance(): number {
    const { options, ctx } = this;
    if (options.shaping === false) return Infinity;
    const free = options.shapingFreeBytes ?? SHAPING_FREE_BYTES;
    const rate = options.shapingBytesPerSecond ?? SHAPING_BYTES_PER_SECOND;
    const shapedMs = this.shapingStarted === undefined ? 0 : Date.now() - this.shapingStarted;
    const left = Math.floor(free + (shapedMs / 1000) * rate - ctx.bytes);
    if (left <= 0) this.shapingStarted ??= Date.now();
    return Math.max(0, left);
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
    // Ended (all written) or cut (the socket destroyed: its file descriptor is closed, nothing
    // more is read from lent bytes): their slots may be written again.
    this.leases.forEach((lease) => lease.release());
    this.leases.clear();
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
