/**
 * One invocation's output as a readable stream, for the prelude reader and the relay: what the
 * sandbox sends is acknowledged as it is consumed (so a slow client slows the handler, and the
 * sandbox's unacknowledged bytes stay within `OUTPUT_WINDOW`). It ends when the invocation ended,
 * or fails with why it did not. Once closed, the environment goes back to its pool (after a
 * complete invocation) or is ended (the request was cut short, the function failed).
 */
import { Readable } from 'stream';
import type { ExecutionEnvironment, InvocationSink } from '../lambda/environment';
import type { InvocationEnd } from '../lambda/outcome';
import type { EnvironmentPool } from '../lambda/pool';
import { OUTPUT_WINDOW } from '../lambda/protocol';
import { RelayError } from '../relay';

/** Bytes of function output buffered here before acknowledgements stop (backpressure). */
const OUTPUT_HIGH_WATER_MARK = 256 * 1024;

/** Acknowledgements go in batches: one message per this many bytes consumed. */
const ACK_BATCH = OUTPUT_WINDOW / 4;

export class InvocationOutput extends Readable implements InvocationSink {
  public onActivity?: () => void;
  private end?: InvocationEnd;
  /** Bytes received that are not acknowledged yet. */
  private unacknowledged = 0;
  /** The buffer passed its high-water mark: acknowledgements wait for the relay to read. */
  private held = false;

  /** The kind of handler that ran (known at the end). */
  public get handlerKind(): InvocationEnd['handler'] {
    return this.end?.handler;
  }

  constructor(private readonly environment: ExecutionEnvironment, pool: EnvironmentPool) {
    super({ highWaterMark: OUTPUT_HIGH_WATER_MARK });
    // The invocation may fail between two readers: after the prelude reader let go, before the
    // relay listens. The error must not end the gateway's process; the relay finds it on `errored`.
    this.on('error', () => undefined);
    this.once('close', () => {
      if (this.end?.outcome === 'ended' && environment.alive) pool.release(environment);
      else pool.discard(environment);
    });
  }

  public onData(chunk: Buffer): void {
    if (this.destroyed) return;
    this.onActivity?.();
    this.unacknowledged += chunk.length;
    // (while the buffer is full, the relay's next read acknowledges)
    if (!this.push(chunk)) this.held = true;
    else if (this.unacknowledged >= ACK_BATCH) this.acknowledge();
  }

  public onEnd(end: InvocationEnd): void {
    if (this.destroyed) return;
    this.end = end;
    if (end.outcome === 'ended') {
      this.push(null);
    } else if (end.outcome === 'timeout') {
      this.destroy(RelayError.timeout('the function timed out'));
    } else {
      this.destroy(RelayError.internal(`the function failed: ${end.error?.errorType}: ${end.error?.errorMessage}${threadHint(end.error?.errorMessage)}`));
    }
  }

  /**
   * The relay wants more. Acknowledging every read would cost a message (and a wake of the
   * sandbox) per chunk: only a batch, or what was held back while the buffer was full, is
   * acknowledged. The sandbox never waits on less than a batch: its window is four batches.
   */
  public _read(): void {
    if (this.held || this.unacknowledged >= ACK_BATCH) this.acknowledge();
  }

  private acknowledge(): void {
    this.held = false;
    if (this.unacknowledged === 0) return;
    this.environment.acknowledge(this.unacknowledged);
    this.unacknowledged = 0;
  }
}

/**
 * Node refuses a few process operations in worker threads (`process.chdir()`, `process.umask()`
 * with a mask, ...) that Lambda's runtime allows: a failure that says so gets how to serve such a
 * function.
 */
export function threadHint(message = ''): string {
  return /is not supported in workers$/.test(message)
    ? ' (Node does not allow this in a worker thread, where the gateway runs functions unless told otherwise; serve with --isolation process)'
    : '';
}
