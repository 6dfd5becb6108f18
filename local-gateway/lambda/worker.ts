/**
 * A function worker: a worker thread or child process that loads one Lambda function's handler,
 * like a warm Lambda sandbox, and runs one invocation at a time in the Lambda runtime stand-in.
 * Invocations arrive and response bytes leave through its channel to the gateway (channel.ts).
 */
import * as path from 'path';
import { Writable } from 'stream';
import { openChannel } from './channel';
import { invokeClassic } from './classic';
import { createContext, installAwsLambda, invoke } from './emulator';
import { loadHandler, LoadedHandler } from './loader';

const channel = openChannel();

/** Loading the handler is the environment's init phase (ES modules and top-level await included). */
const loading: Promise<{ handler?: LoadedHandler; error?: Error }> = (async () => {
  installAwsLambda();
  try {
    const searchDirs = (process.env.LOCAL_GATEWAY_SEARCH_DIRS ?? '').split(path.delimiter).filter(Boolean);
    return { handler: await loadHandler(process.env.LOCAL_GATEWAY_CODE_DIR!, process.env.LOCAL_GATEWAY_HANDLER ?? 'index.handler', { searchDirs }) };
  } catch (error) {
    return { error: error as Error };
  }
})();

channel.onInvoke((message) => {
  void (async () => {
    const loaded = await loading;
    if (!loaded.handler) {
      await channel.end({ outcome: 'error', error: { errorType: loaded.error!.name, errorMessage: loaded.error!.message } });
      return;
    }
    const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'local-function';
    if (!loaded.handler.streaming) {
      // A classic handler: its result (JSON) is the invocation's payload.
      const context = createContext(message.timeoutMs, { functionName });
      const classic = await invokeClassic(loaded.handler.handler, message.event, context, message.timeoutMs);
      if (classic.payload) await new Promise<void>((resolve) => channel.data([classic.payload!], resolve));
      await channel.end({ outcome: classic.outcome, error: classic.error, handler: 'classic' });
      return;
    }
    // The stand-in's response stream keeps Lambda's 16 KiB high-water mark; this pipe to the
    // gateway only needs to keep up.
    const sink = new Writable({
      highWaterMark: 256 * 1024,
      write(chunk: Buffer, _encoding, callback) {
        channel.data([chunk], callback);
      },
      // What the handler wrote while the pipe was busy goes as one frame: fewer, larger frames.
      writev(chunks, callback) {
        channel.data(chunks.map((c) => c.chunk as Buffer), callback);
      },
    });
    let result;
    try {
      result = await invoke(loaded.handler.handler as any, message.event, { sink, timeoutMs: message.timeoutMs, context: { functionName } });
    } catch (error) {
      result = { outcome: 'error', error: { errorType: (error as Error).name, errorMessage: (error as Error).message } };
    }
    await new Promise<void>((resolve) => (sink.writableFinished || sink.destroyed ? resolve() : sink.end(() => resolve())));
    await channel.end({ outcome: result.outcome as 'ended' | 'error' | 'timeout', error: result.error, handler: 'streaming' });
  })();
});

void loading.then(() => channel.ready());
