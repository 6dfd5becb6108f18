/**
 * Lambda authorizers, run as API Gateway runs them before a protected method's integration: the
 * identity sources first (a missing one, or a token its validation expression refuses, is a 401
 * without invoking anything), then the authorizer's function, in execution environments of its own,
 * with API Gateway's TOKEN or REQUEST event; its policy is evaluated against the method's ARN (a
 * cached policy too, per identity, for the authorizer's TTL), and its `principalId` and `context`
 * reach the integration as `requestContext.authorizer`.
 */
import { AuthorizerCache, cacheKey, identityValues, tokenPassesValidation } from './identity';
import { AuthorizerResult, authorizerResult, evaluatePolicy, methodArn } from './policy';
import { ANSWERS, GatewayAnswer } from '../gateway-responses';
import type { ExecutionEnvironment } from '../lambda/environment';
import { restEvent } from '../lambda/event';
import { beforeTimeout } from '../lambda/limits';
import type { InvocationEnd } from '../lambda/outcome';
import type { EnvironmentPool } from '../lambda/pool';
import type { RequestContext } from '../request';
import type { AuthorizerSpec, RouteFunction } from '../route';

/** What an allowed request carries on: the event's `requestContext.authorizer`. */
export type AuthorizerContext = Record<string, string | number | boolean>;

/** The outcome of an authorizer for one request. */
export type Authorization =
  | { readonly allowed: AuthorizerContext; readonly usageIdentifierKey?: string }
  | { readonly refused: GatewayAnswer; readonly why: string };

/** API Gateway's limit on a Lambda authorizer's answer. */
const AUTHORIZER_TIMEOUT_MS = 10_000;

export class Authorizers {
  private readonly cache = new AuthorizerCache<AuthorizerResult>();

  constructor(private readonly poolOf: (fn: RouteFunction) => EnvironmentPool) {}

  public async authorize(ctx: RequestContext, spec: AuthorizerSpec): Promise<Authorization> {
    const headers = Object.fromEntries(Object.entries(ctx.req.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(',') : value]));
    const identity = identityValues(spec.identitySources.join(','), { headers, queryStringParameters: Object.fromEntries(ctx.url.searchParams) });
    if ('missing' in identity) return { refused: ANSWERS.unauthorized, why: `the authorizer's identity source ${identity.missing} is missing` };
    const token = identity.values[0] ?? '';
    if (spec.type === 'TOKEN' && !tokenPassesValidation(token, spec.validationExpression)) {
      return { refused: ANSWERS.unauthorized, why: 'the token does not match the authorizer\'s identity validation expression' };
    }
    const arn = methodArn({
      region: process.env.AWS_REGION ?? 'us-east-1',
      accountId: '000000000000',
      apiId: ctx.route!.apiId,
      stage: ctx.stage ?? ctx.route!.stageName,
      method: ctx.req.method ?? 'GET',
      path: ctx.apiPath,
    });
    const key = cacheKey(spec.logicalId, identity.values);
    let result = spec.identitySources.length > 0 ? this.cache.get(key) : undefined;
    if (!result) {
      const answered = await this.invoke(ctx, spec, spec.type === 'TOKEN'
        ? { type: 'TOKEN', authorizationToken: token, methodArn: arn }
        : { ...restEvent(ctx.record()), type: 'REQUEST', methodArn: arn });
      if ('refused' in answered) return answered;
      result = answered.result;
      if (spec.identitySources.length > 0) this.cache.set(key, result, spec.ttlSeconds);
    }
    const decision = evaluatePolicy(result.policy, arn);
    if (decision === 'explicit-deny') return { refused: ANSWERS.explicitDeny, why: `the authorizer's policy denies ${arn}` };
    if (decision === 'implicit-deny') return { refused: ANSWERS.implicitDeny, why: `the authorizer's policy allows nothing that matches ${arn}` };
    return { allowed: { ...result.context, principalId: result.principalId }, usageIdentifierKey: result.usageIdentifierKey };
  }

  /** Invokes the authorizer's function with `event`; its result, or why the request is refused. */
  private async invoke(
    ctx: RequestContext, spec: AuthorizerSpec, event: unknown,
  ): Promise<{ result: AuthorizerResult } | Extract<Authorization, { refused: GatewayAnswer }>> {
    const pool = this.poolOf(spec.function);
    const timeoutMs = Math.min(spec.function.timeoutSeconds * 1000, AUTHORIZER_TIMEOUT_MS);
    const environment = pool.takeWarm() ?? await beforeTimeout(pool.acquire(), timeoutMs);
    if (!environment) return { refused: ANSWERS.authorizerError, why: 'the authorizer\'s function did not start in time' };
    const { end, payload } = await run(environment, ctx, event, timeoutMs);
    if (end.outcome === 'ended' && environment.alive) pool.release(environment);
    else pool.discard(environment);
    if (end.outcome !== 'ended') {
      if (end.error?.errorMessage === 'Unauthorized') return { refused: ANSWERS.unauthorized, why: 'the authorizer answered Unauthorized' };
      return { refused: ANSWERS.authorizerError, why: `the authorizer failed: ${end.error?.errorType}: ${end.error?.errorMessage}` };
    }
    let value: unknown;
    try {
      value = JSON.parse(payload.toString('utf8'));
    } catch {
      return { refused: ANSWERS.authorizerError, why: 'the authorizer\'s result is not JSON (is it a streaming handler?)' };
    }
    const result = authorizerResult(value);
    if ('malformed' in result) return { refused: ANSWERS.authorizerError, why: `the authorizer's result is malformed: ${result.malformed}` };
    return { result };
  }
}

/** One invocation of `environment` with `event`: how it ended and what it returned. */
function run(
  environment: ExecutionEnvironment, ctx: RequestContext, event: unknown, timeoutMs: number,
): Promise<{ end: InvocationEnd; payload: Buffer }> {
  const chunks: Buffer[] = [];
  return new Promise((resolve) => environment.invoke(ctx.record(Buffer.alloc(0)), timeoutMs, {
    onData: (chunk) => chunks.push(Buffer.from(chunk)),
    onEnd: (end) => resolve({ end, payload: Buffer.concat(chunks) }),
  }, event));
}
