import { Stack, Token } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';
import { logicalIdOf, MethodView } from './model';
import { formatProblem } from '../private/errors';
import { MAX_BUFFERED_TIMEOUT_MS, MAX_STREAMING_TIMEOUT_MS, MIN_INTEGRATION_TIMEOUT_MS } from '../private/limits';

/**
 * Ids of the warnings `StreamingValidator` emits. Acknowledge one with
 * `Annotations.of(scope).acknowledgeWarning(id, reason)`.
 */
export class StreamingWarnings {
  /** An edge-optimized endpoint serves streamed methods (30-second idle timeout). */
  public static readonly EDGE_ENDPOINT = 'cdk-streaming-rest-api:edgeEndpointIdleTimeout';
  /** A function's timeout is shorter than the integration timeout of its streamed method. */
  public static readonly FUNCTION_TIMEOUT = 'cdk-streaming-rest-api:functionTimeoutShorterThanIntegration';
  /** A streamed function's runtime cannot stream natively and has no Lambda Web Adapter. */
  public static readonly NON_NODE_RUNTIME = 'cdk-streaming-rest-api:runtimeCannotStream';
  /** A streaming URI names a version- or alias-qualified function (reported not to stream; unverified). */
  public static readonly QUALIFIED_ARN = 'cdk-streaming-rest-api:qualifiedFunctionArn';
  /** A buffered method's timeout is above 29 seconds (needs a quota increase). */
  public static readonly BUFFERED_TIMEOUT = 'cdk-streaming-rest-api:bufferedTimeoutNeedsQuota';

  private constructor() {}
}

/** A problem found by a rule: an error fails synthesis, a warning is an annotation. */
export interface Finding {
  readonly level: 'error' | 'warning';
  readonly node: IConstruct;
  readonly message: string;
  readonly warningId?: string;
}

/** What the rules look at besides the methods: stages, APIs and functions of the stack. */
export interface StackIndex {
  readonly stack: Stack;
  readonly stagesByApi: Map<string, Array<{ node: IConstruct; settings: any[] }>>;
  readonly apis: Map<string, apigateway.CfnRestApi>;
  readonly functions: Map<string, lambda.CfnFunction>;
  readonly qualified: Set<string>;
}

const isStream = (m: MethodView) => m.integration.transferMode === 'STREAM';
const literal = (value: unknown) => value !== undefined && !Token.isUnresolved(value) && !containsIntrinsic(value);

function containsIntrinsic(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some(containsIntrinsic);
  return Object.keys(value).some((k) => k === 'Ref' || k.startsWith('Fn::') || containsIntrinsic((value as Record<string, unknown>)[k]));
}

function prop(m: MethodView, cfn: string, openapi: string): string {
  return `${m.httpMethod} ${m.path} ${m.source === 'OpenAPI' ? `x-amazon-apigateway-integration.${openapi}` : `Integration.${cfn}`}`;
}

function error(m: MethodView, property: string, value: unknown, problem: string, fix: string): Finding {
  return { level: 'error', node: m.node, message: formatProblem({ scope: m.node, property, value, problem, fix }) };
}

function warning(node: IConstruct, warningId: string, property: string, value: unknown, problem: string, fix: string): Finding {
  return { level: 'warning', node, warningId, message: formatProblem({ scope: node, property, value, problem, fix }) };
}

