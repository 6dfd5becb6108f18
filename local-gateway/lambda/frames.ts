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
  /** The handler's kind: `streaming` (`streamifyResponse`) or `classic` (its result is the payload). */
  readonly handler?: 'streaming' | 'classic';
}

/** True for an `InvocationEnd` (a message on a thread's port may come from a handler's code). */
export function isInvocationEnd(value: unknown): value is InvocationEnd {
  const end = value as InvocationEnd | null | undefined;
  if (typeof end !== 'object' || end === null || !['ended', 'error', 'timeout'].includes(end.outcome)) return false;
  return end.error === undefined || (typeof end.error === 'object' && end.error !== null
    && typeof end.error.errorType === 'string' && typeof end.error.errorMessage === 'string');
}

/** The 5-byte header of a frame of `type` with a payload of `length` bytes. */
export function frameHeader(type: number, length: number): Buffer {
  const header = Buffer.alloc(HEADER);
  header.writeUInt8(type, 0);
  header.writeUInt32BE(length, 1);
  return header;
}

/**
 * Splits a byte stream into frames. DATA payloads are handed on piece by piece as they arrive
 * (no copy, no waiting for the whole frame); other frames are delivered whole.
 */
export class FrameParser {
  private header = Buffer.alloc(0);
  private type = 0;
  private remaining = 0;
  private control: Buffer[] = [];

  constructor(
    private readonly onData: (piece: Buffer) => void,
    private readonly onFrame: (type: number, payload: Buffer) => void,
  ) {}

  public push(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.remaining === 0 && this.type === 0) {
        const need = HEADER - this.header.length;
        this.header = Buffer.concat([this.header, chunk.subarray(offset, offset + need)]);
        offset += Math.min(need, chunk.length - offset);
        if (this.header.length < HEADER) return;
        this.type = this.header.readUInt8(0);
        this.remaining = this.header.readUInt32BE(1);
        this.header = Buffer.alloc(0);
        if (this.remaining === 0) this.finishFrame();
        continue;
      }
      const take = Math.min(this.remaining, chunk.length - offset);
      const piece = chunk.subarray(offset, offset + take);
      offset += take;
      this.remaining -= take;
      if (this.type === FRAME_DATA) this.onData(piece);
      else this.control.push(piece);
      if (this.remaining === 0) this.finishFrame();
    }
  }

  private finishFrame(): void {
    const type = this.type;
    this.type = 0;
    if (type !== FRAME_DATA) {
      const payload = Buffer.concat(this.control);
      this.control = [];
      this.onFrame(type, payload);
    }
  }
}
