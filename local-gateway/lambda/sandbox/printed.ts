/**
 * What a sandbox thread prints (`process.stdout`, `process.stderr`, so `console`), sent to the
 * gateway on its link as it is written, as the Lambda runtime takes a function's log lines. A
 * worker thread's own stdio streams wait, after each write, for the gateway's thread to ask for
 * more: a sandbox frozen right after its invocation never hears it, and all it printed after its
 * first write would stay in the thread.
 */
import type { GatewayLink } from './link';

type Done = (error?: Error | null) => void;

export function sendPrinted(link: GatewayLink): void {
  for (const stream of ['stdout', 'stderr'] as const) {
    const write = (chunk: string | Uint8Array, encoding?: BufferEncoding | Done, callback?: Done) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? encoding : 'utf8') : chunk;
      // (a copy of its own: a pooled Buffer would send its whole pool)
      link.post({ type: 'printed', stream, chunk: Uint8Array.from(bytes) });
      const done = typeof encoding === 'function' ? encoding : callback;
      if (done) queueMicrotask(() => done(null));
      return true;
    };
    process[stream].write = write as typeof process.stdout.write;
  }
}
