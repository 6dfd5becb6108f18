/**
 * The local streaming gateway: serves the REST API methods of a synthesized cloud assembly on
 * localhost the way API Gateway does with response streaming. Lambda proxy routes run the
 * function's bundled handler in warm worker processes; HTTP proxy routes forward to their backend.
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { readAssembly, Route } from './assembly';
import { buildRestEvent } from './event';
import type { InvocationEnd } from './frames';
import { WorkerPool } from './workers';

/** One access-log entry, with the keys of `StreamingAccessLogFormat.jsonWithStreamingFields()`. */
export interface AccessLogEntry {
  readonly requestId: string;
  readonly ip: string;
  readonly caller: string;
  readonly user: string;
  readonly requestTime: string;
  readonly httpMethod: string;
  readonly resourcePath: string;
  readonly status: string;
  readonly protocol: string;
  readonly responseLength: string;
  readonly integrationLatency: string;
  readonly responseLatency: string;
  readonly responseTransferMode: string;
  readonly timeToAllHeaders: string;
  readonly timeToFirstContent: string;
}

export interface LocalStreamingGatewayOptions {
  /** The routes to serve (see `readAssembly()`). */
  readonly routes: Route[];
  /** Port to listen on; 0 picks a free one. Default 3000. */
  readonly port?: number;
  /** Address to listen on. Default 127.0.0.1. */
  readonly host?: string;
  /** HTTP_PROXY backends to replace: URL prefix → local URL prefix. */
  readonly backends?: Record<string, string>;
  /** Idle timeout of a stream in ms. Default: 30 s for edge-optimized APIs, 5 minutes otherwise. */
  readonly idleTimeoutMs?: number;
  /** Cap on every integration timeout in ms (for tests). Default: none. */
  readonly maxIntegrationTimeoutMs?: number;
  /** API Gateway's bandwidth shaping: the first 10 MB unthrottled, then 2 MB/s. Default true. */
  readonly shaping?: boolean;
  /** Bytes sent unthrottled before shaping starts. Default 10 MB. */
  readonly shapingFreeBytes?: number;
  /** Bytes per second after the free bytes. Default 2 MB/s. */
  readonly shapingBytesPerSecond?: number;
  /** Serve every route buffered, whatever its transfer mode (to compare). Default false. */
  readonly forceBuffered?: boolean;
  /** Environment variables added to every function (e.g. BEDROCK_ENDPOINT_URL). */
  readonly environment?: Record<string, string>;
  /** Receives each access-log entry. Default: one JSON line on stderr. */
  readonly accessLog?: (entry: AccessLogEntry) => void;
  /** Receives diagnostics (why a request got a 500, ...). Default: stderr. */
  readonly log?: (message: string) => void;
}

const MB = 1024 * 1024;
const METADATA_LIMIT = 16 * 1024;
const DELIMITER = Buffer.alloc(8);
const MAX_REQUEST_BYTES = 10 * MB;
/** Bytes a client socket may hold before the relay pauses its source (see Relay.body). */
const RELAY_SLACK_BYTES = 256 * 1024;
const ALLOWED_METADATA_KEYS = new Set(['statusCode', 'headers', 'multiValueHeaders', 'cookies']);
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer', 'host', 'content-length']);

/** Per-request timing and outcome, for the access log. */
interface Exchange {
  readonly requestId: string;
  readonly ip: string;
  readonly started: number;
  integrationStarted?: number;
  allHeaders?: number;
  firstContent?: number;
  ended?: number;
  status?: number;
  bytes: number;
  mode: 'STREAMED' | 'BUFFERED';
  resourcePath: string;
}

export class LocalStreamingGateway {
  /** A gateway for every REST API method of the cloud assembly in `dir`. */
  public static fromAssembly(dir: string, options: Omit<LocalStreamingGatewayOptions, 'routes'> = {}): LocalStreamingGateway {
    return new LocalStreamingGateway({ ...options, routes: readAssembly(dir) });
  }

