/**
 * A function worker: a child process that loads one Lambda function's handler, like a warm Lambda
 * sandbox, and runs one invocation at a time in the Lambda runtime stand-in. Response bytes go to
 * the gateway on file descriptor 3, framed (see frames.ts); invocations arrive over IPC.
 */
import * as net from 'net';
import * as path from 'path';
import { Writable } from 'stream';
import { invokeClassic } from './classic';
import { createContext, installAwsLambda, invoke } from './emulator';
import { FRAME_DATA, FRAME_END, frameHeader } from './frames';
import { loadHandler, LoadedHandler } from './loader';

interface InvokeMessage {
  readonly type: 'invoke';
  readonly event: unknown;
  readonly timeoutMs: number;
}

const out = new net.Socket({ fd: 3, readable: false, writable: true });

/** Sends one frame whose payload is `pieces` back to back (no copy: the socket gathers them). */
function send(type: number, ...pieces: Uint8Array[]): Promise<void> {
  const length = pieces.reduce((n, p) => n + p.length, 0);
  out.cork();
  out.write(frameHeader(type, length));
  let room = true;
  for (const piece of pieces) room = out.write(piece);
  out.uncork();
  return room ? Promise.resolve() : new Promise((resolve) => out.once('drain', () => resolve()));
}

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

process.on('message', (message: InvokeMessage) => {
  if (message?.type !== 'invoke') return;
  void (async () => {
    const loaded = await loading;
    if (!loaded.handler) {
      await send(FRAME_END, Buffer.from(JSON.stringify({ outcome: 'error', error: { errorType: loaded.error!.name, errorMessage: loaded.error!.message } })));
      return;
    }
    const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'local-function';
    if (!loaded.handler.streaming) {
      // A classic handler: its result (JSON) is the invocation's payload.
      const context = createContext(message.timeoutMs, { functionName });
      const classic = await invokeClassic(loaded.handler.handler, message.event, context, message.timeoutMs);
      if (classic.payload) await send(FRAME_DATA, classic.payload);
      await send(FRAME_END, Buffer.from(JSON.stringify({ outcome: classic.outcome, error: classic.error, handler: 'classic' })));
      return;
    }
    // The stand-in's response stream keeps Lambda's 16 KiB high-water mark; this pipe to the
    // gateway only needs to keep up.
    const sink = new Writable({
      highWaterMark: 256 * 1024,
      write(chunk: Buffer, _encoding, callback) {
        send(FRAME_DATA, chunk).then(() => callback(), callback);
      },
      // What the handler wrote while the pipe was busy goes as one frame: fewer, larger frames.
      writev(chunks, callback) {
        send(FRAME_DATA, ...chunks.map((c) => c.chunk as Buffer)).then(() => callback(), callback);
      },
    });
    let result;
    try {
      result = await invoke(loaded.handler.handler as any, message.event, { sink, timeoutMs: message.timeoutMs, context: { functionName } });
    } catch (error) {
      result = { outcome: 'error', error: { errorType: (error as Error).name, errorMessage: (error as Error).message } };
    }
    await new Promise<void>((resolve) => (sink.writableFinished || sink.destroyed ? resolve() : sink.end(() => resolve())));
    await send(FRAME_END, Buffer.from(JSON.stringify({ outcome: result.outcome, error: result.error, handler: 'streaming' })));
  })();
});

void loading.then((loaded) => process.send?.({ type: 'ready', error: loaded.error?.message }));
