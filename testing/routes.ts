/**
 * Assertions over a synthesized template (`aws-cdk-lib/assertions` `Template`, or the template's
 * JSON) that a REST API route streams: what API Gateway needs for `ResponseTransferMode: STREAM`
 * to work once deployed, checked without deploying.
 */

/** A template: an `aws-cdk-lib/assertions` `Template`, or a CloudFormation template as JSON. */
export type TemplateLike = { toJSON(): { [key: string]: any } } | { Resources?: { [id: string]: any } };

/** A method of a REST API in a template. */
export interface RouteInfo {
  /** Logical id of the `AWS::ApiGateway::Method`. */
  readonly logicalId: string;
  /** Logical id of the `AWS::ApiGateway::RestApi` it belongs to (undefined for an imported API). */
  readonly restApi?: string;
  /** `GET`, `POST`, ..., or `ANY`. */
  readonly httpMethod: string;
  /** The resource path, `/` for the root: `/v1/chat/{id}`. */
  readonly path: string;
  /** The integration type: `AWS_PROXY`, `HTTP_PROXY`, `MOCK`, ... */
  readonly integrationType?: string;
  /** `STREAM`, `BUFFERED`, or undefined (API Gateway's default: buffered). */
  readonly responseTransferMode?: string;
  /** The integration timeout in milliseconds (undefined: API Gateway's default, 29 000 ms). */
  readonly timeoutMs?: number;
  /** The integration's `Uri` as written in the template (a string or an intrinsic). */
  readonly uri?: unknown;
}

/** What `expectStreamingRoute` checks besides the defaults. */
export interface StreamingRouteExpectation {
  /** The integration timeout, exactly, in milliseconds (unset in the template counts as 29 000). @default - any from 50 to 900 000 */
  readonly timeoutMs?: number;
  /** The integration type. @default - `AWS_PROXY` or `HTTP_PROXY` */
  readonly integrationType?: 'AWS_PROXY' | 'HTTP_PROXY';
  /** Logical id of the REST API, when the template has several with the same route. */
  readonly restApi?: string;
}

/** The streaming route that `expectStreamingRoute` found and checked. */
export interface StreamingRoute extends RouteInfo {
  /** For a Lambda route: the function's ARN as the template writes it (`{ 'Fn::GetAtt': [id, 'Arn'] }`). */
  readonly functionArn?: unknown;
  /** For a Lambda route: logical ids of the `AWS::Lambda::Permission`s that let API Gateway invoke it on this route. */
  readonly permissions: string[];
}

const MIN_TIMEOUT_MS = 50;
const MAX_STREAMING_TIMEOUT_MS = 900_000;
/** API Gateway's integration timeout when the template sets none. */
const DEFAULT_TIMEOUT_MS = 29_000;

function resourcesOf(template: TemplateLike): { [id: string]: any } {
  const json = typeof (template as { toJSON?: unknown }).toJSON === 'function'
    ? (template as { toJSON(): { [key: string]: any } }).toJSON()
    : template as { Resources?: { [id: string]: any } };
  return json.Resources ?? {};
}

/** The logical id an intrinsic refers to (`{ Ref: id }` or `{ 'Fn::GetAtt': [id, attr] }`). */
function referencedId(value: unknown): string | undefined {
  if (value && typeof value === 'object') {
    const v = value as { 'Ref'?: unknown; 'Fn::GetAtt'?: unknown };
    if (typeof v.Ref === 'string') return v.Ref;
    if (Array.isArray(v['Fn::GetAtt']) && typeof v['Fn::GetAtt'][0] === 'string') return v['Fn::GetAtt'][0];
  }
  return undefined;
}

function isRootResource(value: unknown): boolean {
  const getAtt = (value as { 'Fn::GetAtt'?: unknown } | undefined)?.['Fn::GetAtt'];
  return Array.isArray(getAtt) && getAtt[1] === 'RootResourceId';
}

/** A string or `Fn::Join` rendered with every intrinsic as `{}`; other shapes as JSON. */
function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: unknown } | undefined)?.['Fn::Join'];
  if (Array.isArray(join) && Array.isArray(join[1])) return join[1].map((part: unknown) => (typeof part === 'string' ? part : '{}')).join(join[0]);
  return JSON.stringify(value);
}