  public readonly routes: Route[];
  private readonly server: http.Server;
  private readonly pools = new Map<string, WorkerPool>();
  private readonly options: LocalStreamingGatewayOptions;
  private workerScript?: string;
  private urlValue?: string;

  constructor(options: LocalStreamingGatewayOptions) {
    this.options = options;
    this.routes = options.routes;
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((error) => {
        this.log(`unexpected gateway error: ${(error as Error).stack}`);
        if (!res.headersSent) sendJson(res, 500, { message: 'Internal server error' });
        else res.destroy();
      });
    });
    this.server.keepAliveTimeout = 5000;
  }

  /** The gateway's base URL, once started. */
  public get url(): string {
    if (!this.urlValue) throw new Error('the gateway is not started');
    return this.urlValue;
  }

  /** Starts listening; resolves with the base URL. */
  public async start(): Promise<string> {
    this.workerScript = resolveWorkerScript();
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 3000, this.options.host ?? '127.0.0.1', () => resolve());
    });
    const { port } = this.server.address() as AddressInfo;
    this.urlValue = `http://${this.options.host ?? '127.0.0.1'}:${port}`;
    return this.urlValue;
  }

  /** Stops listening, ends open connections and kills every worker. */
  public async stop(): Promise<void> {
    for (const pool of this.pools.values()) pool.close();
    this.pools.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** How many function worker processes are alive. */
  public get workerCount(): number {
    return [...this.pools.values()].reduce((sum, pool) => sum + pool.size, 0);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = matchRoute(this.routes, req.method ?? 'GET', url.pathname);
    const exchange: Exchange = { requestId: randomUUID(), ip: req.socket.remoteAddress ?? '-', started: Date.now(), bytes: 0, mode: 'BUFFERED', resourcePath: match?.route.path ?? '-' };
    res.setHeader('x-amzn-requestid', exchange.requestId);
    res.on('close', () => this.writeAccessLog(req, exchange));
    if (!match) {
      // API Gateway's answer for a path or method the API does not have.
      respond(res, exchange, 403, { message: 'Missing Authentication Token' });
      return;
    }
    const { route, pathParameters } = match;
    if (route.unsupported) {
      respond(res, exchange, 501, { message: `Not emulated by the local gateway: ${route.path} ${route.httpMethod}: ${route.unsupported}` });
      return;
    }
    const body = await readBody(req);
    if (body === undefined) {
      respond(res, exchange, 413, { message: 'Request Too Long' });
      return;
    }
    exchange.mode = route.transferMode === 'STREAM' && !this.options.forceBuffered ? 'STREAMED' : 'BUFFERED';
    if (route.integrationType === 'HTTP_PROXY') {
      this.proxyHttp(req, res, route, url, pathParameters, body, exchange);
    } else {
      await this.invokeLambda(req, res, route, url, pathParameters, body, exchange);
    }
  }

  private async invokeLambda(
    req: http.IncomingMessage, res: http.ServerResponse, route: Route, url: URL,
    pathParameters: Record<string, string> | null, body: Buffer, exchange: Exchange,
  ): Promise<void> {
    const fn = route.function!;
    let pool = this.pools.get(fn.logicalId);
    if (!pool) {
      pool = new WorkerPool(fn, this.workerScript!, this.options.environment ?? {});
      this.pools.set(fn.logicalId, pool);
    }
    const event = buildRestEvent({
      req,
      body,
      resource: route.path,
      path: url.pathname,
      query: url.searchParams,
      pathParameters,
      stage: route.stageName,
      apiId: route.apiId,
      requestId: exchange.requestId,
      sourceIp: exchange.ip,
    });
    const worker = await pool.acquire();
    exchange.integrationStarted = Date.now();
    const relay = new Relay(res, exchange, route, this.options, (message) => this.log(`${route.httpMethod} ${route.path}: ${message}`), {
      pause: () => worker.pause(),
      resume: () => worker.resume(),
    });
    let settled = false;
    const finish = (reuse: boolean) => {
      if (settled) return;
      settled = true;
      relay.dispose();
      if (reuse && worker.alive) {
        worker.resume();
        pool!.release(worker);
      } else {
        pool!.discard(worker);
      }
    };
    // The client left: stop reading the handler and drop its worker (Lambda would keep running).
    res.on('close', () => {
      if (!res.writableFinished) finish(false);
    });
    relay.onAbort = () => finish(false);
    const functionTimeoutMs = fn.timeoutSeconds * 1000;
    worker.invoke(event, functionTimeoutMs, {
      onData: (chunk) => relay.data(chunk),
      onEnd: (end: InvocationEnd) => {
        relay.end(end);
        finish(end.outcome === 'ended');
      },
    });
  }

  private proxyHttp(
    req: http.IncomingMessage, res: http.ServerResponse, route: Route, url: URL,
    pathParameters: Record<string, string> | null, body: Buffer, exchange: Exchange,
  ): void {
    let target = route.url!;
    for (const [name, value] of Object.entries(pathParameters ?? {})) {
      target = target.replace(`{${name}}`, name === 'proxy' ? value : encodeURIComponent(value)).replace(`{${name}+}`, value);
    }
    for (const [from, to] of Object.entries(this.options.backends ?? {})) {
      if (target.startsWith(from)) target = to + target.slice(from.length);
    }
    const targetUrl = new URL(target);
    url.searchParams.forEach((value, name) => targetUrl.searchParams.append(name, value));
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    }
    if (body.length > 0) headers['content-length'] = String(body.length);
    exchange.integrationStarted = Date.now();
    const client = targetUrl.protocol === 'https:' ? https : http;
    const upstream = client.request(targetUrl, { method: req.method, headers });
    const relay = new Relay(res, exchange, route, this.options, (message) => this.log(`${route.httpMethod} ${route.path}: ${message}`), {
      pause: () => upstreamResponse?.pause(),
      resume: () => upstreamResponse?.resume(),
    });
    let upstreamResponse: http.IncomingMessage | undefined;
    relay.onAbort = () => upstream.destroy();
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
      relay.dispose();
    });
    upstream.on('response', (response) => {
      upstreamResponse = response;
      const responseHeaders: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(response.headers)) {
        if (value !== undefined && !HOP_BY_HOP.has(name)) responseHeaders[name] = value;
      }
      relay.head(response.statusCode ?? 502, responseHeaders);
      response.on('data', (chunk: Buffer) => relay.body(chunk));
      response.on('end', () => relay.end({ outcome: 'ended' }));
      response.on('error', () => relay.end({ outcome: 'error', error: { errorType: 'BackendError', errorMessage: 'the backend connection failed' } }));
      response.on('aborted', () => relay.end({ outcome: 'error', error: { errorType: 'BackendError', errorMessage: 'the backend cut the response' } }));
    });
    upstream.on('error', (error) => {
      if (!upstreamResponse) {
        this.log(`${route.httpMethod} ${route.path}: backend ${targetUrl.origin} failed: ${error.message}`);
        relay.fail(502, { message: 'Internal server error' });
      } else {
        relay.end({ outcome: 'error', error: { errorType: 'BackendError', errorMessage: error.message } });
      }
    });
    upstream.end(body);
  }

  private writeAccessLog(req: http.IncomingMessage, exchange: Exchange): void {
    const since = (t?: number) => (t === undefined || exchange.integrationStarted === undefined ? '-' : String(t - exchange.integrationStarted));
    const ended = exchange.ended ?? Date.now();
    const entry: AccessLogEntry = {
      requestId: exchange.requestId,
      ip: exchange.ip,
      caller: '-',
      user: '-',
      requestTime: clfTime(exchange.started),
      httpMethod: req.method ?? '-',
      resourcePath: exchange.resourcePath,
      status: exchange.status === undefined ? '-' : String(exchange.status),
      protocol: `HTTP/${req.httpVersion}`,
      responseLength: String(exchange.bytes),
      integrationLatency: exchange.integrationStarted === undefined ? '-' : String(ended - exchange.integrationStarted),
      responseLatency: String(ended - exchange.started),
      responseTransferMode: exchange.integrationStarted === undefined ? '-' : exchange.mode,
      timeToAllHeaders: since(exchange.allHeaders),
      timeToFirstContent: since(exchange.firstContent),
    };
    if (this.options.accessLog) this.options.accessLog(entry);
    else process.stderr.write(`${JSON.stringify(entry)}\n`);
  }

  private log(message: string): void {
    if (this.options.log) this.options.log(message);
    else process.stderr.write(`[local-gateway] ${message}\n`);
  }
}

