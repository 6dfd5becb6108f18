/**
 * Usage plans and stage throttling, metered locally: token buckets (`rateLimit` requests per
 * second refilling up to `burstLimit`) and quota counters per calendar period. The caller names
 * each limit by a key of its choosing, e.g. `stage:prod`, `method:prod GET /chat`,
 * `apikey:<id>`, `apikey:<id>:prod GET /chat`, so one meter serves every layer API Gateway
 * stacks (stage, method, usage plan, usage plan per method).
 *
 * A request passes only if every bucket it is subject to has a token and its quota is not used
 * up; a rejected request consumes nothing (*unverified*: whether AWS counts throttled requests
 * against the quota). Throttles are checked before the quota.
 */
import { ANSWERS, GatewayAnswer } from '../gateway-responses';

export const USAGE_ANSWERS = {
  /** `apiKeyRequired` without a valid `x-api-key` (or authorizer `usageIdentifierKey`). */
  forbidden: ANSWERS.invalidApiKey,
  throttled: ANSWERS.throttled,
  quotaExceeded: ANSWERS.quotaExceeded,
} as const satisfies Record<string, GatewayAnswer>;

export interface ThrottleLimit {
  /** Names the bucket; requests that share a key share the bucket. */
  readonly key: string;
  /** Steady-state requests per second. */
  readonly rateLimit: number;
  /** Bucket capacity: how many requests may arrive at once (0 refuses all). */
  readonly burstLimit: number;
}

export type QuotaPeriod = 'DAY' | 'WEEK' | 'MONTH';

export interface QuotaLimit {
  readonly key: string;
  /** Requests per period. */
  readonly limit: number;
  readonly period: QuotaPeriod;
  /** Requests subtracted from the limit in the first period (QuotaSettings `offset`). @default 0 */
  readonly offset?: number;
}

export interface UsageRequest {
  readonly throttles?: readonly ThrottleLimit[];
  readonly quota?: QuotaLimit;
}

export type UsageDecision = 'ok' | 'throttled' | 'quota-exceeded';

/** The answer for a decision, or `undefined` when the request goes through. */
export function usageAnswer(decision: UsageDecision): GatewayAnswer | undefined {
  if (decision === 'throttled') return USAGE_ANSWERS.throttled;
  if (decision === 'quota-exceeded') return USAGE_ANSWERS.quotaExceeded;
  return undefined;
}

/**
 * The start (ms, UTC) of the calendar period holding `now`. Weeks start on Sunday 00:00 UTC
 * (*unverified*: AWS does not document the week's first day any more).
 */
export function periodStart(period: QuotaPeriod, now: number): number {
  const d = new Date(now);
  if (period === 'MONTH') return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  return period === 'DAY' ? day : day - d.getUTCDay() * 86_400_000;
}

interface Bucket { rateLimit: number; burstLimit: number; tokens: number; at: number }
interface Counter { limit: number; period: QuotaPeriod; start: number; used: number; first: boolean; offset: number }

/** Allows for float drift in refills (0.1 + 0.2 tokens is a token and a bit, not a bit less). */
const EPSILON = 1e-9;

export class UsageMeter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly counters = new Map<string, Counter>();

  /** @param now the clock, in ms; tests drive it. */
  constructor(private readonly now: () => number = Date.now) {}

  /** Decides one request and, when it passes, takes its token from each bucket and counts it. */
  check(request: UsageRequest): UsageDecision {
    const at = this.now();
    const buckets = (request.throttles ?? []).map((limit) => this.refilled(limit, at));
    if (buckets.some((b) => b.tokens < 1 - EPSILON)) return 'throttled';
    const counter = request.quota && this.counter(request.quota, at);
    if (counter && counter.used >= this.allowance(counter)) return 'quota-exceeded';
    for (const b of buckets) b.tokens = Math.max(0, b.tokens - 1);
    if (counter) counter.used++;
    return 'ok';
  }

  /** Requests left in the current period for a quota key (what `GetUsage` would report as remaining). */
  remaining(quota: QuotaLimit): number {
    const counter = this.counter(quota, this.now());
    return Math.max(0, this.allowance(counter) - counter.used);
  }

  private allowance(counter: Counter): number {
    return counter.first ? counter.limit - counter.offset : counter.limit;
  }

  /** The bucket for a limit, refilled up to now; new or re-configured buckets start full. */
  private refilled(limit: ThrottleLimit, at: number): Bucket {
    let b = this.buckets.get(limit.key);
    if (!b || b.rateLimit !== limit.rateLimit || b.burstLimit !== limit.burstLimit) {
      b = { rateLimit: limit.rateLimit, burstLimit: limit.burstLimit, tokens: limit.burstLimit, at };
      this.buckets.set(limit.key, b);
    }
    const elapsed = Math.max(0, at - b.at) / 1000;
    b.tokens = Math.min(b.burstLimit, b.tokens + elapsed * b.rateLimit);
    b.at = Math.max(b.at, at);
    return b;
  }

  /** The counter for a quota, reset when a new period has begun (or the settings changed). */
  private counter(quota: QuotaLimit, at: number): Counter {
    const start = periodStart(quota.period, at);
    let c = this.counters.get(quota.key);
    if (!c || c.limit !== quota.limit || c.period !== quota.period) {
      c = { limit: quota.limit, period: quota.period, start, used: 0, first: true, offset: quota.offset ?? 0 };
      this.counters.set(quota.key, c);
    } else if (start > c.start) {
      Object.assign(c, { start, used: 0, first: false });
    }
    return c;
  }
}
