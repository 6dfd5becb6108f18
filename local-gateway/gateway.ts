/**
 * The local streaming gateway: serves the REST API methods of a synthesized cloud assembly on
 * localhost the way API Gateway does with response streaming. This file is the server and its
 * lifecycle; a request goes router → integration (`integrations/`; the Lambda emulator is
 * `lambda/`) → relay → access log.
 */
import * as http from 'http';
import type { AddressInfo } from 'net';
import { accessLogEntry } from './access-log';
import { readAssembly, Route, RouteFunction } from './assembly';
import { Guard } from './auth/guard';
import { protectionNotes, unemulatedProtection } from './auth/protection';
import { localAddresses } from './deploy-values';
import { ANSWERS, answerBody, respond } from './gateway-responses';
import { allowedHosts, hostAllowed, isLoopback } from './host-check';
import { proxyHttp } from './integrations/http-proxy';
import { invokeLambda } from './integrations/lambda';
import { answerMock } from './integrations/mock';
import { proxyWebApp } from './integrations/web-app';
import { EnvironmentPool, PoolOptions, resolveSandboxScript } from './lambda/pool';
import { functionsTz, timeZoneNote } from './lambda/variables';
import type { LocalStreamingGatewayOptions } from './options';
import { headBytes, hostHeaders, readBody, RequestContext, tooLong } from './request';
import { matchRoute } from './router';
import type { TokenIssuer } from './stand-ins/token-issuer';
import { WebApps } from './web-app/adapter';
import { MAX_REQUEST_BODY_BYTES, MAX_REQUEST_HEAD_BYTES } from '../wire/limits';

export type { AccessLogEntry } from './access-log';
export type { LocalStreamingGatewayOptions } from './options';
export { matchRoute } from './router';
export type { RouteMatch } from './router';

const DEFAULT_IDLE_ENVIRONMENT_MS = 5 * 60_000;

/** Node's header bound counts no line ends: this much over API Gateway's limit covers them. */
const HEAD_SLACK_BYTES = 1024;

export class LocalStreamingGateway {
  /** A gateway for every REST API method of the cloud assembly in `dir`. */
  public static fromAssembly(dir: string, options: Omit<LocalStreamingGatewayOptions, 'routes'> = {}): LocalStreamingGateway {
    return new LocalStreamingGateway({ ...options, routes: readAssembly(dir) });
  }

  /** The routes served (replaced by `reload()`). */
  public routes: readonly Route[];
  private readonly server: http.Server;
  private readonly pools = new Map<string, EnvironmentPool>();
  private readonly webApps: WebApps;
  private readonly guard: Guard;
  private readonly options: LocalStreamingGatewayOptions;
  private sandboxScript?: string;
  private urlValue?: string;
  private hosts = new Set<string>();

  constructor(options: LocalStreamingGatewayOptions) {
    this.options = options;
    this.routes = options.routes;
    this.guard = new Guard((fn) => this.pool(fn), (message) => this.log(message), options);
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

  /** The local token issuer of the assembly's Cognito user pools, once started (mint tokens with it). */
  public get tokenIssuer(): TokenIssuer | undefined {
    return this.guard.tokenIssuer;
  }

  /** The gateway's base URL, once started. */
  public get url(): string {
    if (!this.urlValue) throw new Error('the gateway is not started');
    return this.urlValue;
  }

  /** Starts listening; resolves with the base URL. */
  public async start(): Promise<string> {
    this.sandboxScript = resolveSandboxScript();
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
    protectionNotes(this.routes, this.options.skipAuth === true, this.guard.verifiesIam).forEach((note) => this.log(note));
    if (!this.options.skipAuth) await this.guard.start(this.routes);
    const zone = timeZoneNote(this.options.isolation ?? 'thread', functionsTz(this.options.environment));
    if (zone) this.log(`note: ${zone}`);
    return this.urlValue;
  }

  /** Stops listening, ends open connections and kills every worker. */
  public async stop(): Promise<void> {
    for (const pool of this.pools.values()) pool.close();
    this.pools.clear();
    this.webApps.stopAll();
    await this.guard.stop();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** How many execution environments are alive. */
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
      res.writeHead(ANSWERS.badRequest.status, { 'content-type': 'application/json', 'connection': 'close' }).end(answerBody(ANSWERS.badRequest));
      return;
    }
    ctx.onClose(() => this.writeAccessLog(ctx));
    this.handle(ctx).catch((error) => {
      this.log(`unexpected gateway error: ${(error as Error).stack}`);
      if (!res.headersSent) respond(ctx, ANSWERS.internalError);
      else res.destroy();
    });
  }

