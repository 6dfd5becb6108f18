/**
 * A Lambda authorizer's answer, judged the way API Gateway judges it: first its shape (a
 * malformed answer is a 500, not a deny), then its IAM policy against the method ARN of the
 * request. A cached answer is re-evaluated per method ARN, so evaluation is kept apart from
 * validation: the gateway caches the validated result and calls `evaluatePolicy` per request.
 */
import { ANSWERS, GatewayAnswer } from '../gateway-responses';

/** The outcomes API Gateway answers for itself around an authorizer (from the one home of its answers). */
export type AuthAnswer = GatewayAnswer;

export const AUTH_ANSWERS = {
  /** No identity source, a failed identity validation expression, or the authorizer raised `Unauthorized`. */
  unauthorized: ANSWERS.unauthorized,
  /** A statement with `Effect: Deny` matched the method ARN. */
  explicitDeny: ANSWERS.explicitDeny,
  /** No `Allow` statement matched the method ARN. */
  implicitDeny: ANSWERS.implicitDeny,
  /** The authorizer's answer is not a valid principal + policy (or the authorizer failed otherwise). */
  malformed: ANSWERS.authorizerError,
} as const;

/** One policy statement, normalized: lists always, `not` for NotAction/NotResource. */
export interface PolicyStatement {
  readonly effect: 'Allow' | 'Deny';
  readonly action: { readonly not: boolean; readonly patterns: readonly string[] };
  readonly resource: { readonly not: boolean; readonly patterns: readonly string[] };
  /**
   * The statement carries an IAM `Condition`, which the local gateway does not evaluate. It
   * fails closed: such an Allow never allows, such a Deny always applies.
   */
  readonly conditional: boolean;
}

export interface PolicyDocument {
  readonly version: string;
  readonly statements: readonly PolicyStatement[];
}

export type ContextValue = string | number | boolean;

export interface AuthorizerResult {
  readonly principalId: string;
  readonly policy: PolicyDocument;
  /** Passed to the integration as `requestContext.authorizer` (next to `principalId`). */
  readonly context?: Readonly<Record<string, ContextValue>>;
  /** The API key of the usage plan when the API's `apiKeySource` is `AUTHORIZER`. */
  readonly usageIdentifierKey?: string;
}

export type PolicyDecision = 'allow' | 'explicit-deny' | 'implicit-deny';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A string or a non-empty array of strings (IAM accepts both for Action and Resource). */
function stringList(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string')) return value;
  return undefined;
}

type Parsed<T> = T | { malformed: string };

/** Either `Name` or `NotName`, exactly one of them (keys are case-sensitive, as IAM documents them). */
function element(raw: Record<string, unknown>, name: 'Action' | 'Resource', at: string): Parsed<PolicyStatement['action']> {
  const has = name in raw;
  const hasNot = `Not${name}` in raw;
  if (has === hasNot) return { malformed: `${at} needs exactly one of ${name} and Not${name}` };
  const patterns = stringList(has ? raw[name] : raw[`Not${name}`]);
  if (!patterns) return { malformed: `${at}.${hasNot ? 'Not' : ''}${name} must be a string or a non-empty array of strings` };
  return { not: hasNot, patterns };
}

function statement(raw: unknown, at: string): Parsed<PolicyStatement> {
  if (!isRecord(raw)) return { malformed: `${at} must be an object` };
  // The Effect value is case-sensitive in IAM: `allow` is not `Allow`.
  if (raw.Effect !== 'Allow' && raw.Effect !== 'Deny') return { malformed: `${at}.Effect must be "Allow" or "Deny", got ${JSON.stringify(raw.Effect)}` };
  const action = element(raw, 'Action', at);
  if ('malformed' in action) return action;
  const resource = element(raw, 'Resource', at);
  if ('malformed' in resource) return resource;
  if ('Condition' in raw && !isRecord(raw.Condition)) return { malformed: `${at}.Condition must be an object` };
  return { effect: raw.Effect, action, resource, conditional: 'Condition' in raw };
}