/** Errors and warnings for one method. */
export function checkMethod(m: MethodView, index: StackIndex): Finding[] {
  const findings: Finding[] = [];
  const { integration } = m;
  const timeout = integration.timeoutInMillis;
  if (!isStream(m)) {
    if (literal(timeout) && typeof timeout === 'number' && timeout > MAX_BUFFERED_TIMEOUT_MS) {
      findings.push(warning(m.node, StreamingWarnings.BUFFERED_TIMEOUT, prop(m, 'TimeoutInMillis', 'timeoutInMillis'), timeout,
        'is above 29000 ms on a buffered method, which needs a Service Quotas increase (Regional and private APIs only)',
        'request the quota increase, or stream the method (ResponseTransferMode STREAM allows up to 900000 ms)'));
    }
    return findings;
  }
  const type = integration.type;
  if (literal(type) && type !== 'AWS_PROXY' && type !== 'HTTP_PROXY') {
    findings.push(error(m, prop(m, 'Type', 'type'), type, 'cannot stream: only AWS_PROXY (Lambda proxy) and HTTP_PROXY integrations support STREAM',
      'use a Lambda proxy or HTTP proxy integration, or set the transfer mode to BUFFERED'));
  }
  if (literal(timeout) && (typeof timeout !== 'number' || timeout < MIN_INTEGRATION_TIMEOUT_MS || timeout > MAX_STREAMING_TIMEOUT_MS)) {
    findings.push(error(m, prop(m, 'TimeoutInMillis', 'timeoutInMillis'), timeout, 'is outside 50..900000 ms, the range of a streamed method',
      'use a timeout from 50 ms to 15 minutes (900000 ms)'));
  }
  const responses = integration.integrationResponses;
  if (responses !== undefined && !(Array.isArray(responses) && responses.length === 0) && !(typeof responses === 'object' && Object.keys(responses as object).length === 0)) {
    findings.push(error(m, prop(m, 'IntegrationResponses', 'responses'), responses,
      'transform the response (VTL templates, status mappings), which a streamed method cannot do: the bytes are relayed as they come',
      'remove the integration responses, and set status and headers in the backend\'s response (Lambda: the metadata of the stream)'));
  }
  for (const [cfn, openapi, value] of [['CacheKeyParameters', 'cacheKeyParameters', integration.cacheKeyParameters], ['CacheNamespace', 'cacheNamespace', integration.cacheNamespace]] as const) {
    if (value !== undefined && !(Array.isArray(value) && value.length === 0)) {
      findings.push(error(m, prop(m, cfn, openapi), value, 'configures caching, which a streamed method cannot use',
        `remove ${cfn}, or set the transfer mode to BUFFERED for this method`));
    }
  }
  if (type === 'AWS_PROXY') findings.push(...checkLambda(m, index));
  findings.push(...checkCaching(m, index));
  return findings;
}

function checkLambda(m: MethodView, index: StackIndex): Finding[] {
  const findings: Finding[] = [];
  const uri = m.integration.uri;
  const text = typeof uri === 'string' ? uri : JSON.stringify(uri ?? '');
  if (text.includes('2015-03-31/functions') || (text.includes('/invocations') && !text.includes('/response-streaming-invocations'))) {
    findings.push(error(m, prop(m, 'Uri', 'uri'), typeof uri === 'string' ? uri : '2015-03-31/functions/<arn>/invocations',
      'is the classic Lambda invocation URI, which API Gateway rejects for STREAM',
      'use arn:<partition>:apigateway:<region>:lambda:path/2021-11-15/functions/<function arn>/response-streaming-invocations '
      + '(StreamingLambdaIntegration, or LambdaIntegration with responseTransferMode STREAM, builds it)'));
    return findings;
  }
  const ids = new Set<string>();
  collectIds(uri, ids);
  const qualifiedRef = [...ids].find((id) => index.qualified.has(id));
  const literalQualified = typeof uri === 'string' && /:function:[^/:]+:[^/]+\/response-streaming-invocations/.test(uri);
  if (qualifiedRef || literalQualified) {
    findings.push(warning(m.node, StreamingWarnings.QUALIFIED_ARN, prop(m, 'Uri', 'uri'), qualifiedRef ?? uri,
      'names a version- or alias-qualified function; such a URI was reported not to stream (unverified)',
      'point the integration at the unqualified function, or verify streaming through the alias after deploying'));
  }
  const fnId = [...ids].find((id) => index.functions.has(id));
  const fn = fnId ? index.functions.get(fnId) : undefined;
  if (!fn) return findings;
  const stack = index.stack;
  const fnTimeout = stack.resolve(fn.timeout) ?? 3;
  const timeout = m.integration.timeoutInMillis ?? 29_000;
  if (literal(fnTimeout) && literal(timeout) && typeof fnTimeout === 'number' && typeof timeout === 'number' && fnTimeout * 1000 < timeout) {
    findings.push(warning(fn, StreamingWarnings.FUNCTION_TIMEOUT, 'Timeout', fnTimeout,
      `seconds is shorter than the integration timeout of ${m.httpMethod} ${m.path} (${timeout} ms): the stream is cut when the function times out`,
      `raise the function timeout to ${Math.ceil(timeout / 1000)} s (StreamingFunction defaults to 15 minutes), or lower the integration timeout`));
  }
  const runtime = stack.resolve(fn.runtime);
  if (literal(runtime) && typeof runtime === 'string' && !runtime.startsWith('nodejs') && !usesWebAdapter(stack, fn)) {
    findings.push(warning(fn, StreamingWarnings.NON_NODE_RUNTIME, 'Runtime', runtime,
      'cannot stream natively (only Node.js managed runtimes can), and no Lambda Web Adapter in response_stream mode is configured',
      'use StreamingWebAppFunction (Lambda Web Adapter with AWS_LWA_INVOKE_MODE=response_stream) or a Node.js runtime'));
  }
  return findings;
}