  private async handle(ctx: RequestContext): Promise<void> {
    ctx.res.setHeader('x-amzn-requestid', ctx.requestId);
    if (ctx.badTarget || hostHeaders(ctx.req) > 1) {
      ctx.log(ctx.badTarget ? `refused a request for '${ctx.req.url}': neither a path nor an http(s) URL` : 'refused a request with more than one Host header');
      ctx.res.setHeader('connection', 'close');
      respond(ctx, ANSWERS.badRequest);
      return;
    }
    // An absolute-form target's authority stands for Host (RFC 9112 3.2.2): it is what is checked.
    const host = ctx.authority ?? ctx.req.headers.host;
    if (!hostAllowed(host, this.hosts)) {
      ctx.log(`refused a request for Host '${host}': not the gateway's address or a loopback name (see --allow-host)`);
      respond(ctx, ANSWERS.unknownHost);
      return;
    }
    ctx.localAddresses = localAddresses(host ? `http://${host}` : this.url, this.routes, (poolId) => this.guard.tokenIssuer?.issuer(poolId));
    if (headBytes(ctx.req) > MAX_REQUEST_HEAD_BYTES) {
      ctx.res.setHeader('connection', 'close');
      respond(ctx, ANSWERS.headersTooLarge);
      return;
    }
    if (tooLong(ctx.req)) {
      // Refused before the body is read; the unread body makes the connection unusable.
      ctx.res.setHeader('connection', 'close');
      respond(ctx, ANSWERS.requestTooLarge);
      return;
    }
    const match = matchRoute(this.routes, ctx.req.method ?? 'GET', ctx.url.pathname);
    // (a path no route has: the gateway responses of the one API, when there is one)
    ctx.gatewayResponses = match?.route.gatewayResponses ?? (new Set(this.routes.map((r) => `${r.stack}/${r.apiId}`)).size === 1 ? this.routes[0]?.gatewayResponses : undefined);
    if (!match) {
      // API Gateway's answer for a path or method the API does not have.
      respond(ctx, ANSWERS.missingAuthenticationToken);
      return;
    }
    const route = ctx.route = match.route;
    ctx.pathParameters = match.pathParameters;
    ctx.apiPath = match.path;
    ctx.stage = match.stage;
    const unsupported = route.unsupported ?? (this.options.skipAuth ? undefined : unemulatedProtection(route, this.guard.verifiesIam));
    if (unsupported) {
      respond(ctx, ANSWERS.notEmulated, `${route.path} ${route.httpMethod}: ${unsupported}`);
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
      respond(ctx, ANSWERS.requestTooLarge);
      return;
    }
    ctx.body = body;
    if (!(await this.guard.admit(ctx, route, this.options.skipAuth === true))) return;
    ctx.mode = route.transferMode === 'STREAM' && !this.options.forceBuffered ? 'STREAMED' : 'BUFFERED';
    if (route.mock) answerMock(ctx, route.mock);
    else if (route.webApp) await proxyWebApp(ctx, this.options, this.webApps);
    else if (route.integrationType === 'HTTP_PROXY') proxyHttp(ctx, this.options);
    else await invokeLambda(ctx, this.pool(route.function!), this.options);
  }

  /**
   * Serves `routes` from now on (a new synthesis): requests in flight finish on the old
   * environments, which are then ended; new requests get fresh ones with the new code.
   */
  public reload(routes: readonly Route[]): void {
    this.routes = routes;
    for (const pool of this.pools.values()) pool.retire();
    this.pools.clear();
    this.guard.reload();
    void this.guard.start(routes);
    this.webApps.retireAll();
  }

  /** The execution environments of a route's function (made on first use). */
  private pool(fn: RouteFunction): EnvironmentPool {
    let pool = this.pools.get(fn.logicalId);
    if (!pool) {
      pool = new EnvironmentPool(fn, this.poolOptions());
      this.pools.set(fn.logicalId, pool);
    }
    return pool;
  }

  private poolOptions(): PoolOptions {
    // (maxEnvironments, initLimitMs, isolation, awsCredentials: as given)
    return {
      ...this.options,
      script: this.sandboxScript!,
      extraEnv: this.options.environment,
      idleMs: this.options.idleEnvironmentMs ?? DEFAULT_IDLE_ENVIRONMENT_MS,
      log: (message) => this.log(message),
      output: this.options.functionOutput,
    };
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