/** The part of `Fn::Join` parts that is not a literal (e.g. the function ARN in a Lambda URI). */
function joinedIntrinsics(value: unknown): unknown[] {
  const join = (value as { 'Fn::Join'?: unknown } | undefined)?.['Fn::Join'];
  return Array.isArray(join) && Array.isArray(join[1]) ? join[1].filter((part: unknown) => typeof part !== 'string') : [];
}

function resourcePath(resources: { [id: string]: any }, resourceId: unknown): string {
  if (isRootResource(resourceId)) return '/';
  const parts: string[] = [];
  let id = referencedId(resourceId);
  for (let guard = 0; id && guard < 100; guard++) {
    const resource = resources[id];
    if (resource?.Type !== 'AWS::ApiGateway::Resource') return `/<${id}>${parts.length ? '/' + parts.join('/') : ''}`;
    parts.unshift(resource.Properties.PathPart);
    if (isRootResource(resource.Properties.ParentId)) break;
    id = referencedId(resource.Properties.ParentId);
  }
  return '/' + parts.join('/');
}

/** Every method of every REST API in the template, with its path and integration. */
export function restApiRoutes(template: TemplateLike): RouteInfo[] {
  const resources = resourcesOf(template);
  return Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::ApiGateway::Method')
    .map(([logicalId, r]) => {
      const props = r.Properties ?? {};
      const integration = props.Integration ?? {};
      return {
        logicalId,
        restApi: referencedId(props.RestApiId),
        httpMethod: props.HttpMethod,
        path: resourcePath(resources, props.ResourceId),
        integrationType: integration.Type,
        responseTransferMode: integration.ResponseTransferMode,
        timeoutMs: integration.TimeoutInMillis,
        uri: integration.Uri,
      };
    })
    .sort((a, b) => a.path.localeCompare(b.path) || a.httpMethod.localeCompare(b.httpMethod));
}

/** The routes whose integration streams (`ResponseTransferMode: STREAM`). */
export function streamingRoutes(template: TemplateLike): RouteInfo[] {
  return restApiRoutes(template).filter((r) => r.responseTransferMode === 'STREAM');
}

/** Whether an execute-api ARN pattern (`.../{stage}/POST/v1/chat/*`) covers a method and path. */
function sourceArnCovers(sourceArn: unknown, httpMethod: string, path: string): boolean {
  // arn:aws:execute-api:region:account:{api}/{stage}/{METHOD}/{path}: the part after the API id.
  const rendered = render(sourceArn);
  const match = /:execute-api:[^:]*:[^:]*:[^/]*\/[^/]*(\/.*)$/.exec(rendered);
  if (!match) return false;
  const pattern = new RegExp('^' + match[1].split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
  const concretePath = path.replace(/\{[^}]+\}/g, 'x');
  return pattern.test(`/${httpMethod === 'ANY' ? 'ANY' : httpMethod}${concretePath === '/' ? '/' : concretePath}`)
    || (httpMethod === 'ANY' && pattern.test(`/GET${concretePath}`));
}

function describe(routes: RouteInfo[]): string {
  if (routes.length === 0) return 'the template has no AWS::ApiGateway::Method';
  return 'routes in the template:\n' + routes.map((r) => `  ${r.httpMethod.padEnd(7)} ${r.path}  ${r.integrationType ?? '-'} ${r.responseTransferMode ?? 'BUFFERED (default)'}`).join('\n');
}

/**
 * Checks that `httpMethod path` streams, and returns what it found. Throws an error naming every
 * problem otherwise:
 *
 * - the integration is `AWS_PROXY` or `HTTP_PROXY` with `ResponseTransferMode: STREAM`;
 * - the integration timeout is one a streamed method allows (50 ms to 15 minutes), and equals
 *   `timeoutMs` when given;
 * - a Lambda route uses the streaming invocation URI (`2021-11-15/functions/<arn>/response-streaming-invocations`,
 *   not the classic `2015-03-31/.../invocations`), and an `AWS::Lambda::Permission` lets
 *   `apigateway.amazonaws.com` call `lambda:InvokeFunction` on that function for this method and path.
 *
 * ```ts
 * const template = Template.fromStack(stack);
 * expectStreamingRoute(template, 'POST', '/chat', { timeoutMs: 900_000 });
 * ```
 */