function usesWebAdapter(stack: Stack, fn: lambda.CfnFunction): boolean {
  const env = stack.resolve(fn.environment)?.variables ?? {};
  const layers = JSON.stringify(stack.resolve(fn.layers) ?? []);
  return env.AWS_LWA_INVOKE_MODE === 'response_stream' && (layers.includes('LambdaAdapterLayer') || env.AWS_LAMBDA_EXEC_WRAPPER !== undefined);
}

function collectIds(value: unknown, ids: Set<string>): void {
  if (value === null || typeof value !== 'object') return;
  const id = logicalIdOf(value);
  if (id) ids.add(id);
  Object.values(value as Record<string, unknown>).forEach((v) => collectIds(v, ids));
}

/**
 * A stage's method settings that enable caching for this method. As in API Gateway, the most
 * specific setting that says anything about caching wins: this path and method, then this path
 * and `*`, then `/*` and `*` (where the stage-wide `cachingEnabled` lands).
 */
function checkCaching(m: MethodView, index: StackIndex): Finding[] {
  const findings: Finding[] = [];
  // MethodSettings encode the resource path's slashes as ~1: /chat/{id} -> /~1chat~1{id}.
  const encoded = m.path === '/' ? '/' : `/${m.path.replace(/\//g, '~1')}`;
  const candidates: Array<[string, string]> = [[encoded, m.httpMethod], [encoded, '*'], ['/*', m.httpMethod], ['/*', '*']];
  for (const stage of index.stagesByApi.get(m.apiLogicalId ?? '') ?? []) {
    const settings = stage.settings.filter((s) => s && typeof s === 'object');
    const says = (s: any, resourcePath: string, httpMethod: string) =>
      s.resourcePath === resourcePath && s.httpMethod === httpMethod && s.cachingEnabled !== undefined;
    const effective = candidates
      .map(([resourcePath, httpMethod]) => settings.find((s) => says(s, resourcePath, httpMethod)))
      .find((s) => s !== undefined);
    if (effective?.cachingEnabled !== true) continue;
    findings.push({
      level: 'error',
      node: stage.node,
      message: formatProblem({
        scope: stage.node,
        property: `MethodSettings[resourcePath=${effective.resourcePath}, httpMethod=${effective.httpMethod}].CachingEnabled`,
        value: true,
        problem: `enables caching for the streamed method ${m.httpMethod} ${m.path} (defined at ${m.node.node.path}), which cannot be cached`,
        fix: `disable caching for it with deployOptions.methodOptions['${m.path}/${m.httpMethod}'] = { cachingEnabled: false } `
          + `(CloudFormation: MethodSettings { ResourcePath: '${encoded}', HttpMethod: '${m.httpMethod}', CachingEnabled: false }), or do not enable caching stage-wide`,
      }),
    });
  }
  return findings;
}

/** Checks of the API as a whole, when it has streamed methods. */
export function checkApi(api: apigateway.CfnRestApi, streamed: MethodView[], stack: Stack): Finding[] {
  const findings: Finding[] = [];
  const size = stack.resolve(api.minimumCompressionSize);
  if (size !== undefined && literal(size)) {
    findings.push({
      level: 'error',
      node: api,
      message: formatProblem({
        scope: api,
        property: 'MinimumCompressionSize (RestApi props minCompressionSize / minimumCompressionSize)',
        value: size,
        problem: `turns on content encoding, which streamed methods do not support (${streamed.length} streamed: ${streamed.slice(0, 3).map((m) => `${m.httpMethod} ${m.path}`).join(', ')})`,
        fix: 'remove minCompressionSize, or compress in the backend',
      }),
    });
  }
  const types = stack.resolve(api.endpointConfiguration)?.types;
  if (types === undefined || (Array.isArray(types) && types.includes('EDGE'))) {
    findings.push(warning(api, StreamingWarnings.EDGE_ENDPOINT, 'EndpointConfiguration.Types', types ?? ['EDGE (the default)'],
      'makes an edge-optimized endpoint, which cuts a stream that is idle for 30 seconds (Regional and private: 5 minutes)',
      'use endpointTypes: [EndpointType.REGIONAL] (the StreamingRestApi default), or send keep-alive bytes at least every 30 s (SSE heartbeat)'));
  }
  return findings;
}
