/**
 * The route of a web app behind the Lambda Web Adapter: the app is started on first use (a cold
 * start), then the request goes to it over HTTP as the adapter sends it (the path within the API,
 * no stage) and its response is relayed like any HTTP proxy response.
 */
import { ANSWERS, respond } from '../gateway-responses';
import { proxyHttp } from './http-proxy';
import { requestContext } from '../lambda/event';
import type { LocalStreamingGatewayOptions } from '../options';
import type { RequestContext } from '../request';
import type { WebApps } from '../web-app/adapter';

export async function proxyWebApp(ctx: RequestContext, options: LocalStreamingGatewayOptions, apps: WebApps): Promise<void> {
  const route = ctx.route!;
  let base: string;
  try {
    const app = await apps.begin(route.webApp!);
    ctx.onClose(app.done);
    base = app.url;
  } catch (error) {
    ctx.log(`the web app did not start: ${(error as Error).message}`);
    respond(ctx, ANSWERS.badGateway);
    return;
  }
  // As the adapter does: API Gateway's request context as a JSON header (ASCII-only, so any
  // character survives as a JSON escape).
  ctx.req.headers['x-amzn-request-context'] = JSON.stringify(requestContext(ctx.record(Buffer.alloc(0))))
    .replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  ctx.req.headers['x-amzn-request-id'] = ctx.requestId;
  // The function's timeout bounds the app's answer, as Lambda bounds the adapter's invocation.
  const functionTimeoutMs = (route.function?.timeoutSeconds ?? Infinity) * 1000;
  ctx.route = { ...route, url: `${base}${ctx.apiPath}`, timeoutMs: Math.min(route.timeoutMs, functionTimeoutMs) };
  proxyHttp(ctx, { ...options, backends: {} });
}
