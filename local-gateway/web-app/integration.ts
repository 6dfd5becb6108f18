/**
 * The route of a web app behind the Lambda Web Adapter: the app is started on first use (a cold
 * start), then the request goes to it over HTTP as the adapter sends it (the path within the API,
 * no stage) and its response is relayed like any HTTP proxy response.
 */
import type { WebApps } from './adapter';
import { proxyHttp } from '../http/proxy';
import type { LocalStreamingGatewayOptions } from '../options';
import type { RequestContext } from '../request';

export async function proxyWebApp(ctx: RequestContext, options: LocalStreamingGatewayOptions, apps: WebApps): Promise<void> {
  const route = ctx.route!;
  let base: string;
  try {
    base = await apps.url(route.webApp!);
  } catch (error) {
    ctx.log(`the web app did not start: ${(error as Error).message}`);
    ctx.respond(502, { message: 'Internal server error' });
    return;
  }
  ctx.route = { ...route, url: `${base}${ctx.apiPath}` };
  proxyHttp(ctx, { ...options, backends: {} });
}