export function expectStreamingRoute(
  template: TemplateLike, httpMethod: string, path: string, expected: StreamingRouteExpectation = {},
): StreamingRoute {
  const resources = resourcesOf(template);
  const all = restApiRoutes(template);
  const normalized = path === '/' ? '/' : '/' + path.replace(/^\/+|\/+$/g, '');
  const candidates = all.filter((r) => r.httpMethod === httpMethod.toUpperCase() && r.path === normalized
    && (expected.restApi === undefined || r.restApi === expected.restApi));
  const label = `${httpMethod.toUpperCase()} ${normalized}`;
  if (candidates.length === 0) throw new Error(`expectStreamingRoute: no method ${label}; ${describe(all)}`);
  if (candidates.length > 1) {
    throw new Error(`expectStreamingRoute: ${label} exists in ${candidates.length} REST APIs (${candidates.map((c) => c.restApi).join(', ')}): pass { restApi }`);
  }
  const route = candidates[0];
  const problems: string[] = [];

  if (route.responseTransferMode !== 'STREAM') {
    problems.push(`ResponseTransferMode is ${route.responseTransferMode ?? 'not set (BUFFERED)'}, not STREAM`);
  }
  const allowedTypes = expected.integrationType ? [expected.integrationType] : ['AWS_PROXY', 'HTTP_PROXY'];
  if (!allowedTypes.includes(route.integrationType ?? '')) {
    problems.push(`integration type is ${route.integrationType ?? 'not set'}, not ${allowedTypes.join(' or ')}`);
  }
  const timeoutMs = route.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (expected.timeoutMs !== undefined && timeoutMs !== expected.timeoutMs) {
    problems.push(`TimeoutInMillis is ${route.timeoutMs ?? `not set (${DEFAULT_TIMEOUT_MS})`}, not ${expected.timeoutMs}`);
  }
  if (timeoutMs < MIN_TIMEOUT_MS || timeoutMs > MAX_STREAMING_TIMEOUT_MS) {
    problems.push(`TimeoutInMillis is ${timeoutMs}: a streamed route allows ${MIN_TIMEOUT_MS} to ${MAX_STREAMING_TIMEOUT_MS}`);
  }

  let functionArn: unknown;
  const permissions: string[] = [];
  if (route.integrationType === 'AWS_PROXY') {
    const uri = render(route.uri);
    if (!/:lambda:path\/2021-11-15\/functions\/.+\/response-streaming-invocations$/.test(uri)) {
      problems.push(`the Lambda URI is ${uri}, not the streaming one (…:lambda:path/2021-11-15/functions/<arn>/response-streaming-invocations)`);
    }
    functionArn = joinedIntrinsics(route.uri).find((part) => referencedId(part) !== undefined && !String(referencedId(part)).startsWith('AWS::'));
    for (const [id, r] of Object.entries(resources)) {
      if (r.Type !== 'AWS::Lambda::Permission') continue;
      const p = r.Properties ?? {};
      if (p.Action !== 'lambda:InvokeFunction' || p.Principal !== 'apigateway.amazonaws.com') continue;
      if (functionArn === undefined || JSON.stringify(p.FunctionName) !== JSON.stringify(functionArn)) continue;
      if (p.SourceArn !== undefined && !sourceArnCovers(p.SourceArn, route.httpMethod, route.path)) continue;
      permissions.push(id);
    }
    if (permissions.length === 0) {
      problems.push('no AWS::Lambda::Permission lets apigateway.amazonaws.com call lambda:InvokeFunction on the function for this route');
    }
  }

  if (problems.length > 0) throw new Error(`expectStreamingRoute: ${label} does not stream:\n- ${problems.join('\n- ')}`);
  return { ...route, functionArn, permissions };
}
