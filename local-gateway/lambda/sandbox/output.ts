/**
 * The response bytes of the running invocation, on their way to the gateway: what the handler
 * writes before its code next yields leaves as one message (a lone write at once), and a writer is called back at once while less than `OUTPUT_WINDOW` bytes are
 * unacknowledged, else when the gateway acknowledges them (backpressure).
 */
import type { GatewayLink } from './link';
import type { InvocationEnd } from '../outcome';
import { OUTPUT_WINDOW } from '../protocol';

export class Output {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private unacknowledged = 0;
  private waiting: Array<() => void> = [];
  private scheduled = false;

  constructor(private readonly link: GatewayLink) {}

  public write(pieces: Uint8Array[], done: () => void): void {
    for (const piece of pieces) {
      this.pending.push(piece);
      this.pendingBytes += piece.length;
      this.unacknowledged += piece.length;
    }
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => this.flush());
    }
    if (this.unacknowledged < OUTPUT_WINDOW) done();
    else this.waiting.push(done);
  }

  /** The gateway consumed `bytes`. */
  public acknowledged(bytes: number): void {
    this.unacknowledged = Math.max(0, this.unacknowledged - bytes);
    if (this.unacknowledged >= OUTPUT_WINDOW) return;
    const waiting = this.waiting;
    this.waiting = [];
    waiting.forEach((done) => done());
  }

  /** Sends what is pending, then the end of the invocation; the next one starts afresh. */
  public end(end: InvocationEnd): void {
    this.flush();
    this.link.post({ type: 'end', end });
    this.unacknowledged = 0;
    this.waiting = [];
  }

  private flush(): void {
    this.scheduled = false;
    if (this.pendingBytes === 0) return;
    // One array of the exact size: a pooled Buffer would send its whole pool.
    const joined = new Uint8Array(this.pendingBytes);
    let at = 0;
    for (const piece of this.pending) {
      joined.set(piece, at);
      at += piece.length;
    }
    this.pending = [];
    this.pendingBytes = 0;
    this.link.post(joined);
  }
}
