/**
 * One request's context, from the moment it arrives to its access-log line: the client's request
 * and response, the route it matched, and the timings and outcome API Gateway logs. Every stage of
 * the gateway reads and writes this one object instead of passing arguments along.
 */
import { randomBytes, randomUUID } from 'crypto';
import type * as http from 'http';
import type { LocalAddresses } from './deploy-values';
import { isBinaryMediaType, RequestRecord } from './lambda/event';
import type { GatewayResponseSpec, Route } from './route';
import { MAX_REQUEST_BODY_BYTES } from '../wire/limits';

export type TransferMode = 'STREAMED' | 'BUFFERED';

export class RequestContext {
  public readonly requestId = randomUUID();
  public readonly started = Date.now();
  public readonly ip: string;
  /** The request's path and query (`url.pathname` is the path as sent, `//a/b` included). */
  public readonly url: URL;
  /** The authority of an absolute-form target (`GET http://host/path`), which stands for `Host`. */
  public readonly authority?: string;
  /** The target is neither a path nor an absolute URL (`*`, `http://a:99999/`): answered 400. */
  public readonly badTarget: boolean;
  /** What the method's Lambda authorizer allowed the request with (the event's `requestContext.authorizer`). */
  public authorizer?: Record<string, unknown>;
  /** The API key the request was admitted with (the event's `requestContext.identity.apiKey`, `apiKeyId`). */
  public apiKey?: { readonly id: string; readonly value: string };
  /** The access key of an IAM method's verified signature (the event's `requestContext.identity.accessKey`). */
  public callerAccessKey?: string;
  /** The custom gateway responses of the API the request is for (AWS::ApiGateway::GatewayResponse). */
  public gatewayResponses?: readonly GatewayResponseSpec[];
  /** What the deploy-time URLs in those and in MOCK integrations stand for locally (deploy-values.ts). */
  public localAddresses?: LocalAddresses;
  /** The matched route and its path parameters (set by the router). */
  public route?: Route;
  public pathParameters: Record<string, string> | null = null;
  /** The request path within the API, without the API's prefix or stage (set by the router). */
  public apiPath = '/';
  /** The stage the request is for (set by the router). */
  public stage?: string;
  /** The request body (read whole: API Gateway does not stream requests). */
  public body: Buffer = Buffer.alloc(0);
  public mode: TransferMode = 'BUFFERED';
  /** Timings (epoch ms) and outcome for the access log. */
  public integrationStarted?: number;
  public allHeaders?: number;
  public firstContent?: number;
  public ended?: number;
  public status?: number;
  public bytes = 0;
  /** The exchange is over: the response closed, or the client's connection did. */
  public closed = false;
  private readonly closeListeners: Array<() => void> = [];

  constructor(
    public readonly req: http.IncomingMessage,
    public readonly res: http.ServerResponse,
    private readonly logger: (message: string) => void,
  ) {
    this.ip = req.socket.remoteAddress ?? '-';
    const target = requestTarget(req.url ?? '/');
    this.url = target?.url ?? new URL('http://localhost/');
    this.authority = target?.authority;
    this.badTarget = target === undefined;
    // A response queued behind others on a pipelining connection gets no 'close' of its own when
    // the client leaves: the connection's 'close' ends it too.
    const close = () => {
      if (this.closed) return;
      this.closed = true;
      req.socket.off('close', close);
      this.closeListeners.splice(0).forEach((listener) => listener());
    };
    res.once('close', close);
    req.socket.once('close', close);
  }

  /** Calls `listener` once the exchange is over (see `closed`), in the order they were added. */
  public onClose(listener: () => void): void {
    if (this.closed) listener();
    else this.closeListeners.push(listener);
  }

  public get streamed(): boolean {
    return this.mode === 'STREAMED';
  }

  /** The record of this routed request (`body` replaces its own, e.g. for a web app's header). */
  public record(body: Buffer = this.body): RequestRecord {
    const route = this.route!;
    const { req } = this;
    const binary = body.length > 0 && isBinaryMediaType(String(req.headers['content-type'] ?? ''), route.binaryMediaTypes ?? []);
    return {
      method: req.method ?? 'GET',
      httpVersion: req.httpVersion,
      rawHeaders: forwarded(req, this.ip),
      host: String(req.headers.host ?? 'localhost'),
      userAgent: String(req.headers['user-agent'] ?? ''),
      search: this.url.search,
      body: body.length === 0 ? null : binary ? body.toString('base64') : body.toString('utf8'),
      isBase64Encoded: binary,
      resource: route.path,
      path: this.apiPath,
      pathParameters: this.pathParameters,
      stage: this.stage ?? route.stageName,
      apiId: route.apiId,
      requestId: this.requestId,
      sourceIp: this.ip,
      time: Date.now(),
      authorizer: this.authorizer,
      apiKey: this.apiKey,
      accessKey: this.callerAccessKey,
    };
  }

