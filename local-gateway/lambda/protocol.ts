/**
 * The messages between the gateway and an execution environment's sandbox (a worker thread or a
 * child process), in both directions. Response bytes travel as plain byte arrays; everything else
 * as the objects below. The sandbox may have `OUTPUT_WINDOW` bytes sent and not yet acknowledged:
 * past it the handler's writes wait, so a slow client slows its handler (backpressure) and a
 * stalled gateway holds the writes back instead of queueing them without bound.
 */
import type { RequestRecord } from './event';
import type { InvocationEnd } from './outcome';

/** Bytes a sandbox may send before the gateway acknowledges them. */
export const OUTPUT_WINDOW = 1024 * 1024;

/** From the gateway. */
export type ToSandbox =
  /** An invocation: the proxy event is built from `request`, unless `event` is given (an authorizer's). */
  | { readonly type: 'invoke'; readonly request: RequestRecord; readonly timeoutMs: number; readonly event?: unknown }
  /** `bytes` of output were consumed: that much more may be sent. */
  | { readonly type: 'ack'; readonly bytes: number }
  /** The gateway read the sandbox's memory over its bound: collect garbage, then answer. */
  | { readonly type: 'collect' };

/** From the sandbox (response bytes come as `Uint8Array`s). */
export type FromSandbox =
  /** Init is over (the handler loaded, or failed to: the first invocation reports it). */
  | { readonly type: 'ready' }
  | { readonly type: 'end'; readonly end: InvocationEnd }
  /** A full collection ran (`collect`); `over` when what survived it is still past the bound. */
  | { readonly type: 'collected'; readonly over: boolean }
  /** A handler signalled its own sandbox: it ends next (outcome.ts `signalled`). */
  | { readonly type: 'signal'; readonly signal: string }
  /** What a sandbox thread printed (sandbox/printed.ts). */
  | { readonly type: 'printed'; readonly stream: 'stdout' | 'stderr'; readonly chunk: Uint8Array };

/** True for a message of the sandbox's own kinds. */
export function isFromSandbox(message: unknown): message is FromSandbox {
  const type = (message as { type?: unknown } | null)?.type;
  return typeof message === 'object' && message !== null && ['ready', 'end', 'collected', 'signal', 'printed'].includes(type as string);
}