function policyDocument(raw: unknown): Parsed<PolicyDocument> {
  if (!isRecord(raw)) return { malformed: 'policyDocument must be an object' };
  if (typeof raw.Version !== 'string') return { malformed: 'policyDocument.Version must be a string' };
  const list = isRecord(raw.Statement) ? [raw.Statement] : raw.Statement;
  if (!Array.isArray(list)) return { malformed: 'policyDocument.Statement must be an object or an array' };
  const statements: PolicyStatement[] = [];
  for (const [i, s] of list.entries()) {
    const parsed = statement(s, `policyDocument.Statement[${i}]`);
    if ('malformed' in parsed) return parsed;
    statements.push(parsed);
  }
  return { version: raw.Version, statements };
}

/**
 * Validates an authorizer's answer. Context values must be string, number or boolean (an object,
 * array or null is rejected by API Gateway as a configuration error).
 */
export function authorizerResult(value: unknown): Parsed<AuthorizerResult> {
  if (!isRecord(value)) return { malformed: 'the answer must be a JSON object' };
  if (typeof value.principalId !== 'string') return { malformed: 'principalId must be a string' };
  const policy = policyDocument(value.policyDocument);
  if ('malformed' in policy) return policy;
  let context: Record<string, ContextValue> | undefined;
  if (value.context !== undefined && value.context !== null) {
    if (!isRecord(value.context)) return { malformed: 'context must be an object' };
    for (const [key, v] of Object.entries(value.context)) {
      if (!['string', 'number', 'boolean'].includes(typeof v)) return { malformed: `context.${key} must be a string, number or boolean` };
    }
    context = value.context as Record<string, ContextValue>;
  }
  if (value.usageIdentifierKey !== undefined && typeof value.usageIdentifierKey !== 'string') {
    return { malformed: 'usageIdentifierKey must be a string' };
  }
  return {
    principalId: value.principalId,
    policy,
    ...(context ? { context } : {}),
    ...(typeof value.usageIdentifierKey === 'string' ? { usageIdentifierKey: value.usageIdentifierKey } : {}),
  };
}

/**
 * IAM wildcard matching: `*` any run of characters (`/` and `:` included), `?` exactly one.
 * Greedy with one backtrack point, so it stays linear-ish however many `*` a policy holds
 * (a regular expression built from the pattern can backtrack exponentially).
 */
export function wildcardMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === text[t])) {
      p++;
      t++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      resume = t;
    } else if (star >= 0) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

/** The only action a method invocation is: `execute-api:Invoke` (IAM action names are case-insensitive). */
const INVOKE = 'execute-api:invoke';

function applies(s: PolicyStatement, arn: string): boolean {
  const actionHit = s.action.patterns.some((p) => wildcardMatch(p.toLowerCase(), INVOKE));
  const resourceHit = s.resource.patterns.some((p) => wildcardMatch(p, arn));
  return actionHit !== s.action.not && resourceHit !== s.resource.not;
}

/** IAM's evaluation for one policy: an applicable Deny wins, else an applicable Allow, else implicit deny. */
export function evaluatePolicy(policy: PolicyDocument, arn: string): PolicyDecision {
  const hits = policy.statements.filter((s) => applies(s, arn));
  if (hits.some((s) => s.effect === 'Deny')) return 'explicit-deny';
  if (hits.some((s) => s.effect === 'Allow' && !s.conditional)) return 'allow';
  return 'implicit-deny';
}

export interface MethodArnParts {
  readonly region: string;
  readonly accountId: string;
  readonly apiId: string;
  readonly stage: string;
  readonly method: string;
  /** The request's path as the client sent it (not the resource template), e.g. `/pets/42`. */
  readonly path: string;
  /** @default 'aws' */
  readonly partition?: string;
}

/** The ARN an authorizer receives as `methodArn`: `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}`. */
export function methodArn(parts: MethodArnParts): string {
  const path = parts.path.replace(/^\/+/, '');
  return `arn:${parts.partition ?? 'aws'}:execute-api:${parts.region}:${parts.accountId}:${parts.apiId}/${parts.stage}/${parts.method.toUpperCase()}/${path}`;
}

/** The answer API Gateway gives for a policy decision, or `undefined` when the request goes through. */
export function answerFor(decision: PolicyDecision): AuthAnswer | undefined {
  if (decision === 'explicit-deny') return AUTH_ANSWERS.explicitDeny;
  if (decision === 'implicit-deny') return AUTH_ANSWERS.implicitDeny;
  return undefined;
}
