/**
 * The framing between the gateway and its function workers on the response pipe: each frame is
 * a 1-byte type, a 4-byte big-endian length and the payload. DATA frames carry response bytes as
 * the handler writes them; one END frame closes each invocation.
 */
export const FRAME_DATA = 1;
export const FRAME_END = 2;
const HEADER = 5;

/** How an invocation ended (the END frame's JSON payload). */
export interface InvocationEnd {
  readonly outcome: 'ended' | 'error' | 'timeout';
  readonly error?: { errorType: string; errorMessage: string };
}

export function encodeFrame(type: number, payload: Uint8Array): Buffer[] {
  const header = Buffer.alloc(HEADER);
  header.writeUInt8(type, 0);
  header.writeUInt32BE(payload.length, 1);
  return [header, Buffer.from(payload.buffer, payload.byteOffset, payload.length)];
}

/** Splits a byte stream into frames; `onFrame` gets each whole frame in order. */
export class FrameParser {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly onFrame: (type: number, payload: Buffer) => void) {}

  public push(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    while (this.pendingBytes >= HEADER) {
      const head = this.peek(HEADER);
      const length = head.readUInt32BE(1);
      if (this.pendingBytes < HEADER + length) return;
      const frame = this.take(HEADER + length);
      this.onFrame(frame.readUInt8(0), frame.subarray(HEADER));
    }
  }

  private peek(n: number): Buffer {
    if (this.pending[0].length >= n) return this.pending[0].subarray(0, n);
    const joined = Buffer.concat(this.pending);
    this.pending = [joined];
    return joined.subarray(0, n);
  }

  private take(n: number): Buffer {
    const first = this.pending[0];
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.pending.shift();
      else this.pending[0] = first.subarray(n);
    } else {
      const joined = Buffer.concat(this.pending);
      out = joined.subarray(0, n);
      this.pending = joined.length > n ? [joined.subarray(n)] : [];
    }
    this.pendingBytes -= n;
    return out;
  }
}
