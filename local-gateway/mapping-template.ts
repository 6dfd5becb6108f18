/**
 * API Gateway's mapping templates: Velocity (VTL, rendered with `velocityjs`) with the variables
 * API Gateway gives them: `$input` (`params()`, `params(name)`, `body`, `json(path)`, `path(path)`),
 * `$context` (with `responseOverride.status` and `responseOverride.header.<name>` settable) and
 * `$util` (`escapeJavaScript`, `parseJson`, `urlEncode`, `urlDecode`, `base64Encode`,
 * `base64Decode`). Used by MOCK integrations (and so CORS preflights) and gateway responses.
 */
// (bundled into the gateway by esbuild, as the package ships it: a build-time dependency)
// eslint-disable-next-line import/no-extraneous-dependencies
import { Compile, parse } from 'velocityjs';
import { forwarded, type RequestContext } from './request';

/** What a template may set besides its output. */
export interface Overrides {
  status?: number;
  readonly header: Record<string, string>;
}

/** A case-sensitive map with `get`, as the Java maps of API Gateway's `$input.params()` are. */
function javaMap(entries: Record<string, string>): Record<string, unknown> {
  return { ...entries, get: (name: string) => entries[name] ?? '', keySet: () => Object.keys(entries), size: () => Object.keys(entries).length };
}

/** A JSONPath of the simple kind templates use (`$`, `$.a.b`, `$.a[0]`) into `value`. */
function jsonPath(value: unknown, expression: string): unknown {
  const steps = expression.replace(/^\$\.?/, '').split(/\.|\[(\d+)\]/).filter((step) => step !== undefined && step !== '');
  return steps.reduce<any>((at, step) => (at === undefined || at === null ? undefined : at[step]), value);
}

/** The variables of a template rendered for the request `ctx` (its body parsed as JSON when it is JSON). */
export function templateVariables(ctx: RequestContext, overrides: Overrides): Record<string, unknown> {
  const { req } = ctx;
  // (with the X-Forwarded-* headers API Gateway adds, as a proxy integration sees them)
  const headers: Record<string, string> = {};
  const raw = forwarded(req, ctx.ip);
  for (let i = 0; i < raw.length; i += 2) headers[raw[i]] = raw[i + 1];
  const querystring = Object.fromEntries(ctx.url.searchParams);
  const pathParameters = ctx.pathParameters ?? {};
  const params = { path: javaMap(pathParameters), querystring: javaMap(querystring), header: javaMap(headers) };
  const body = ctx.body.toString('utf8');
  const parsed = () => {
    try {
      return JSON.parse(body);
    } catch {
      return undefined;
    }
  };
  return {
    input: {
      body,
      params: (name?: string) => (name === undefined ? javaMap(params as unknown as Record<string, string>)
        : pathParameters[name] ?? querystring[name] ?? headers[name] ?? ''),
      json: (expression: string) => JSON.stringify(jsonPath(parsed(), expression) ?? null),
      path: (expression: string) => jsonPath(parsed(), expression),
    },
    context: {
      requestId: ctx.requestId,
      httpMethod: req.method,
      resourcePath: ctx.route?.path,
      stage: ctx.stage ?? ctx.route?.stageName,
      domainName: String(req.headers.host ?? 'localhost'),
      path: `/${ctx.stage ?? ctx.route?.stageName}${ctx.apiPath}`,
      identity: { sourceIp: ctx.ip, userAgent: req.headers['user-agent'] ?? '' },
      responseOverride: overrides,
    },
    util: {
      escapeJavaScript: (text: string) => JSON.stringify(String(text)).slice(1, -1).replace(/'/g, "\\'"),
      parseJson: (text: string) => JSON.parse(text),
      urlEncode: (text: string) => encodeURIComponent(text),
      urlDecode: (text: string) => decodeURIComponent(text),
      base64Encode: (text: string) => Buffer.from(String(text)).toString('base64'),
      base64Decode: (text: string) => Buffer.from(String(text), 'base64').toString('utf8'),
    },
  };
}

/**
 * Renders `template` for `ctx` (`context` adds to `$context`); what it sets in
 * `$context.responseOverride` lands in `overrides`.
 */
export function renderTemplate(
  template: string, ctx: RequestContext, overrides: Overrides = { header: {} }, context: Record<string, unknown> = {},
): string {
  const variables = templateVariables(ctx, overrides);
  Object.assign(variables.context as object, context);
  const output = new Compile(parse(template), { escape: false }).render(variables);
  const status = Number((variables.context as { responseOverride: Overrides }).responseOverride.status);
  if (Number.isInteger(status)) overrides.status = status;
  return output;
}