/**
 * Relays one integration response to the client as API Gateway does: the Lambda metadata is
 * parsed first (within 16 KB, else 500); status and headers go out with the first payload byte
 * (or at the end); then body bytes as they arrive (STREAMED) or all at once (BUFFERED); a failure
 * before the first payload byte is a 500, after it the connection is cut.
 */
class Relay {
  public onAbort?: () => void;
  private metadataBuffer: Buffer[] = [];
  private metadataBytes = 0;
  private pendingHead?: { status: number; headers: Record<string, string | string[]> };
  private buffered: Buffer[] = [];
  private done = false;
  private idleTimer?: ReturnType<typeof setTimeout>;
  private lastActivity = Date.now();
  private readonly integrationTimer: ReturnType<typeof setTimeout>;
  private shapingStarted?: number;
  private resumeTimer?: ReturnType<typeof setTimeout>;

  constructor(
    private readonly res: http.ServerResponse,
    private readonly exchange: Exchange,
    private readonly route: Route,
    private readonly options: LocalStreamingGatewayOptions,
    private readonly log: (message: string) => void,
    private readonly source: { pause(): void; resume(): void },
  ) {
    const timeout = Math.min(route.timeoutMs, options.maxIntegrationTimeoutMs ?? Infinity);
    this.integrationTimer = setTimeout(() => this.timeout('the integration timeout', 504, 'Endpoint request timed out'), timeout);
    this.touch();
  }

