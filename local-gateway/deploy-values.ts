/**
 * Values CloudFormation knows only once deployed, where the local gateway has its own: strings an
 * API's MOCK integrations and gateway responses build (`Fn::Join`, `Fn::Sub`) from literals,
 * pseudo parameters and Refs, when every Ref sits in a URL the local gateway stands in for:
 * - `https://<Ref rest api>.execute-api.<region>.<url suffix>`, the API's invoke URL: the
 *   gateway's address as the client called it (with the API's prefix when it serves several);
 * - `https://cognito-idp.<region>.<url suffix>/<Ref user pool>`, the pool's issuer: the local
 *   token issuer's URL for the pool (the issuer of its tokens, and the OAuth authorization server
 *   MCP clients discover there).
 * Read from the assembly, such a value holds placeholders, which `localValue` fills per request.
 * Any other deploy-time value (an attribute, a Ref to another resource, a region outside those
 * URLs) leaves the whole value unknown: the route says so.
 */
import type { Route } from './route';
import type { TemplateResource } from '../src/private/template';

/** How the assembly's merged logical ids read in routes (`Route.stack`, `Route.apiId`, pool ids). */
export interface AssemblyIds {
  stackOf(mergedId: string): string;
  idOf(mergedId: string): string;
}

/** The local addresses a value's placeholders stand for, for one request. */
export interface LocalAddresses {
  /** The gateway's address (and prefix) of the API `<stack>/<apiId>`, as the client called it. */
  apiUrl(api: string): string;
  /** The local token issuer's issuer URL of `poolId`, when it runs. */
  issuerUrl(poolId: string): string | undefined;
}

const M = '\u0000';
const PLACEHOLDER = /\u0000(origin|issuer):([^\u0000]*)\u0000/g;

/** A value of the template as text with placeholders; undefined when it holds a deploy-time value the gateway has no stand-in for. */
export function deployTimeValue(value: unknown, resources: Record<string, TemplateResource>, ids: AssemblyIds): string | undefined {
  const text = joined(value, resources, ids);
  if (text === undefined) return undefined;
  const local = text
    .replace(/https:\/\/\u0000api:([^\u0000]+)\u0000\.execute-api\.[^/'"\s]*/g, `${M}origin:$1${M}`)
    .replace(/https:\/\/cognito-idp\.[^/'"\s]*\/\u0000pool:([^\u0000]+)\u0000/g, `${M}issuer:$1${M}`);
  return local.replace(PLACEHOLDER, '').includes(M) ? undefined : local;
}

/** `value` with its placeholders filled for one request (values without any come back as they are). */
export function localValue(value: string, addresses: LocalAddresses | undefined): string {
  if (!value.includes(M)) return value;
  return value.replace(PLACEHOLDER, (_all, kind: string, id: string) => {
    if (kind === 'origin') return addresses?.apiUrl(id) ?? '';
    // (the issuer runs whenever a route references a pool, unless authorization is skipped)
    return addresses?.issuerUrl(id) ?? `http://local-token-issuer-not-running/${id}`;
  });
}

/** The addresses for a client that called `origin` (`http://<Host>`), with the API prefixes of `routes`. */
export function localAddresses(origin: string, routes: readonly Route[], issuerUrl: (poolId: string) => string | undefined): LocalAddresses {
  return {
    apiUrl: (api) => `${origin}${routes.find((r) => `${r.stack}/${r.apiId}` === api)?.prefix ?? ''}`,
    issuerUrl,
  };
}

/** The user pools whose issuer URL the routes' MOCK integrations or gateway responses name. */
export function poolsReferenced(routes: readonly Route[]): string[] {
  const text = JSON.stringify(routes.map((r) => [r.mock, r.gatewayResponses]));
  return [...new Set([...text.matchAll(/\\u0000issuer:(.+?)\\u0000/g)].map((m) => m[1]))];
}

/** The text of a literal or of a join of known pieces (Refs as placeholders), else undefined. */
function joined(value: unknown, resources: Record<string, TemplateResource>, ids: AssemblyIds): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.Ref === 'string') return reference(v.Ref, resources, ids);
  const join = v['Fn::Join'];
  if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
    const parts = join[1].map((part) => joined(part, resources, ids));
    return parts.every((p): p is string => p !== undefined) ? parts.join(join[0]) : undefined;
  }
  const sub = v['Fn::Sub'];
  if (typeof sub === 'string') {
    let unknown = false;
    const text = sub.replace(/\$\{(!?)([^}]*)\}/g, (_all, bang: string, name: string) => {
      if (bang) return `\${${name}}`;
      const resolved = name.includes('.') ? undefined : reference(name, resources, ids);
      if (resolved === undefined) unknown = true;
      return resolved ?? '';
    });
    return unknown ? undefined : text;
  }
  return undefined;
}

/** A Ref: a placeholder for a REST API, a user pool or a pseudo parameter (only good inside the URLs above). */
function reference(name: string, resources: Record<string, TemplateResource>, ids: AssemblyIds): string {
  const type = resources[name]?.Type;
  if (type === 'AWS::ApiGateway::RestApi') return `${M}api:${ids.stackOf(name)}/${ids.idOf(name)}${M}`;
  if (type === 'AWS::Cognito::UserPool') return `${M}pool:${ids.idOf(name)}${M}`;
  return `${M}ref:${name}${M}`;
}
