/**
 * One invocation inside the sandbox: the proxy event built from the gateway's record of the
 * request, the handler run as the runtime runs it (`invoke.ts`), its bytes sent as written.
 */
import { createContext, invoke, invokeClassic } from './invoke';
import type { LoadedHandler } from './loader';
import type { Output } from './output';
import { restEvent } from '../event';
import { failed, functionError, InvocationEnd } from '../outcome';
import type { ToSandbox } from '../protocol';

/** The handler, or why its init failed (every invocation of the environment reports it). */
export type Init = { readonly handler: LoadedHandler } | { readonly error: Error };

export async function runInvocation(init: Init, message: Extract<ToSandbox, { type: 'invoke' }>, output: Output): Promise<void> {
  output.end(await run(init, message, output));
}

async function run(init: Init, message: Extract<ToSandbox, { type: 'invoke' }>, output: Output): Promise<InvocationEnd> {
  const { request, timeoutMs } = message;
  if ('error' in init) return failed(functionError(init.error));
  const context = { functionName: process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'local-function' };
  const event = message.event ?? restEvent(request);
  const { handler } = init;
  if (!handler.streaming) {
    const classic = await invokeClassic(handler.handler, event, createContext(timeoutMs, context), timeoutMs);
    if (classic.payload) await new Promise<void>((resolve) => output.write([classic.payload!], resolve));
    return { outcome: classic.outcome, error: classic.error, handler: 'classic' };
  }
  // The response stream (Lambda's 16 KiB high-water mark) writes straight to the output.
  const sink = { write: (chunk: Buffer, done: () => void) => output.write([chunk], done) };
  try {
    const result = await invoke(handler.handler as any, event, { sink, timeoutMs, context });
    return { outcome: result.outcome, error: result.error, handler: 'streaming' };
  } catch (error) {
    return { ...failed(functionError(error)), handler: 'streaming' };
  }
}
