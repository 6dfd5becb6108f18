/**
 * The access log: one entry per request with the keys of
 * `StreamingAccessLogFormat.jsonWithStreamingFields()` (a test pins the two together).
 */
import type { RequestContext } from './request';
import { clfTime } from './time';

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

/** The access-log entry of a finished request. */
export function accessLogEntry(ctx: RequestContext): AccessLogEntry {
  const start = ctx.integrationStarted;
  const since = (t?: number) => (t === undefined || start === undefined ? '-' : String(t - start));
  const ended = ctx.ended ?? Date.now();
  return {
    requestId: ctx.requestId,
    ip: ctx.ip,
    caller: '-',
    user: '-',
    requestTime: clfTime(ctx.started),
    httpMethod: ctx.req.method ?? '-',
    resourcePath: ctx.route?.path ?? '-',
    status: ctx.status === undefined ? '-' : String(ctx.status),
    protocol: `HTTP/${ctx.req.httpVersion}`,
    responseLength: String(ctx.bytes),
    integrationLatency: start === undefined ? '-' : String(ended - start),
    responseLatency: String(ended - ctx.started),
    responseTransferMode: start === undefined ? '-' : ctx.mode,
    timeToAllHeaders: since(ctx.allHeaders),
    timeToFirstContent: since(ctx.firstContent),
  };
}
