/**
 * API keys, usage plans and stage throttling, applied to requests as API Gateway applies them:
 * a stage's (or method's) throttle first, then, for a method with `apiKeyRequired`, the API key
 * (`x-api-key`, or the Lambda authorizer's `usageIdentifierKey` when the API's key source is
 * AUTHORIZER) must be an enabled key of a usage plan of the stage, whose throttle and quota then
 * apply per key. Generated key values (a template without `Value`) are made at start and kept
 * across reloads, or given by the user (`apiKeys`, `--api-key name=value`).
 */
import { randomBytes } from 'crypto';
import { usageAnswer, UsageMeter, UsageRequest, USAGE_ANSWERS } from './api-keys';
import type { ApiKeySpec, StageThrottle, Throttle, UsagePlanSpec } from './usage-plans';
import { encodeSettingsPath } from '../../src/private/template';
import type { GatewayAnswer } from '../gateway-responses';
import type { Route } from '../route';

/** The key a request was admitted with (the event's `requestContext.identity.apiKey`/`apiKeyId`). */
export interface AdmittedKey {
  readonly id: string;
  readonly value: string;
}

export type UsageOutcome = { readonly admitted: AdmittedKey | undefined } | { readonly refused: GatewayAnswer; readonly why: string };

export class Usage {
  private meter: UsageMeter;
  private readonly generated = new Map<string, string>();
  /** The keys already announced (a reload announces only new ones). */
  private readonly announced = new Set<string>();

  /** @param given key values by key name or logical id (for keys API Gateway would generate). */
  constructor(private readonly given: Readonly<Record<string, string>> = {}, private readonly now: () => number = Date.now) {
    this.meter = new UsageMeter(now);
  }

  /** A new synthesis: buckets and quotas start afresh; generated key values stay. */
  public reload(): void {
    this.meter = new UsageMeter(this.now);
  }

  /** The value of a key: the template's literal, else the user's, else one generated once. */
  public valueOf(key: ApiKeySpec): string {
    const given = this.given[key.name] ?? this.given[key.logicalId];
    if (given !== undefined) return given;
    if (key.value !== undefined) return key.value;
    let value = this.generated.get(key.logicalId);
    if (!value) {
      // API Gateway's generated keys are 40 characters of letters and digits.
      value = randomBytes(30).toString('base64').replace(/[^A-Za-z0-9]/g, '').padEnd(40, '0').slice(0, 40);
      this.generated.set(key.logicalId, value);
    }
    return value;
  }

  /** The start-up lines: each key (not announced before) of an API whose methods require one, and how to send it. */
  public notes(routes: readonly Route[]): string[] {
    const lines: string[] = [];
    for (const route of routes.filter((r) => r.protection?.apiKeyRequired && r.usage)) {
      for (const key of route.usage!.keys) {
        if (this.announced.has(`${key.logicalId}=${this.valueOf(key)}`)) continue;
        this.announced.add(`${key.logicalId}=${this.valueOf(key)}`);
        const origin = key.value !== undefined ? 'from the template' : this.given[key.name] ?? this.given[key.logicalId] ? 'given' : 'generated locally (API Gateway generates its own when deployed)';
        const state = !key.enabled ? ' — disabled: API Gateway refuses it' : key.plans.length === 0 ? ' — in no usage plan: API Gateway refuses it' : '';
        lines.push(`API key ${key.name}: ${this.valueOf(key)} (${origin})${state}; send it as ${route.usage!.keySource === 'HEADER' ? "'x-api-key: <key>'" : "the Lambda authorizer's usageIdentifierKey"}`);
      }
    }
    return lines;
  }

  /** Stage and method throttling, for every request of a metered API. */
  public throttleStage(route: Route, stage: string, method: string): GatewayAnswer | undefined {
    const throttle = stageThrottle(route.usage?.stageThrottles[stage] ?? [], route.path, route.httpMethod);
    if (!throttle) return undefined;
    return usageAnswer(this.meter.check({ throttles: [{ key: `stage:${route.stack}/${route.apiId}:${stage}:${method} ${route.path}`, ...throttle }] }));
  }

  /** The API key check of a method with `apiKeyRequired`, and its usage plan's throttle and quota. */
  public admitKey(route: Route, stage: string, headerKey: string | undefined, authorizerKey: string | undefined): UsageOutcome {
    const usage = route.usage;
    if (!route.protection?.apiKeyRequired) return { admitted: undefined };
    const sent = usage?.keySource === 'AUTHORIZER' ? authorizerKey : headerKey;
    const where = usage?.keySource === 'AUTHORIZER' ? "the authorizer's usageIdentifierKey" : 'x-api-key';
    if (!sent) return { refused: USAGE_ANSWERS.forbidden, why: `no API key (${where})` };
    const key = usage?.keys.find((k) => k.enabled && this.valueOf(k) === sent);
    const plan = key && usage!.plans.find((p) => key.plans.includes(p.logicalId) && p.stages.includes(stage));
    if (!key || !plan) return { refused: USAGE_ANSWERS.forbidden, why: `the API key in ${where} is not an enabled key of a usage plan of stage ${stage}` };
    const decision = this.meter.check(planUsage(plan, key, stage, route));
    const answer = usageAnswer(decision);
    if (answer) return { refused: answer, why: `API key ${key.name}: usage plan ${plan.name} ${decision}` };
    return { admitted: { id: key.logicalId, value: sent } };
  }
}

/** What a usage plan meters for one key and method: its (method) throttle and its quota, per key. */
function planUsage(plan: UsagePlanSpec, key: ApiKeySpec, stage: string, route: Route): UsageRequest {
  const methodThrottle: Throttle | undefined = plan.methodThrottles[stage]?.[`${route.path}/${route.httpMethod}`];
  const throttle = methodThrottle ?? plan.throttle;
  const scope = methodThrottle ? `:${route.httpMethod} ${route.path}` : '';
  return {
    throttles: throttle ? [{ key: `plan:${plan.logicalId}:${key.logicalId}:${stage}${scope}`, ...throttle }] : [],
    quota: plan.quota && { key: `quota:${plan.logicalId}:${key.logicalId}`, ...plan.quota },
  };
}

/** The most specific stage throttle for a method (this path and verb, this path, this verb, the stage). */
function stageThrottle(throttles: readonly StageThrottle[], path: string, httpMethod: string): Throttle | undefined {
  const encoded = encodeSettingsPath(path);
  const order: Array<[string, string]> = [[encoded, httpMethod], [encoded, '*'], ['/*', httpMethod], ['/*', '*']];
  let rateLimit: number | undefined;
  let burstLimit: number | undefined;
  for (const [resourcePath, verb] of order) {
    for (const t of throttles.filter((s) => s.resourcePath === resourcePath && s.httpMethod === verb)) {
      rateLimit ??= t.rateLimit;
      burstLimit ??= t.burstLimit;
    }
  }
  if (rateLimit === undefined && burstLimit === undefined) return undefined;
  return { rateLimit: rateLimit ?? 10_000, burstLimit: burstLimit ?? 5_000 };
}