  /** Logs a diagnostic about this request, naming its route. */
  public log(message: string): void {
    this.logger(this.route ? `${this.route.httpMethod} ${this.route.path}: ${message}` : message);
  }

  /** Answers with a whole response the gateway makes itself (gateway-responses.ts), recording the outcome. */
  public send(status: number, headers: Record<string, string>, body: string): void {
    this.status = status;
    this.ended = Date.now();
    this.bytes = Buffer.byteLength(body);
    this.res.writeHead(status, { 'content-type': 'application/json', ...headers, 'content-length': String(this.bytes) });
    this.res.end(body);
  }
}

const EMPTY = Buffer.alloc(0);

const ADDED = new Set(['x-forwarded-port', 'x-forwarded-proto', 'x-amzn-trace-id']);

/**
 * The headers as API Gateway passes them to a proxy integration: the client's, with
 * `X-Forwarded-For` (the client's address after any the client sent), `X-Forwarded-Port` and
 * `X-Forwarded-Proto` (how the client connected: here, plain HTTP on the gateway's port) and an
 * `X-Amzn-Trace-Id`, which libraries read to build absolute URLs and to trace.
 */
export function forwarded(req: http.IncomingMessage, ip: string): string[] {
  const headers: string[] = [];
  let forwardedFor: string | undefined;
  let traceId: string | undefined;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i].toLowerCase();
    if (name === 'x-forwarded-for') forwardedFor = forwardedFor ? `${forwardedFor}, ${req.rawHeaders[i + 1]}` : req.rawHeaders[i + 1];
    else if (name === 'x-amzn-trace-id') traceId = req.rawHeaders[i + 1];
    else if (!ADDED.has(name)) headers.push(req.rawHeaders[i], req.rawHeaders[i + 1]);
  }
  const trace = traceId ?? `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
  headers.push('X-Amzn-Trace-Id', trace, 'X-Forwarded-For', forwardedFor ? `${forwardedFor}, ${ip}` : ip,
    'X-Forwarded-Port', String(req.socket.localPort ?? ''), 'X-Forwarded-Proto', 'http');
  return headers;
}

/** Reads a request body of at most `limit` bytes; undefined when it is longer. */
export function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | undefined> {
  // No Content-Length (or 0) and no Transfer-Encoding: HTTP/1.1 says there is no body (RFC 9112
  // 6.3), so nothing to wait for (Node discards the empty stream when the response ends).
  const length = req.headers['content-length'];
  if ((length === undefined || length === '0') && req.headers['transfer-encoding'] === undefined) return Promise.resolve(EMPTY);
  // Plain listeners: an async iterator per request costs more than reading a small body.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.resume();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(size > limit ? undefined : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/**
 * A request target (RFC 9112 3.2) as a URL on a fixed origin: origin-form (`/path?query`; a path
 * that starts with `//` stays a path, never a host) or absolute-form (`http://host/path`, whose
 * authority is returned: it stands for the `Host` header). Undefined when the target is neither,
 * or cannot be parsed (a port over 65535, a broken IPv6 literal).
 */
export function requestTarget(target: string): { url: URL; authority?: string } | undefined {
  try {
    if (target.startsWith('/')) return { url: new URL(`http://localhost${target}`) };
    if (/^https?:\/\//i.test(target)) {
      const absolute = new URL(target);
      return { url: new URL(`http://localhost${absolute.pathname}${absolute.search}`), authority: absolute.host };
    }
  } catch {
    // neither
  }
  return undefined;
}

/** A declared body over API Gateway's 10 MB. */
export function tooLong(req: http.IncomingMessage): boolean {
  return Number(req.headers['content-length'] ?? 0) > MAX_REQUEST_BODY_BYTES;
}

/** How many `Host` headers a request has (more than one is a 400, RFC 9112 3.2). */
export function hostHeaders(req: http.IncomingMessage): number {
  let count = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i].length === 4 && req.rawHeaders[i].toLowerCase() === 'host') count++;
  return count;
}

/** The request line and header lines as sent, line ends included (`name: value` as Node read them). */
export function headBytes(req: http.IncomingMessage): number {
  // (Node reads a head as Latin-1: a string's length is its bytes)
  let bytes = `${req.method} ${req.url} HTTP/${req.httpVersion}\r\n`.length;
  for (let i = 0; i < req.rawHeaders.length; i += 2) bytes += req.rawHeaders[i].length + 2 + req.rawHeaders[i + 1].length + 2;
  return bytes;
}
