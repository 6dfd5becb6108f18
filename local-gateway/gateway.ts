/**
 * The local streaming gateway: serves the REST API methods of a synthesized cloud assembly on
 * localhost the way API Gateway does with response streaming. This file is the server and its
 * lifecycle; a request goes router → integration (`lambda/` or `http/`) → relay → access log.
 */
import * as http from 'http';
import type { AddressInfo } from 'net';
import { accessLogEntry } from './access-log';
import { readAssembly, Route } from './assembly';
import { allowedHosts, hostAllowed, isLoopback } from './host-check';
import { proxyHttp } from './http/proxy';
import { functionsTz, timeZoneNote } from './lambda/environment';
import { invokeLambda } from './lambda/integration';
import { ThreadStandby } from './lambda/standby';
import { resolveWorkerScript, sharedThreadHeapMb, threadCapacity, WorkerPool, WorkerPoolOptions } from './lambda/workers';
import type { LocalStreamingGatewayOptions } from './options';
import { readBody, RequestContext } from './request';
import { matchRoute } from './router';
import { WebApps } from './web-app/adapter';
import { proxyWebApp } from './web-app/integration';
import { MAX_REQUEST_BODY_BYTES, MAX_REQUEST_HEAD_BYTES } from '../wire/limits';

export type { AccessLogEntry } from './access-log';
export type { LocalStreamingGatewayOptions } from './options';
export { matchRoute } from './router';
export type { RouteMatch } from './router';

/**
 * Most environments per function by default: environments on shared threads cost their modules
 * (a few hundred KB for a small handler, tens of MB with an SDK client), so 200 streams at once
 * run without queueing; a thread (~9 MB) or a process (~40 MB) each is dearer.
 */
const DEFAULT_MAX_ENVIRONMENTS = { shared: 200, thread: 10, process: 10 } as const;
const DEFAULT_IDLE_ENVIRONMENT_MS = 5 * 60_000;

/** Node's header bound counts no line ends: this much over API Gateway's limit covers them. */
const HEAD_SLACK_BYTES = 1024;

/** A declared body over API Gateway's 10 MB. */
function tooLong(req: http.IncomingMessage): boolean {
  return Number(req.headers['content-length'] ?? 0) > MAX_REQUEST_BODY_BYTES;
}

/** How many `Host` headers a request has (more than one is a 400, RFC 9112 3.2). */
function hostHeaders(req: http.IncomingMessage): number {
  let count = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i].length === 4 && req.rawHeaders[i].toLowerCase() === 'host') count++;
  return count;
}

/** The request line and header lines as sent, line ends included (`name: value` as Node read them). */
function headBytes(req: http.IncomingMessage): number {
  // (Node reads a head as Latin-1: a string's length is its bytes)
  let bytes = `${req.method} ${req.url} HTTP/${req.httpVersion}\r\n`.length;
  for (let i = 0; i < req.rawHeaders.length; i += 2) bytes += req.rawHeaders[i].length + 2 + req.rawHeaders[i + 1].length + 2;
  return bytes;
}

export class LocalStreamingGateway {
  /** A gateway for every REST API method of the cloud assembly in `dir`. */
  public static fromAssembly(dir: string, options: Omit<LocalStreamingGatewayOptions, 'routes'> = {}): LocalStreamingGateway {
    return new LocalStreamingGateway({ ...options, routes: readAssembly(dir) });
  }

  /** The routes served (replaced by `reload()`). */
  public routes: readonly Route[];
  private readonly server: http.Server;
  private readonly pools = new Map<string, WorkerPool>();
  private readonly webApps: WebApps;
  private readonly options: LocalStreamingGatewayOptions;
  private workerScript?: string;
  private standby?: ThreadStandby;
  private stopped = false;
  private urlValue?: string;
  private hosts = new Set<string>();