  private get streamed(): boolean {
    return this.exchange.mode === 'STREAMED';
  }

  /** Lambda output: metadata, delimiter, payload. */
  public data(chunk: Buffer): void {
    if (this.done) return;
    this.touch();
    if (this.pendingHead || this.exchange.allHeaders !== undefined) {
      this.body(chunk);
      return;
    }
    this.metadataBuffer.push(chunk);
    this.metadataBytes += chunk.length;
    const joined = Buffer.concat(this.metadataBuffer);
    const at = joined.subarray(0, METADATA_LIMIT + DELIMITER.length).indexOf(DELIMITER);
    if (at < 0) {
      if (this.metadataBytes >= METADATA_LIMIT + DELIMITER.length) {
        this.fail(500, { message: 'Internal server error' }, 'no metadata delimiter (8 NUL bytes) in the first 16 KB of the response');
      } else {
        this.metadataBuffer = [joined];
      }
      return;
    }
    let metadata: any;
    try {
      metadata = parseMetadata(joined.subarray(0, at).toString('utf8'));
    } catch (error) {
      this.fail(500, { message: 'Internal server error' }, `invalid response metadata: ${(error as Error).message}`);
      return;
    }
    this.metadataBuffer = [];
    this.head(metadata.statusCode ?? 200, metadataHeaders(metadata));
    const rest = joined.subarray(at + DELIMITER.length);
    if (rest.length > 0) this.body(rest);
  }

  /** Status and headers are known (sent with the first payload byte). */
  public head(status: number, headers: Record<string, string | string[]>): void {
    this.exchange.allHeaders = Date.now();
    this.pendingHead = { status, headers };
  }

