/**
 * The HTTP proxy integration: forwards the request to the route's backend (or its `--backend`
 * replacement) and relays the backend's response as it arrives.
 */
import * as http from 'http';
import * as https from 'https';
import { ANSWERS, respond } from '../gateway-responses';
import type { LocalStreamingGatewayOptions } from '../options';
import { Relay, RelayError } from '../relay';
import type { RequestContext } from '../request';

/** Headers that belong to one connection, not to the request or response passed on. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer', 'host', 'content-length']);

export function proxyHttp(ctx: RequestContext, options: LocalStreamingGatewayOptions): void {
  const targetUrl = backendUrl(ctx, options.backends ?? {});
  if (!targetUrl) {
    ctx.log('a path parameter would leave the backend\'s base path: answered 400');
    respond(ctx, ANSWERS.invalidPath);
    return;
  }
  const headers = endToEnd(ctx.req.headers);
  if (ctx.body.length > 0) headers['content-length'] = String(ctx.body.length);
  ctx.integrationStarted = Date.now();
  const client = targetUrl.protocol === 'https:' ? https : http;
  let upstream: http.ClientRequest;
  const relay = new Relay(ctx, options, () => upstream.destroy());
  let responded = false;
  const send = (fresh: boolean) => {
    // A retry goes on a connection of its own (`agent: false`), never on another kept one.
    upstream = client.request(targetUrl, { method: ctx.req.method, headers, ...(fresh ? { agent: false } : {}) });
    upstream.on('response', (response) => {
      responded = true;
      const status = response.statusCode ?? 0;
      if (status < 200 || status > 599) {
        // Node's client reads any three digits; no client can be answered 600 or over.
        response.destroy();
        relay.fail(new RelayError(ANSWERS.badGateway, `backend ${targetUrl.origin} answered status ${status}, not 200..599`));
        return;
      }
      response.on('data', () => relay.touch());
      relay.send(status, endToEnd(response.headers), response);
    });
    // A backend that switches protocols (101) ends the HTTP exchange: nothing to relay.
    upstream.on('upgrade', (response, socket) => {
      responded = true;
      socket.destroy();
      relay.fail(new RelayError(ANSWERS.badGateway, `backend ${targetUrl.origin} answered ${response.statusCode} (switching protocols), which an HTTP proxy integration does not relay`));
    });
    const request = upstream;
    upstream.on('error', (error) => {
      if (responded || request !== upstream) return; // the relay's pipeline reports it
      // A kept-alive connection the backend closed while it sat idle (a server that closes after
      // each answer without `Connection: close`, or one whose keep-alive timeout just passed)
      // fails before any answer: the request never reached the backend, so it is sent again once.
      if (!fresh && request.reusedSocket && isClosedConnection(error)) {
        send(true);
        return;
      }
      relay.fail(new RelayError(ANSWERS.badGateway, `backend ${targetUrl.origin} failed: ${error.message}`));
    });
    upstream.end(ctx.body);
  };
  send(false);
}

function isClosedConnection(error: Error): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ECONNRESET' || code === 'EPIPE';
}

/**
 * The backend URL: the route's URL with path parameters filled in, encoded (a greedy `{name+}`
 * value segment by segment, its slashes kept), the client's query string appended as sent;
 * undefined when the result would leave the backend's base path (the URL's path before its first
 * parameter).
 */
function backendUrl(ctx: RequestContext, backends: Record<string, string>): URL | undefined {
  const template = ctx.route!.url!;
  let target = template;
  for (const [name, value] of Object.entries(ctx.pathParameters ?? {})) {
    const segments = value.split('/').map(encodeURIComponent).join('/');
    // split/join, not String.replace: a value's `$&` or `$1` is text, not a replacement pattern.
    target = target.split(`{${name}+}`).join(segments).split(`{${name}}`).join(name === 'proxy' ? segments : encodeURIComponent(value));
  }
  const brace = template.indexOf('{');
  if (brace >= 0) {
    const base = new URL(template.slice(0, brace)).pathname;
    const resolved = new URL(target).pathname;
    const dotSegment = /(^|\/)(\.|%2e){1,2}(\/|$)/i.test(target.slice(brace));
    if (dotSegment || !resolved.startsWith(base)) return undefined;
  }
  for (const [from, to] of Object.entries(backends)) {
    if (target.startsWith(from)) target = to + target.slice(from.length);
  }
  const url = new URL(target);
  // The client's query string goes on as sent (`a%20b` stays, `?flag` keeps no `=`), after the URL's own.
  const query = ctx.url.search.slice(1);
  if (query) url.search = url.search ? `${url.search.slice(1)}&${query}` : query;
  return url;
}

function endToEnd(headers: http.IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}
