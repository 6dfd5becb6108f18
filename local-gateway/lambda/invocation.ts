/**
 * One invocation inside an execution environment, as the Lambda Node.js runtime runs it: a
 * classic handler's result is the payload; a streaming handler writes to a response stream whose
 * bytes go to the gateway as they are written.
 */
import { Writable } from 'stream';
import type { InvokeMessage } from './channel';
import { invokeClassic } from './classic';
import { createContext, invoke } from './emulator';
import { restEvent } from './event';
import type { InvocationEnd } from './frames';
import type { LoadedHandler } from './loader';

/** Where one invocation's output goes. */
export interface InvocationOutlet {
  /** Sends response bytes; `done` is called when more may be sent (backpressure). */
  data(pieces: Uint8Array[], done: () => void): void;
  /** Ends the invocation. */
  end(end: InvocationEnd): Promise<void>;
}

export async function runInvocation(
  loading: Promise<{ handler?: LoadedHandler; error?: Error }>,
  message: InvokeMessage,
  out: InvocationOutlet,
  onSink?: (sink: Writable) => void,
): Promise<void> {
  const loaded = await loading;
  if (!loaded.handler) {
    await out.end({ outcome: 'error', error: { errorType: loaded.error!.name, errorMessage: loaded.error!.message } });
    return;
  }
  const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'local-function';
  const event = restEvent(message.request);
  if (!loaded.handler.streaming) {
    // A classic handler: its result (JSON) is the invocation's payload.
    const context = createContext(message.timeoutMs, { functionName });
    const classic = await invokeClassic(loaded.handler.handler, event, context, message.timeoutMs);
    if (classic.payload) await new Promise<void>((resolve) => out.data([classic.payload!], resolve));
    await out.end({ outcome: classic.outcome, error: classic.error, handler: 'classic' });
    return;
  }
  // The stand-in's response stream keeps Lambda's 16 KiB high-water mark; this pipe to the
  // gateway only needs to keep up.
  const sink = new Writable({
    highWaterMark: 256 * 1024,
    write(chunk: Buffer, _encoding, callback) {
      out.data([chunk], callback);
    },
    // What the handler wrote while the pipe was busy goes as one batch.
    writev(chunks, callback) {
      out.data(chunks.map((c) => c.chunk as Buffer), callback);
    },
  });
  onSink?.(sink);
  let result;
  try {
    result = await invoke(loaded.handler.handler as any, event, { sink, timeoutMs: message.timeoutMs, context: { functionName } });
  } catch (error) {
    result = { outcome: 'error', error: { errorType: (error as Error).name, errorMessage: (error as Error).message } };
  }
  await new Promise<void>((resolve) => (sink.writableFinished || sink.destroyed ? resolve() : sink.end(() => resolve())));
  await out.end({ outcome: result.outcome as 'ended' | 'error' | 'timeout', error: result.error, handler: 'streaming' });
}
