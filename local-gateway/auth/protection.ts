/**
 * A method's protection (authorizers, API keys) as the assembly writes it, and what the local
 * gateway does with it. Nothing is served open silently: a protected method whose protection the
 * gateway does not emulate is refused, unless `skipAuth` (`--skip-auth`) serves it open on
 * purpose, and both are said at start.
 */
import type { MethodModel } from '../../src/private/template';
import type { Protection, Route } from '../route';

/** The protection of `method`, or undefined when it has none. */
export function protectionOf(method: MethodModel): Protection | undefined {
  const raw = method.raw ?? {};
  if (method.source === 'OpenAPI') {
    const security = Array.isArray(raw.security) ? raw.security : [];
    if (security.length === 0) return undefined;
    const names = security.flatMap((requirement: unknown) => Object.keys(requirement ?? {}));
    return { authorizationType: `OpenAPI security (${names.join(', ')})`, apiKeyRequired: names.includes('api_key') };
  }
  const type = typeof raw.AuthorizationType === 'string' ? raw.AuthorizationType.toUpperCase() : 'NONE';
  const apiKeyRequired = raw.ApiKeyRequired === true || raw.ApiKeyRequired === 'true';
  if (type === 'NONE' && !apiKeyRequired) return undefined;
  const scopes = Array.isArray(raw.AuthorizationScopes) ? raw.AuthorizationScopes.filter((s: unknown): s is string => typeof s === 'string') : undefined;
  const authorizerId = typeof raw.AuthorizerId?.Ref === 'string' ? raw.AuthorizerId.Ref : undefined;
  return { authorizationType: type, authorizerId, authorizationScopes: scopes, apiKeyRequired };
}

/** What protects a route, in words; undefined when nothing does (exported for `routes`). */
export function describeProtection(protection: Protection | undefined): string | undefined {
  if (!protection) return undefined;
  const parts: string[] = [];
  if (protection.authorizationType !== 'NONE') {
    const kind: Record<string, string> = { CUSTOM: 'a Lambda authorizer', COGNITO_USER_POOLS: 'a Cognito user pool authorizer', AWS_IAM: 'IAM (SigV4)' };
    parts.push(kind[protection.authorizationType] ?? protection.authorizationType);
  }
  if (protection.apiKeyRequired) parts.push('an API key');
  return parts.join(' and ');
}

/**
 * What of a route's protection the gateway does not emulate (a Lambda authorizer it runs, a
 * Cognito authorizer and API keys are emulated).
 */
function unemulated(protection: Protection | undefined, iam: boolean): Protection | undefined {
  if (!protection) return undefined;
  const emulated = protection.authorizer || protection.cognito || (iam && protection.authorizationType === 'AWS_IAM');
  const authorizationType = emulated ? 'NONE' : protection.authorizationType;
  return authorizationType === 'NONE' ? undefined : { ...protection, authorizationType, apiKeyRequired: false };
}

/** Why a protected route is not served as it is deployed, or undefined when it is (`iam`: the gateway holds credentials to verify SigV4 with). */
export function unemulatedProtection(route: Route, iam = false): string | undefined {
  const what = describeProtection(unemulated(route.protection, iam));
  const hint = route.protection?.authorizationType === 'AWS_IAM' ? '; to verify signatures, give the gateway AWS credentials (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in its shell)' : '';
  return what && `the method is protected by ${what}, which the local gateway does not emulate yet: it is refused rather than served open (--skip-auth serves it open)${hint}`;
}

/** The start-up lines about protected routes. */
export function protectionNotes(routes: readonly Route[], skipAuth: boolean, iam = false): string[] {
  const unvalidated = routes.filter((r) => r.validation?.unsupported && !r.unsupported);
  const guarded = new Map(routes.filter((r) => r.guardsNotEmulated).map((r) => [`${r.stack}/${r.apiId}`, `${r.apiName}: ${r.guardsNotEmulated!.join(', ')}`]));
  const notes = [...guarded.values()].map((what) => `note: not emulated, served as if absent (they filter by network origin, which has no local counterpart): ${what}`);
  if (unvalidated.length > 0) {
    notes.push(`warning: ${unvalidated.length} method(s) are served WITHOUT their request validation, not emulated: `
    + unvalidated.map((r) => `${r.httpMethod} ${r.path} (${r.validation!.unsupported})`).join(', '));
  }
  // --skip-auth opens every protected method; otherwise only those whose protection is not emulated are refused.
  const concerned = (r: Route) => (skipAuth ? r.protection : unemulated(r.protection, iam));
  const protectedRoutes = routes.filter((r) => concerned(r) && !r.unsupported);
  if (protectedRoutes.length === 0) return notes;
  const list = protectedRoutes.map((r) => `${r.httpMethod} ${r.path} (${describeProtection(concerned(r))})`).join(', ');
  return [...notes, skipAuth
    ? `warning: --skip-auth: ${protectedRoutes.length} protected method(s) are served OPEN, without their protection: ${list}`
    : `${protectedRoutes.length} protected method(s) are refused (501), their protection not emulated yet; --skip-auth serves them open: ${list}`];
}