  /** Payload bytes. */
  public body(chunk: Buffer): void {
    if (this.done || chunk.length === 0) return;
    this.touch();
    if (this.exchange.firstContent === undefined) this.exchange.firstContent = Date.now();
    if (!this.streamed) {
      this.buffered.push(chunk);
      return;
    }
    this.flushHead();
    this.exchange.bytes += chunk.length;
    // Backpressure with some slack: pausing the worker's pipe at the socket's 16 KiB high-water
    // mark would stop and restart reading for every chunk.
    const drained = this.res.write(chunk) || this.res.writableLength < RELAY_SLACK_BYTES;
    const delay = this.shapingDelay();
    if (!drained || delay > 0) {
      this.source.pause();
      const resume = () => {
        if (this.done) return;
        const wait = this.shapingDelay();
        if (wait > 0) this.resumeTimer = setTimeout(resume, wait);
        else this.source.resume();
      };
      if (!drained) this.res.once('drain', resume);
      else this.resumeTimer = setTimeout(resume, delay);
    }
  }

  /** The integration finished (normally or not). */
  public end(end: InvocationEnd): void {
    if (this.done) return;
    if (end.outcome !== 'ended') {
      const why = end.outcome === 'timeout' ? 'the function timed out' : `the function failed: ${end.error?.errorType}: ${end.error?.errorMessage}`;
      this.fail(end.outcome === 'timeout' ? 504 : 500, { message: end.outcome === 'timeout' ? 'Endpoint request timed out' : 'Internal server error' }, why);
      return;
    }
    if (!this.pendingHead && this.exchange.allHeaders === undefined) {
      this.fail(500, { message: 'Internal server error' }, 'the response ended without metadata (did the handler call end() before write()?)');
      return;
    }
    this.done = true;
    this.exchange.ended = Date.now();
    if (this.streamed) {
      this.flushHead();
      this.res.end();
    } else {
      const body = Buffer.concat(this.buffered);
      const head = this.pendingHead!;
      this.exchange.status = head.status;
      this.exchange.bytes = body.length;
      this.res.writeHead(head.status, { ...head.headers, 'content-length': String(body.length) });
      this.res.end(body);
    }
    this.dispose();
  }

  /** Fails the request: a JSON error before the first payload byte, a cut connection after it. */
  public fail(status: number, body: object, why?: string): void {
    if (this.done) return;
    this.done = true;
    this.exchange.ended = Date.now();
    if (why) this.log(why);
    if (!this.res.headersSent) {
      respond(this.res, this.exchange, status, body);
    } else {
      this.res.destroy();
    }
    this.dispose();
    this.onAbort?.();
  }

  public dispose(): void {
    clearTimeout(this.integrationTimer);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.resumeTimer) clearTimeout(this.resumeTimer);
  }

  private flushHead(): void {
    if (!this.pendingHead) return;
    const { status, headers } = this.pendingHead;
    this.pendingHead = undefined;
    this.exchange.status = status;
    this.res.writeHead(status, headers);
    this.res.flushHeaders();
  }

  /** Notes activity; the idle timer re-arms itself lazily (no timer churn per chunk). */
  private touch(): void {
    this.lastActivity = Date.now();
    if (this.idleTimer) return;
    const idle = this.options.idleTimeoutMs ?? (this.route.endpointType === 'EDGE' ? 30_000 : 300_000);
    const check = () => {
      const silent = Date.now() - this.lastActivity;
      if (silent >= idle) this.timeout('the idle timeout', 504, 'Endpoint request timed out');
      else this.idleTimer = setTimeout(check, idle - silent);
    };
    this.idleTimer = setTimeout(check, idle);
  }

  private timeout(what: string, status: number, message: string): void {
    this.fail(status, { message }, `${what} was reached`);
  }

  /** How long to wait before sending more, to keep to 2 MB/s after the first 10 MB. */
  private shapingDelay(): number {
    if (this.options.shaping === false) return 0;
    const free = this.options.shapingFreeBytes ?? 10 * MB;
    const rate = this.options.shapingBytesPerSecond ?? 2 * MB;
    if (this.exchange.bytes <= free) return 0;
    this.shapingStarted ??= Date.now();
    const due = this.shapingStarted + ((this.exchange.bytes - free) / rate) * 1000;
    return Math.max(0, Math.ceil(due - Date.now()));
  }
}

interface LambdaMetadata {
  statusCode?: number;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  cookies?: string[];
}

