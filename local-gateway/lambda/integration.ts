/**
 * The Lambda proxy integration: builds the REST proxy event, runs it in one of the function's
 * workers, reads the metadata prelude and hands status, headers and the payload to the relay.
 */
import { Readable } from 'stream';
import type { Lease } from './channel';
import { bufferedResponse } from './classic';
import { requestRecord } from './event';
import { beforeTimeout } from './execution';
import type { InvocationEnd } from './frames';
import { readPrelude, responseHead } from './prelude';
import type { InvocationSink, Worker, WorkerPool } from './workers';
import type { LocalStreamingGatewayOptions } from '../options';
import { integrationTimeoutMs, LendingBody, Relay, RelayError } from '../relay';
import type { RequestContext } from '../request';

/** Lent chunks (shared slots, channel.ts) one response may hold while they wait in its buffer. */
const LENT_CHUNKS_WAITING = 4;

/** Bytes of function output buffered before the worker's pipe is paused. */
const OUTPUT_HIGH_WATER_MARK = 256 * 1024;

export async function invokeLambda(ctx: RequestContext, pool: WorkerPool, options: LocalStreamingGatewayOptions): Promise<void> {
  const route = ctx.route!;
  const request = requestRecord(ctx);
  const waitStarted = Date.now();
  const worker = pool.takeWarm() ?? await waitForEnvironment(ctx, pool, integrationTimeoutMs(route, options));
  if (!worker) return;
  if (ctx.closed) {
    // The client left while its request waited for an environment (all were busy): not invoked.
    pool.release(worker);
    ctx.log('the client left before an execution environment was free: the function was not invoked');
    return;
  }
  ctx.integrationStarted = Date.now();
  const output = new InvocationOutput(worker, pool);
  const relay = new Relay(ctx, options, () => output.destroy(), Date.now() - waitStarted);
  output.onActivity = () => relay.touch();
  worker.invoke(request, route.function!.timeoutSeconds * 1000, output);
  if (route.lambdaUriKind === 'classic') {
    await relayClassic(relay, output);
    return;
  }
  try {
    const head = responseHead(await readPrelude(output));
    if (head.dropped.length > 0) ctx.log(`dropped the framing header(s) ${head.dropped.join(', ')} of the response metadata: the gateway frames the response itself`);
    relay.send(head.status, head.headers, output);
  } catch (error) {
    const failure = error instanceof RelayError ? error : RelayError.internal((error as Error).message);
    // A classic handler's JSON result has no metadata prelude: say what to change.
    relay.fail(output.handlerKind !== 'classic' ? failure : new RelayError(failure.status, failure.body,
      `${failure.message}: the handler is not a streaming one; wrap it in awslambda.streamifyResponse() for this STREAM route, or serve it BUFFERED on the classic URI`));
  }
}

/**
 * Waits for an environment (a cold start, or all are busy) within the integration timeout, which
 * covers the whole invoke, init included: past it the request is answered 504 (undefined).
 */
async function waitForEnvironment(ctx: RequestContext, pool: WorkerPool, timeoutMs: number): Promise<Worker | undefined> {
  const acquiring = pool.acquire();
  const stopProbing = probeWhileWaiting(ctx);
  const worker = await beforeTimeout(acquiring, timeoutMs);
  await stopProbing();
  if (worker) return worker;
  void acquiring.then((late) => pool.release(late));
  ctx.log('no execution environment was ready within the integration timeout (a slow init, or requests ahead in line): the function was not invoked');
  if (!ctx.closed) ctx.respond(504, { message: 'Endpoint request timed out' });
  return undefined;
}

/** How long a request waits for an environment before a client that closed is probed. */
const PROBE_AFTER_MS = 100;

/**
 * A client that closes its side (FIN) while its request waits for an environment has either
 * half-closed (it still reads, and gets its response) or left (`curl --max-time`, a browser's
 * abort); only writing tells them apart. So an HTTP/1.1 client that closed and still waits after
 * 100 ms is sent an interim `100 Continue`, which HTTP/1.1 clients must accept before a final
 * response, in two writes: a client that left resets the connection on the first, the second then
 * fails and the request closes (it is not invoked). Returns what stops the probe, resolving once a
 * probe under way has finished (so that no response bytes come between its writes).
 */
function probeWhileWaiting(ctx: RequestContext): () => Promise<void> {
  const socket = ctx.req.socket;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let probing: Promise<void> | undefined;
  const probe = () => {
    timer = setTimeout(() => (probing = sendProbe(ctx)), PROBE_AFTER_MS);
  };
  if (socket.readableEnded) probe();
  else socket.once('end', probe);
  return async () => {
    socket.off('end', probe);
    clearTimeout(timer);
    await probing;
  };
}

