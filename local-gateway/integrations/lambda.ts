/**
 * The Lambda proxy integration: records the request, runs it in one of the function's execution
 * environments, reads the metadata prelude and hands status, headers and the payload to the relay.
 */
import { Readable } from 'stream';
import { InvocationOutput } from './lambda-output';
import { readPrelude, responseHead } from './prelude';
import { bufferedResponse } from './proxy-response';
import { ANSWERS, respond } from '../gateway-responses';
import type { ExecutionEnvironment } from '../lambda/environment';
import { restEvent } from '../lambda/event';
import { beforeTimeout, MAX_INVOCATION_PAYLOAD_BYTES } from '../lambda/limits';
import type { EnvironmentPool } from '../lambda/pool';
import type { LocalStreamingGatewayOptions } from '../options';
import { integrationTimeoutMs, Relay, RelayError } from '../relay';
import type { RequestContext } from '../request';

export async function invokeLambda(ctx: RequestContext, pool: EnvironmentPool, options: LocalStreamingGatewayOptions): Promise<void> {
  const route = ctx.route!;
  const request = ctx.record();
  // (a body under a sixth of the limit cannot make an event over it, even with every character escaped)
  const eventBytes = (request.body?.length ?? 0) > MAX_INVOCATION_PAYLOAD_BYTES / 6 ? Buffer.byteLength(JSON.stringify(restEvent(request))) : 0;
  if (eventBytes > MAX_INVOCATION_PAYLOAD_BYTES) {
    // (what API Gateway answers when Lambda refuses the event is *unverified*: 413 here, its answer to a body over 10 MB)
    ctx.log(`the Lambda event is ${eventBytes} bytes, over Lambda's invocation payload limit of ${MAX_INVOCATION_PAYLOAD_BYTES} bytes (RequestEntityTooLargeException): the function was not invoked`);
    respond(ctx, ANSWERS.requestTooLarge);
    return;
  }
  const waitStarted = Date.now();
  const environment = pool.takeWarm() ?? await waitForEnvironment(ctx, pool, integrationTimeoutMs(route, options));
  if (!environment) return;
  ctx.integrationStarted = Date.now();
  const output = new InvocationOutput(environment, pool);
  const relay = new Relay(ctx, options, () => output.destroy(), Date.now() - waitStarted);
  output.onActivity = () => relay.touch();
  environment.invoke(request, route.function!.timeoutSeconds * 1000, output);
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
    relay.fail(output.handlerKind !== 'classic' ? failure : new RelayError(failure.answer,
      `${failure.message}: the handler is not a streaming one; wrap it in awslambda.streamifyResponse() for this STREAM route, or serve it BUFFERED on the classic URI`));
  }
}

/**
 * Waits for an environment (a cold start, or all are busy) within the integration timeout, which
 * covers the whole invoke, init included: past it the request is answered 504 (undefined). A
 * client that leaves meanwhile is not invoked (undefined): one that closes its connection, or its
 * sending side (a FIN: `curl --max-time`, a browser's abort; a front end such as nginx takes a
 * client's FIN before its response as the client leaving, and so does the gateway, which cannot
 * tell it from a half-close without writing to the client).
 */
async function waitForEnvironment(ctx: RequestContext, pool: EnvironmentPool, timeoutMs: number): Promise<ExecutionEnvironment | undefined> {
  const socket = ctx.req.socket;
  let left!: () => void;
  const leaving = new Promise<'left'>((resolve) => (left = () => resolve('left')));
  if (socket.readableEnded) left();
  socket.once('end', left);
  ctx.onClose(left);
  const acquiring = pool.acquire();
  const environment = await beforeTimeout(Promise.race([acquiring, leaving]), timeoutMs);
  socket.off('end', left);
  if (environment && environment !== 'left' && !ctx.closed) return environment;
  void acquiring.then((late) => pool.release(late));
  if (environment === undefined) {
    ctx.log('no execution environment was ready within the integration timeout (a slow init, or requests ahead in line): the function was not invoked');
    if (!ctx.closed) respond(ctx, ANSWERS.integrationTimeout);
  } else {
    ctx.log('the client left before an execution environment was free: the function was not invoked');
    if (!ctx.closed) ctx.req.socket.destroy();
  }
  return undefined;
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
    relay.fail(new RelayError(ANSWERS.badGateway, (error as Error).message));
    return;
  }
  const response = bufferedResponse(Buffer.concat(chunks), output.handlerKind !== 'classic');
  if (!response.ok) {
    relay.fail(new RelayError(ANSWERS.badGateway, response.reason));
    return;
  }
  if (response.dropped.length > 0) relay.log(`dropped the framing header(s) ${response.dropped.join(', ')} of the function's result: the gateway frames the response itself`);
  relay.send(response.statusCode, response.headers, Readable.from([response.body], { objectMode: false }));
}
