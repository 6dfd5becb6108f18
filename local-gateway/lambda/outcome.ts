/**
 * How an invocation ended, and the errors Lambda reports for each way an execution environment
 * can fail: the one home of those names and messages, for the sandbox and the gateway alike.
 */

/** An error as the Lambda runtime reports it (its error trailers, its logs). */
export interface FunctionError {
  readonly errorType: string;
  readonly errorMessage: string;
}

/** How an invocation ended (sent by the sandbox, or decided by the gateway when it ended one). */
export interface InvocationEnd {
  readonly outcome: 'ended' | 'error' | 'timeout';
  readonly error?: FunctionError;
  /** The handler's kind: `streaming` (`streamifyResponse`) or `classic` (its result is the payload). */
  readonly handler?: 'streaming' | 'classic';
}

/** True for an `InvocationEnd` (what a sandbox posts is checked before it is believed). */
export function isInvocationEnd(value: unknown): value is InvocationEnd {
  const end = value as InvocationEnd | null | undefined;
  if (typeof end !== 'object' || end === null || !['ended', 'error', 'timeout'].includes(end.outcome)) return false;
  return end.error === undefined || (typeof end.error === 'object' && end.error !== null
    && typeof end.error.errorType === 'string' && typeof end.error.errorMessage === 'string');
}

/** An error of any kind as the runtime reports it (`errorType` is the error's name). */
export function functionError(error: unknown): FunctionError {
  return error instanceof Error
    ? { errorType: error.name, errorMessage: error.message }
    : { errorType: typeof error, errorMessage: String(error) };
}

/** A failed invocation. */
export function failed(error: FunctionError): InvocationEnd {
  return { outcome: 'error', error };
}

/** The function timeout passed (Lambda's `Sandbox.Timedout`). */
export function timedOut(timeoutMs: number, detail = ''): InvocationEnd {
  return { outcome: 'timeout', error: { errorType: 'Sandbox.Timedout', errorMessage: `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds${detail}` } };
}

/** The function's init did not finish within the time it had. */
export function initTimedOut(timeoutMs: number): InvocationEnd {
  return timedOut(timeoutMs, ' (the function\'s init did not finish)');
}

/** The environment used more than its `memorySize`. */
export function outOfMemory(memoryMb: number): InvocationEnd {
  return failed({ errorType: 'Runtime.OutOfMemory', errorMessage: `Runtime exited with error: the function used more than its ${memoryMb} MB` });
}

/** The environment ended (exited, crashed, was signalled). */
export function exited(detail: string): InvocationEnd {
  return failed({ errorType: 'Runtime.ExitError', errorMessage: `Runtime exited: ${detail}` });
}

/** Why an environment ended whose handler signalled its own sandbox (sandbox/signals.ts). */
export function signalled(signal: string): string {
  return `a handler sent ${signal} to its own sandbox (on Lambda that ends the function's sandbox): its environment ended`;
}

/** A streaming handler that returned no promise (the runtime's own message). */
export const NON_ASYNC_STREAMING = { errorType: 'Runtime.NonAsyncStreamingHandler', errorMessage: 'Streaming does not support non-async handlers.' };
