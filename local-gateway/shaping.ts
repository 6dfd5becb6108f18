/**
 * API Gateway's bandwidth shaping of a streamed response: the first 10 MB go unthrottled, then
 * 2 MB/s from the moment they were used up. The relay asks how many bytes it may send now.
 */
import type { LocalStreamingGatewayOptions } from './options';
import { SHAPING_BYTES_PER_SECOND, SHAPING_FREE_BYTES } from '../wire/limits';

/** How often the relay sends what shaping allows (2 MB/s: about 100 KB a slice). */
export const SLICE_MS = 50;

export class Shaping {
  private readonly free: number;
  private readonly rate: number;
  private readonly off: boolean;
  private started?: number;

  constructor(options: Pick<LocalStreamingGatewayOptions, 'shaping' | 'shapingFreeBytes' | 'shapingBytesPerSecond'>) {
    this.off = options.shaping === false;
    this.free = options.shapingFreeBytes ?? SHAPING_FREE_BYTES;
    this.rate = options.shapingBytesPerSecond ?? SHAPING_BYTES_PER_SECOND;
  }

  /** How many more bytes may go now, when `sent` have gone. */
  public allowance(sent: number): number {
    if (this.off) return Infinity;
    const shapedMs = this.started === undefined ? 0 : Date.now() - this.started;
    const left = Math.floor(this.free + (shapedMs / 1000) * this.rate - sent);
    if (left <= 0) this.started ??= Date.now();
    return Math.max(0, left);
  }
}