function parseMetadata(text: string): LambdaMetadata {
  const metadata = JSON.parse(text);
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) throw new Error('not a JSON object');
  for (const key of Object.keys(metadata)) {
    if (!ALLOWED_METADATA_KEYS.has(key)) throw new Error(`unknown key '${key}'`);
  }
  if (metadata.statusCode !== undefined && !(Number.isInteger(metadata.statusCode) && metadata.statusCode >= 100 && metadata.statusCode <= 599)) {
    throw new Error(`bad statusCode ${JSON.stringify(metadata.statusCode)}`);
  }
  return metadata;
}

/** Response headers from Lambda metadata: multi-value headers win; each cookie is a Set-Cookie. */
function metadataHeaders(metadata: LambdaMetadata): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(metadata.headers ?? {})) headers[name.toLowerCase()] = String(value);
  for (const [name, values] of Object.entries(metadata.multiValueHeaders ?? {})) headers[name.toLowerCase()] = values.map(String);
  if (metadata.cookies?.length) headers['set-cookie'] = [...metadata.cookies];
  for (const name of ['transfer-encoding', 'connection', 'content-encoding']) delete headers[name];
  return headers;
}

function respond(res: http.ServerResponse, exchange: Exchange, status: number, body: object): void {
  exchange.status = status;
  exchange.ended = Date.now();
  const text = JSON.stringify(body);
  exchange.bytes = Buffer.byteLength(text);
  sendJson(res, status, body);
}

function sendJson(res: http.ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}

async function readBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Finds the route for a method and path: literal segments win over `{name}`, which wins over `{name+}`. */
export interface RouteMatch {
  readonly route: Route;
  readonly pathParameters: Record<string, string> | null;
}

export function matchRoute(routes: Route[], method: string, pathname: string): RouteMatch | undefined {
  let segments: string[];
  try {
    segments = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return undefined;
  }
  let best: { route: Route; params: Record<string, string>; score: number } | undefined;
  for (const route of routes) {
    if (route.httpMethod !== method && route.httpMethod !== 'ANY') continue;
    const matched = matchPath(route.path.split('/').filter(Boolean), segments);
    if (!matched) continue;
    const score = matched.score + (route.httpMethod === method ? 0.5 : 0);
    if (!best || score > best.score) best = { route, params: matched.params, score };
  }
  return best && { route: best.route, pathParameters: Object.keys(best.params).length ? best.params : null };
}

function matchPath(pattern: string[], segments: string[]): { params: Record<string, string>; score: number } | undefined {
  const params: Record<string, string> = {};
  let score = 0;
  for (let i = 0; i < pattern.length; i++) {
    const greedy = /^\{(.+)\+\}$/.exec(pattern[i]);
    if (greedy) {
      if (i >= segments.length) return undefined;
      params[greedy[1]] = segments.slice(i).join('/');
      return { params, score: score + 1 };
    }
    if (i >= segments.length) return undefined;
    const param = /^\{(.+)\}$/.exec(pattern[i]);
    if (param) {
      params[param[1]] = segments[i];
      score += 10;
    } else if (pattern[i] === segments[i]) {
      score += 100;
    } else {
      return undefined;
    }
  }
  return pattern.length === segments.length ? { params, score } : undefined;
}

function clfTime(ms: number): string {
  const d = new Date(ms);
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

/**
 * The worker script: the compiled `worker.js` next to this file, or (when running from the
 * TypeScript sources) a bundle of `worker.ts` made once with esbuild.
 */
function resolveWorkerScript(): string {
  const compiled = path.join(__dirname, 'worker.js');
  if (fs.existsSync(compiled)) return compiled;
  const out = path.join(os.tmpdir(), `local-gateway-worker-${process.pid}.js`);
  if (!fs.existsSync(out)) {
    // Only when running from the TypeScript sources (this repository's tests and demo).
    // eslint-disable-next-line @typescript-eslint/no-require-imports, import/no-extraneous-dependencies
    const esbuild = require('esbuild') as typeof import('esbuild');
    esbuild.buildSync({ entryPoints: [path.join(__dirname, 'worker.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: out, logLevel: 'warning' });
  }
  return out;
}
