/**
 * An API's API keys, usage plans and stage throttling as the assembly writes them
 * (AWS::ApiGateway::ApiKey, UsagePlan, UsagePlanKey, and the stages' `MethodSettings` /
 * `StageDescription` throttling), read once per API for the gateway's usage checks (usage.ts).
 */
import { logicalIdOf, refOf, TemplateResource } from '../../src/private/template';

export interface Throttle {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

export interface Quota {
  readonly limit: number;
  readonly period: 'DAY' | 'WEEK' | 'MONTH';
  readonly offset: number;
}

/** An API key of the assembly. `value` is undefined when API Gateway generates it (or it is a token). */
export interface ApiKeySpec {
  readonly logicalId: string;
  readonly name: string;
  readonly value?: string;
  /** `Enabled` (CloudFormation's default is false; `apigateway.ApiKey` writes true). */
  readonly enabled: boolean;
  /** The usage plans (logical ids) the key belongs to (UsagePlanKey). */
  readonly plans: readonly string[];
}

/** A usage plan, as it applies to one stage of the API. */
export interface UsagePlanSpec {
  readonly logicalId: string;
  readonly name: string;
  /** The stages of this API the plan is associated with. */
  readonly stages: readonly string[];
  readonly throttle?: Throttle;
  /** Per-method throttles by stage, keyed `<resource path>/<METHOD>` as `ApiStages[].Throttle` writes them. */
  readonly methodThrottles: Readonly<Record<string, Readonly<Record<string, Throttle>>>>;
  readonly quota?: Quota;
}

/** A throttle of a stage's method settings (`/*` and `*` for the whole stage). */
export interface StageThrottle extends Partial<Throttle> {
  readonly resourcePath: string;
  readonly httpMethod: string;
}

/** What meters an API's requests. */
export interface UsageSpec {
  /** `HEADER` (`x-api-key`) or `AUTHORIZER` (the Lambda authorizer's `usageIdentifierKey`). */
  readonly keySource: 'HEADER' | 'AUTHORIZER';
  readonly keys: readonly ApiKeySpec[];
  readonly plans: readonly UsagePlanSpec[];
  /** Stage throttling, by stage name. */
  readonly stageThrottles: Readonly<Record<string, readonly StageThrottle[]>>;
}

const num = (value: unknown): number | undefined => {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  return typeof value === 'string' && /^\d+(\.\d+)?$/.test(value) ? Number(value) : undefined;
};

function throttleOf(raw: any): Throttle | undefined {
  const rateLimit = num(raw?.RateLimit);
  const burstLimit = num(raw?.BurstLimit);
  if (rateLimit === undefined && burstLimit === undefined) return undefined;
  // Unset parts are not limited (API Gateway falls back to the account's limits: 10,000 / 5,000).
  return { rateLimit: rateLimit ?? 10_000, burstLimit: burstLimit ?? 5_000 };
}

function quotaOf(raw: any): Quota | undefined {
  const limit = num(raw?.Limit);
  const period = typeof raw?.Period === 'string' ? raw.Period.toUpperCase() : undefined;
  if (limit === undefined || (period !== 'DAY' && period !== 'WEEK' && period !== 'MONTH')) return undefined;
  return { limit, period, offset: num(raw?.Offset) ?? 0 };
}

/** The stage name a `Stage` value names: a literal, or a Ref to a Stage (or Deployment) of the template. */
function stageNameOf(value: unknown, resources: Record<string, TemplateResource>): string | undefined {
  if (typeof value === 'string') return value;
  const id = refOf(value);
  const name = id ? resources[id]?.Properties?.StageName : undefined;
  return typeof name === 'string' ? name : undefined;
}

/** The usage spec of the REST API `apiId` (a logical id of `resources`); `idOf` names ids as the stack does. */
export function usageOf(apiId: string, resources: Record<string, TemplateResource>, idOf: (id: string) => string = (id) => id): UsageSpec {
  const api = resources[apiId]?.Properties ?? {};
  const keySource = String(api.ApiKeySourceType ?? 'HEADER').toUpperCase() === 'AUTHORIZER' ? 'AUTHORIZER' : 'HEADER';
  const plans: UsagePlanSpec[] = [];
  const stageThrottles: Record<string, StageThrottle[]> = {};
  for (const [id, resource] of Object.entries(resources)) {
    const props = resource.Properties ?? {};
    if (resource.Type === 'AWS::ApiGateway::UsagePlan') {
      const ours = (Array.isArray(props.ApiStages) ? props.ApiStages : []).filter((s: any) => logicalIdOf(s?.ApiId) === apiId);
      if (ours.length === 0) continue;
      const methodThrottles: Record<string, Record<string, Throttle>> = {};
      const stages: string[] = [];
      for (const s of ours) {
        const stage = stageNameOf(s.Stage, resources);
        if (!stage) continue;
        stages.push(stage);
        const entries = Object.entries<any>(s.Throttle ?? {}).map(([key, raw]) => [key, throttleOf(raw)] as const);
        methodThrottles[stage] = Object.fromEntries(entries.filter((e): e is [string, Throttle] => e[1] !== undefined));
      }
      const name = String(props.UsagePlanName ?? id);
      plans.push({ logicalId: idOf(id), name, stages, throttle: throttleOf(props.Throttle), methodThrottles, quota: quotaOf(props.Quota) });
    } else if ((resource.Type === 'AWS::ApiGateway::Stage' || resource.Type === 'AWS::ApiGateway::Deployment') && logicalIdOf(props.RestApiId) === apiId) {
      const settings = resource.Type === 'AWS::ApiGateway::Stage' ? props : props.StageDescription;
      const stage = typeof props.StageName === 'string' ? props.StageName : undefined;
      if (!stage || !settings) continue;
      const list = stageThrottles[stage] ??= [];
      const stageWide = { rateLimit: num(settings.ThrottlingRateLimit), burstLimit: num(settings.ThrottlingBurstLimit) };
      const limited = stageWide.rateLimit !== undefined || stageWide.burstLimit !== undefined;
      if (limited) list.push({ resourcePath: '/*', httpMethod: '*', ...stageWide });
      for (const raw of Array.isArray(settings.MethodSettings) ? settings.MethodSettings : []) {
        const limits = { rateLimit: num(raw?.ThrottlingRateLimit), burstLimit: num(raw?.ThrottlingBurstLimit) };
        if (limits.rateLimit === undefined && limits.burstLimit === undefined) continue;
        list.push({ resourcePath: String(raw.ResourcePath ?? '/*'), httpMethod: String(raw.HttpMethod ?? '*'), ...limits });
      }
    }
  }
  const planIds = new Set(plans.map((p) => p.logicalId));
  const keyPlans = new Map<string, string[]>();
  for (const resource of Object.values(resources)) {
    if (resource.Type !== 'AWS::ApiGateway::UsagePlanKey') continue;
    const keyId = logicalIdOf(resource.Properties?.KeyId);
    const planId = logicalIdOf(resource.Properties?.UsagePlanId);
    if (keyId && planId && planIds.has(idOf(planId))) keyPlans.set(keyId, [...keyPlans.get(keyId) ?? [], idOf(planId)]);
  }
  const keys: ApiKeySpec[] = [];
  for (const [id, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::ApiGateway::ApiKey') continue;
    const props = resource.Properties ?? {};
    const stageKeyOfApi = (Array.isArray(props.StageKeys) ? props.StageKeys : []).some((k: any) => logicalIdOf(k?.RestApiId) === apiId);
    if (!keyPlans.has(id) && !stageKeyOfApi) continue;
    keys.push({
      logicalId: idOf(id),
      name: typeof props.Name === 'string' ? props.Name : id,
      value: typeof props.Value === 'string' ? props.Value : undefined,
      enabled: props.Enabled === true || props.Enabled === 'true',
      plans: keyPlans.get(id) ?? [],
    });
  }
  return { keySource, keys, plans, stageThrottles };
}

/** True when the API has anything to meter (keys, plans or stage throttles). */
export function meters(usage: UsageSpec | undefined): boolean {
  return !!usage && (usage.keys.length > 0 || usage.plans.length > 0 || Object.keys(usage.stageThrottles).length > 0);
}
