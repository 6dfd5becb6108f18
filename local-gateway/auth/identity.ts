/**
 * What a Lambda authorizer is called with, and when it is not called at all: the identity
 * sources (`method.request.header.X`, `method.request.querystring.x`, `stageVariables.x`,
 * `context.x`) must all be present and non-empty, and a TOKEN authorizer's token must match its
 * `identityValidationExpression`, or API Gateway answers 401 without invoking the function.
 * The values also key the authorizer's result cache.
 */

export interface IdentityRequest {
  /** Header values by name (any case; API Gateway matches header names case-insensitively). */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly queryStringParameters?: Readonly<Record<string, string | undefined>>;
  readonly stageVariables?: Readonly<Record<string, string | undefined>>;
  /** `$context` variables, e.g. `{ stage: 'prod', httpMethod: 'GET' }`. */
  readonly context?: Readonly<Record<string, string | undefined>>;
}

export type IdentityResult = { readonly values: readonly string[] } | { readonly missing: string };

/** The sources of a CloudFormation `IdentitySource` (comma-separated), in order. */
export function identitySources(identitySource: string | undefined): string[] {
  return (identitySource ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

function lookup(source: string, request: IdentityRequest): string | undefined {
  const header = /^method\.request\.header\.(.+)$/i.exec(source);
  if (header) {
    const name = header[1].toLowerCase();
    return Object.entries(request.headers).find(([k]) => k.toLowerCase() === name)?.[1];
  }
  const query = /^method\.request\.(?:multivalue)?querystring\.(.+)$/.exec(source);
  if (query) return request.queryStringParameters?.[query[1]];
  const stageVariable = /^stageVariables\.(.+)$/.exec(source);
  if (stageVariable) return request.stageVariables?.[stageVariable[1]];
  const context = /^context\.(.+)$/.exec(source);
  if (context) return request.context?.[context[1]];
  return undefined;
}

/**
 * The identity values of a request, or the first source it lacks. No sources (a REQUEST
 * authorizer without caching may have none) means no values and no 401.
 */
export function identityValues(identitySource: string | undefined, request: IdentityRequest): IdentityResult {
  const values: string[] = [];
  for (const source of identitySources(identitySource)) {
    const value = lookup(source, request);
    if (value === undefined || value === '') return { missing: source };
    values.push(value);
  }
  return { values };
}

/**
 * Whether a TOKEN authorizer's token passes its `identityValidationExpression`. The whole token
 * must match (*unverified*: API Gateway is documented to "validate the token against" it; a
 * full match is what Java's `String.matches`, which it is presumed to use, does).
 */
export function tokenPassesValidation(token: string, identityValidationExpression: string | undefined): boolean {
  if (!identityValidationExpression) return true;
  return new RegExp(`^(?:${identityValidationExpression})$`).test(token);
}

/** The cache key of an authorizer's result: its identity values (and the authorizer, if caches are shared). */
export function cacheKey(authorizerId: string, values: readonly string[]): string {
  return JSON.stringify([authorizerId, ...values]);
}

/**
 * An authorizer's result cache: entries live `resultsCacheTtl` seconds (0 disables caching).
 * The cached value is the authorizer's whole answer; the gateway re-evaluates its policy per
 * method ARN, as API Gateway does.
 */
export class AuthorizerCache<T> {
  private readonly entries = new Map<string, { value: T; expires: number }>();

  /** @param now the clock, in ms; tests drive it. */
  constructor(private readonly now: () => number = Date.now) {}

  get(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.now() >= entry.expires) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: T, ttlSeconds: number): void {
    if (ttlSeconds <= 0) return;
    this.entries.set(key, { value, expires: this.now() + ttlSeconds * 1000 });
  }

  /** Forgets every entry (a reloaded template may have changed the authorizer). */
  clear(): void {
    this.entries.clear();
  }
}