  constructor(options: LocalStreamingGatewayOptions) {
    this.options = options;
    this.routes = options.routes;
    this.webApps = new WebApps({ environment: options.environment, awsCredentials: options.awsCredentials, log: (message) => this.log(message) });
    // Node answers 431 itself for a head past its bound (which does not count line ends, so it is
    // set a little higher); `handle` counts the head as sent against API Gateway's 10,240 bytes.
    this.server = http.createServer({ maxHeaderSize: MAX_REQUEST_HEAD_BYTES + HEAD_SLACK_BYTES }, (req, res) => this.request(req, res));
    // `Expect: 100-continue`: a body that will be refused (413, a bad Host) is not asked for.
    this.server.on('checkContinue', (req: http.IncomingMessage, res: http.ServerResponse) => {
      if (!tooLong(req) && hostAllowed(req.headers.host, this.hosts)) res.writeContinue();
      this.request(req, res);
    });
    this.server.keepAliveTimeout = 5000;
    // A client that half-closes after sending its request still gets its response.
    (this.server as http.Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  }

  /** The gateway's base URL, once started. */
  public get url(): string {
    if (!this.urlValue) throw new Error('the gateway is not started');
    return this.urlValue;
  }

  /** Starts listening; resolves with the base URL. */
  public async start(): Promise<string> {
    this.stopped = false;
    this.workerScript = resolveWorkerScript();
    const host = this.options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 3000, host, () => resolve());
    });
    const { port } = this.server.address() as AddressInfo;
    this.urlValue = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    this.hosts = allowedHosts(host, this.options.allowedHosts);
    if (!isLoopback(host)) {
      this.log(`warning: listening on ${host}, not a loopback address: other machines can reach the gateway and the functions it runs`);
    }
    const zone = timeZoneNote(this.options.isolation ?? 'shared', functionsTz(this.options.environment));
    if (zone) this.log(`note: ${zone}`);
    this.startStandby();
    return this.urlValue;
  }

  /** Stops listening, ends open connections and kills every worker. */
  public async stop(): Promise<void> {
    for (const pool of this.pools.values()) pool.close();
    this.pools.clear();
    this.stopped = true;
    this.standby?.close();
    this.standby = undefined;
    this.webApps.stopAll();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** How many function worker processes are alive. */
  public get workerCount(): number {
    return [...this.pools.values()].reduce((sum, pool) => sum + pool.size, 0);
  }

  private request(req: http.IncomingMessage, res: http.ServerResponse): void {
    let ctx: RequestContext;
    try {
      ctx = new RequestContext(req, res, (message) => this.log(message));
    } catch (error) {
      // Nothing a client sends may end the gateway.
      this.log(`unexpected gateway error: ${(error as Error).stack}`);
      res.writeHead(400, { 'content-type': 'application/json', 'connection': 'close' }).end('{"message":"Bad request"}');
      return;
    }
    ctx.onClose(() => this.writeAccessLog(ctx));
    this.handle(ctx).catch((error) => {
      this.log(`unexpected gateway error: ${(error as Error).stack}`);
      if (!res.headersSent) ctx.respond(500, { message: 'Internal server error' });
      else res.destroy();
    });
  }

  private async handle(ctx: RequestContext): Promise<void> {
    ctx.res.setHeader('x-amzn-requestid', ctx.requestId);
    if (ctx.badTarget || hostHeaders(ctx.req) > 1) {
      ctx.log(ctx.badTarget ? `refused a request for '${ctx.req.url}': neither a path nor an http(s) URL` : 'refused a request with more than one Host header');
      ctx.res.setHeader('connection', 'close');
      ctx.respond(400, { message: 'Bad request' });
      return;
    }
    // An absolute-form target's authority stands for Host (RFC 9112 3.2.2): it is what is checked.
    const host = ctx.authority ?? ctx.req.headers.host;
    if (!hostAllowed(host, this.hosts)) {
      ctx.log(`refused a request for Host '${host}': not the gateway's address or a loopback name (see --allow-host)`);
      ctx.respond(403, { message: 'Forbidden: unknown Host' });
      return;
    }
    if (headBytes(ctx.req) > MAX_REQUEST_HEAD_BYTES) {
      ctx.res.setHeader('connection', 'close');
      ctx.respond(431, { message: 'Request Header Fields Too Large' });
      return;
    }
    if (tooLong(ctx.req)) {
      // Refused before the body is read; the unread body makes the connection unusable.
      ctx.res.setHeader('connection', 'close');
      ctx.respond(413, { message: 'Request Too Long' });
      return;
    }
    const match = matchRoute(this.routes, ctx.req.method ?? 'GET', ctx.url.pathname);
    if (!match) {
      // API Gateway's answer for a path or method the API does not have.
      ctx.respond(403, { message: 'Missing Authentication Token' });
      return;
    }
    const route = ctx.route = match.route;
    ctx.pathParameters = match.pathParameters;
    ctx.apiPath = match.path;
    ctx.stage = match.stage;
    if (route.unsupported) {
      ctx.respond(501, { message: `Not emulated by the local gateway: ${route.path} ${route.httpMethod}: ${route.unsupported}` });
      return;
    }
    let body: Buffer | undefined;
    try {
      body = await readBody(ctx.req, MAX_REQUEST_BODY_BYTES);
    } catch (error) {
      // The client left (reset, or closed before the body it announced): nobody to answer.
      ctx.log(`the client left before its request body arrived (${(error as Error).message}): the integration was not called`);
      return;
    }
    if (body === undefined) {
      ctx.respond(413, { message: 'Request Too Long' });
      return;
    }
    ctx.body = body;
    ctx.mode = route.transferMode === 'STREAM' && !this.options.forceBuffered ? 'STREAMED' : 'BUFFERED';
    if (route.webApp) await proxyWebApp(ctx, this.options, this.webApps);
    else if (route.integrationType === 'HTTP_PROXY') proxyHttp(ctx, this.options);
    else await invokeLambda(ctx, this.pool(route), this.options);
  }

  /**
   * Serves `routes` from now on (a new synthesis): requests in flight finish on the old
   * environments, which are then ended; new requests get fresh ones with the new code.
   */
  public reload(routes: readonly Route[]): void {
    this.routes = routes;
    if (this.urlValue) this.startStandby();
    for (const pool of this.pools.values()) pool.retire();
    this.pools.clear();
    this.webApps.retireAll();
  }

  /** The workers of a route's function (made on first use). */
  private pool(route: Route): WorkerPool {
    const fn = route.function!;
    let pool = this.pools.get(fn.logicalId);
    if (!pool) {
      pool = new WorkerPool(fn, this.poolOptions());
      this.pools.set(fn.logicalId, pool);
    }
    return pool;
  }

  private poolOptions(): WorkerPoolOptions {
    return {
      workerScript: this.workerScript!,
      extraEnv: this.options.environment,
      awsCredentials: this.options.awsCredentials,
      maxEnvironments: this.options.maxEnvironments ?? DEFAULT_MAX_ENVIRONMENTS[this.options.isolation ?? 'shared'],
      idleMs: this.options.idleEnvironmentMs ?? DEFAULT_IDLE_ENVIRONMENT_MS,
      initLimitMs: this.options.initLimitMs,
      isolation: this.options.isolation,
      environmentsPerThread: this.options.environmentsPerThread,
      standby: this.standby,
      log: (message) => this.log(message),
    };
  }

  /**
   * With `shared` isolation, a thread is started ahead for the first function's first environment
   * (lambda/standby.ts): a cold start then waits for the handler's init, not for a thread.
   */
  private startStandby(): void {
    if (this.stopped || (this.options.isolation ?? 'shared') !== 'shared') return;
    const first = this.routes.find((route) => route.function && !route.webApp)?.function;
    if (!first) return;
    this.standby ??= new ThreadStandby(this.workerScript!);
    // (after a reload, a spare of another heap bound is replaced: it would fit no function)
    this.standby.retarget(sharedThreadHeapMb(first.memorySize, threadCapacity(this.poolOptions())));
  }

  private writeAccessLog(ctx: RequestContext): void {
    const entry = accessLogEntry(ctx);
    if (this.options.accessLog) this.options.accessLog(entry);
    else process.stderr.write(`${JSON.stringify(entry)}\n`);
  }

  private log(message: string): void {
    if (this.options.log) this.options.log(message);
    else process.stderr.write(`[local-gateway] ${message}\n`);
  }
}