async function sendProbe(ctx: RequestContext): Promise<void> {
  const socket = ctx.res.socket; // set once this response is the connection's current one
  if (ctx.closed || ctx.res.headersSent || ctx.req.httpVersion !== '1.1' || !socket || socket.destroyed) return;
  const write = (text: string) => new Promise<void>((resolve) => socket.write(text, () => resolve()));
  await write('HTTP/1.1 100 Continue\r\n');
  await new Promise((resolve) => setTimeout(resolve, 20));
  if (!socket.destroyed) await write('\r\n');
  await new Promise((resolve) => setImmediate(resolve)); // (a failed write closes the request)
}

/**
 * The classic (buffered) invocation URI: API Gateway reads the whole result. A classic handler's
 * result is a proxy response; a streaming handler's output gets status and headers, no body. A
 * function that fails (throws, crashes or times out: Lambda reports all three as a function error)
 * or returns a malformed result is a 502, as API Gateway answers them (Lambda developer guide,
 * "Handling Lambda errors with an API Gateway API"); the integration timeout is the relay's 504.
 */
async function relayClassic(relay: Relay, output: InvocationOutput): Promise<void> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of output) chunks.push(chunk as Buffer);
  } catch (error) {
    relay.fail(new RelayError(502, { message: 'Internal server error' }, (error as Error).message));
    return;
  }
  const response = bufferedResponse(Buffer.concat(chunks), output.handlerKind !== 'classic');
  if (!response.ok) {
    relay.fail(new RelayError(502, { message: 'Internal server error' }, response.reason));
    return;
  }
  if (response.dropped.length > 0) relay.log(`dropped the framing header(s) ${response.dropped.join(', ')} of the function's result: the gateway frames the response itself`);
  relay.send(response.statusCode, response.headers, Readable.from([response.body], { objectMode: false }));
}

/**
 * One invocation's output as a readable stream: backpressure pauses the worker's pipe. It ends
 * when the invocation ended, or fails with why it did not. Once closed, the worker goes back to
 * its pool (after a complete invocation) or is killed (the request was cut short).
 */
class InvocationOutput extends Readable implements InvocationSink, LendingBody {
  public onActivity?: () => void;
  /** The leases of lent chunks in this stream's buffer, until the relay takes them. */
  private readonly leases = new Map<Buffer, Lease>();
  private lending = false;
  private end?: InvocationEnd;

  /** The kind of handler that ran (known at the end). */
  public get handlerKind(): InvocationEnd['handler'] {
    return this.end?.handler;
  }

  constructor(private readonly worker: Worker, pool: WorkerPool) {
    super({ highWaterMark: OUTPUT_HIGH_WATER_MARK });
    // The invocation may fail between two readers: after the prelude reader let go, before the
    // relay listens (a thread that ends as it sends its metadata). The error must not end the
    // gateway's process; the relay finds it on `errored` (relay.ts `send`).
    this.on('error', () => undefined);
    this.once('close', () => {
      // What the relay never took (the request was cut short) is not read any more.
      this.leases.forEach((lease) => lease.release());
      this.leases.clear();
      if (this.end?.outcome === 'ended' && worker.alive) {
        worker.resume();
        pool.release(worker);
      } else {
        pool.discard(worker);
      }
    });
  }

  public onData(chunk: Buffer, lease?: Lease): void {
    if (this.destroyed) {
      lease?.release();
      return;
    }
    this.onActivity?.();
    if (lease && this.lending && chunk.length > 0 && this.leases.size < LENT_CHUNKS_WAITING) {
      this.leases.set(chunk, lease);
    } else if (lease) {
      // Not for the streaming relay (the prelude, a buffered response), or a client that does not
      // keep up (a stalled one would hold its thread's slots): a copy, and the slot is free.
      chunk = Buffer.from(chunk);
      lease.release();
    }
    if (!this.push(chunk)) this.worker.pause();
  }

  public startLending(): void {
    this.lending = true;
  }

  public takeLease(chunk: Buffer): Lease | undefined {
    const lease = this.leases.get(chunk);
    this.leases.delete(chunk);
    return lease;
  }

  public onEnd(end: InvocationEnd): void {
    if (this.destroyed) return;
    this.end = end;
    if (end.outcome === 'ended') {
      this.push(null);
    } else if (end.outcome === 'timeout') {
      this.destroy(RelayError.timeout('the function timed out'));
    } else {
      this.destroy(RelayError.internal(`the function failed: ${end.error?.errorType}: ${end.error?.errorMessage}${threadHint(end.error?.errorMessage)}`));
    }
  }

  public _read(): void {
    this.worker.resume();
  }
}

/**
 * Node refuses a few process operations in worker threads (`process.chdir()`, `process.umask()`
 * with a mask, ...) that Lambda's runtime allows: a failure that says so gets how to serve such a
 * function.
 */
export function threadHint(message = ''): string {
  return /is not supported in workers$/.test(message)
    ? ' (Node does not allow this in a worker thread, where the gateway runs functions unless told otherwise; serve with --isolation process)'
    : '';
}
