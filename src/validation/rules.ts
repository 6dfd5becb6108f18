import { CfnResource } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { formatProblem } from '../private/errors';
import {
  DEFAULT_FUNCTION_TIMEOUT_SECONDS, EDGE_IDLE_TIMEOUT_MS, humanMs, MAX_BUFFERED_TIMEOUT_MS, MAX_STREAMING_TIMEOUT_MS,
  MIN_INTEGRATION_TIMEOUT_MS, REGIONAL_IDLE_TIMEOUT_MS,
} from '../private/limits';
import {
  effectiveSetting, encodeSettingsPath, functionOfUri, isClassicLambdaUri, isLiteral, MethodModel, OPENAPI_INTEGRATION_NAMES,
  RestApiModel, StageModel, TemplateResource,
} from '../private/template';

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
  /** The constructs whose validators decide whether the finding is reported (method, API). */
  readonly anchors: IConstruct[];
}

/** What the rules look up besides the method: the constructs and the resources of the app. */
export interface RuleContext {
  readonly elements: Map<string, CfnResource>;
  readonly resources: { readonly [id: string]: TemplateResource };
}

const isStream = (m: MethodModel) => m.integration.responseTransferMode === 'STREAM';

/** The construct a method is reported on: its CfnMethod, or the RestApi of an OpenAPI body. */
export function nodeOf(m: MethodModel, ctx: RuleContext): IConstruct | undefined {
  return ctx.elements.get(m.logicalId);
}

/** `POST /chat Integration.TimeoutInMillis`, or `POST /chat x-amazon-apigateway-integration.timeoutInMillis`. */
function prop(m: MethodModel, field: string): string {
  const cfn = field.charAt(0).toUpperCase() + field.slice(1);
  return `${m.httpMethod} ${m.path} ${m.source === 'OpenAPI' ? `x-amazon-apigateway-integration.${OPENAPI_INTEGRATION_NAMES[field] ?? field}` : `Integration.${cfn}`}`;
}

interface Reporter {
  error(node: IConstruct, property: string, value: unknown, problem: string, fix: string): void;
  warning(node: IConstruct, warningId: string, property: string, value: unknown, problem: string, fix: string): void;
}

function reporter(findings: Finding[], anchors: IConstruct[]): Reporter {
  return {
    error: (node, property, value, problem, fix) =>
      findings.push({ level: 'error', node, anchors, message: formatProblem({ scope: node, property, value, problem, fix }) }),
    warning: (node, warningId, property, value, problem, fix) =>
      findings.push({ level: 'warning', node, anchors, warningId, message: formatProblem({ scope: node, property, value, problem, fix }) }),
  };
}

const nonEmpty = (value: unknown) => value !== undefined && value !== null
  && !(Array.isArray(value) && value.length === 0) && !(typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0);

/** Errors and warnings for one method, with the stages that apply to it. */
export function checkMethod(m: MethodModel, stages: StageModel[], ctx: RuleContext, anchors: IConstruct[]): Finding[] {
  const node = nodeOf(m, ctx);
  if (!node) return [];
  const findings: Finding[] = [];
  const report = reporter(findings, anchors);
  const { integration } = m;
  const timeout = integration.timeoutInMillis;
  if (!isStream(m)) {
    if (isLiteral(timeout) && typeof timeout === 'number' && timeout > MAX_BUFFERED_TIMEOUT_MS) {
      report.warning(node, StreamingWarnings.BUFFERED_TIMEOUT, prop(m, 'timeoutInMillis'), timeout,
        `is above ${MAX_BUFFERED_TIMEOUT_MS} ms on a buffered method, which needs a Service Quotas increase (Regional and private APIs only)`,
        `request the quota increase, or stream the method (ResponseTransferMode STREAM allows up to ${MAX_STREAMING_TIMEOUT_MS} ms)`);
    }
    return findings;
  }
  const type = integration.type;
  if (isLiteral(type) && type !== 'AWS_PROXY' && type !== 'HTTP_PROXY') {
    report.error(node, prop(m, 'type'), type, 'cannot stream: only AWS_PROXY (Lambda proxy) and HTTP_PROXY integrations support STREAM',
      'use a Lambda proxy or HTTP proxy integration, or set the transfer mode to BUFFERED');
  }
  if (isLiteral(timeout) && (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < MIN_INTEGRATION_TIMEOUT_MS || timeout > MAX_STREAMING_TIMEOUT_MS)) {
    report.error(node, prop(m, 'timeoutInMillis'), timeout,
      `is outside ${MIN_INTEGRATION_TIMEOUT_MS}..${MAX_STREAMING_TIMEOUT_MS} ms, the range of a streamed method (whole milliseconds)`,
      `use a whole number of milliseconds from ${MIN_INTEGRATION_TIMEOUT_MS} to ${MAX_STREAMING_TIMEOUT_MS} (15 minutes)`);
  }
  if (nonEmpty(integration.integrationResponses)) {
    report.error(node, prop(m, 'integrationResponses'), integration.integrationResponses,
      'transform the response (VTL templates, status mappings), which a streamed method cannot do: the bytes are relayed as they come',
      'remove the integration responses, and set status and headers in the backend\'s response (Lambda: the metadata of the stream)');
  }
  for (const field of ['cacheKeyParameters', 'cacheNamespace'] as const) {
    if (nonEmpty(integration[field])) {
      report.error(node, prop(m, field), integration[field], 'configures caching, which a streamed method cannot use',
        `remove ${m.source === 'OpenAPI' ? field : field.charAt(0).toUpperCase() + field.slice(1)}, or set the transfer mode to BUFFERED for this method`);
    }
  }
  if (type === 'AWS_PROXY') checkLambda(m, node, ctx, report);
  for (const stage of stages) checkCaching(m, stage, ctx, report);
  return findings;
}

function checkLambda(m: MethodModel, node: IConstruct, ctx: RuleContext, report: Reporter): void {
  const uri = m.integration.uri;
  if (isClassicLambdaUri(uri)) {
    report.error(node, prop(m, 'uri'), typeof uri === 'string' ? uri : '2015-03-31/functions/<arn>/invocations',
      'is the classic Lambda invocation URI, which API Gateway rejects for STREAM',
      'use arn:<partition>:apigateway:<region>:lambda:path/2021-11-15/functions/<function arn>/response-streaming-invocations '
      + '(StreamingLambdaIntegration, or LambdaIntegration with responseTransferMode STREAM, builds it)');
    return;
  }
  const target = functionOfUri(uri, ctx.resources);
  if (target.qualifierId || target.literalQualified) {
    const qualifier = target.qualifierId ? ctx.elements.get(target.qualifierId)?.node.path ?? target.qualifierId : uri;
    report.warning(node, StreamingWarnings.QUALIFIED_ARN, prop(m, 'uri'), qualifier,
      'names a version- or alias-qualified function; such a URI was reported not to stream (unverified)',
      'point the integration at the unqualified function, or verify streaming through the alias after deploying');
  }
  const fn = target.functionId ? ctx.resources[target.functionId] : undefined;
  const fnNode = target.functionId ? ctx.elements.get(target.functionId) : undefined;
  if (!fn || !fnNode) return;
  const props = fn.Properties ?? {};
  const fnTimeout = props.Timeout ?? DEFAULT_FUNCTION_TIMEOUT_SECONDS;
  const timeout = m.integration.timeoutInMillis ?? MAX_BUFFERED_TIMEOUT_MS;
  if (isLiteral(fnTimeout) && isLiteral(timeout) && typeof fnTimeout === 'number' && typeof timeout === 'number' && fnTimeout * 1000 < timeout) {
    report.warning(fnNode, StreamingWarnings.FUNCTION_TIMEOUT, 'Timeout', fnTimeout,
      `seconds is shorter than the integration timeout of ${m.httpMethod} ${m.path} (${timeout} ms): the stream is cut when the function times out`,
      `raise the function timeout to ${Math.ceil(timeout / 1000)} s (StreamingFunction defaults to 15 minutes), or lower the integration timeout`);
  }
  const runtime = props.Runtime;
  if (isLiteral(runtime) && typeof runtime === 'string' && !runtime.startsWith('nodejs') && !usesWebAdapter(props)) {
    report.warning(fnNode, StreamingWarnings.NON_NODE_RUNTIME, 'Runtime', runtime,
      'cannot stream natively (only Node.js managed runtimes can), and no Lambda Web Adapter in response_stream mode is configured',
      'use StreamingWebAppFunction (Lambda Web Adapter with AWS_LWA_INVOKE_MODE=response_stream) or a Node.js runtime');
  }
}

function usesWebAdapter(props: { [key: string]: any }): boolean {
  const env = props.Environment?.Variables ?? {};
  const layers = JSON.stringify(props.Layers ?? []);
  return env.AWS_LWA_INVOKE_MODE === 'response_stream' && (layers.includes('LambdaAdapterLayer') || env.AWS_LAMBDA_EXEC_WRAPPER !== undefined);
}

/** Caching that a stage applies to the method (the most specific setting wins, as in API Gateway). */
function checkCaching(m: MethodModel, stage: StageModel, ctx: RuleContext, report: Reporter): void {
  const effective = effectiveSetting(stage, m.path, m.httpMethod, 'cachingEnabled');
  const stageNode = ctx.elements.get(stage.logicalId);
  if (effective?.cachingEnabled !== true || !stageNode) return;
  const encoded = encodeSettingsPath(m.path);
  const where = stage.kind === 'Deployment' ? 'StageDescription.' : '';
  const property = effective.index < 0
    ? `${where}CachingEnabled (stage-wide, applies as MethodSettings[resourcePath=/*, httpMethod=*].CachingEnabled)`
    : `${where}MethodSettings[resourcePath=${String(effective.resourcePath)}, httpMethod=${String(effective.httpMethod)}].CachingEnabled`;
  const methodNode = nodeOf(m, ctx);
  const definedAt = m.source === 'OpenAPI' ? `${methodNode?.node.path} OpenAPI paths['${m.path}']` : methodNode?.node.path;
  report.error(stageNode, property, true,
    `enables caching for the streamed method ${m.httpMethod} ${m.path} (defined at ${definedAt}), which cannot be cached`,
    `disable caching for it with deployOptions.methodOptions['${m.path === '/' ? '' : m.path}/${m.httpMethod}'] = { cachingEnabled: false } `
    + `(CloudFormation: MethodSettings { ResourcePath: '${encoded}', HttpMethod: '${m.httpMethod}', CachingEnabled: false }), or do not enable caching stage-wide`);
}

/** Checks of the API as a whole, when it has streamed methods. */
export function checkApi(api: RestApiModel, streamed: MethodModel[], ctx: RuleContext, anchors: IConstruct[]): Finding[] {
  const node = ctx.elements.get(api.logicalId);
  if (!node || streamed.length === 0) return [];
  const findings: Finding[] = [];
  const report = reporter(findings, anchors);
  const list = `${streamed.length} streamed: ${streamed.slice(0, 3).map((m) => `${m.httpMethod} ${m.path}`).join(', ')}${streamed.length > 3 ? ', ...' : ''}`;
  if (api.minimumCompressionSize !== undefined && isLiteral(api.minimumCompressionSize)) {
    report.error(node, 'MinimumCompressionSize (RestApi props minCompressionSize / minimumCompressionSize)', api.minimumCompressionSize,
      `turns on content encoding, which streamed methods do not support (${list})`,
      'remove minCompressionSize, or compress in the backend');
  }
  const openApiSize = api.openApi.minimumCompressionSize;
  if (openApiSize !== undefined && isLiteral(openApiSize)) {
    report.error(node, `${api.bodyS3Location !== undefined ? 'BodyS3Location (OpenAPI asset)' : 'Body'} x-amazon-apigateway-minimum-compression-size`, openApiSize,
      `turns on content encoding, which streamed methods do not support (${list})`,
      'remove x-amazon-apigateway-minimum-compression-size from the OpenAPI document, or compress in the backend');
  }
  const types = api.endpointTypes;
  if (types === undefined || (Array.isArray(types) && types.includes('EDGE'))) {
    report.warning(node, StreamingWarnings.EDGE_ENDPOINT, 'EndpointConfiguration.Types', types ?? ['EDGE (the default)'],
      `makes an edge-optimized endpoint, which cuts a stream that is idle for ${humanMs(EDGE_IDLE_TIMEOUT_MS)} (Regional and private: ${humanMs(REGIONAL_IDLE_TIMEOUT_MS)}) (${list})`,
      `use endpointTypes: [EndpointType.REGIONAL] (the StreamingRestApi default), or send keep-alive bytes at least every ${EDGE_IDLE_TIMEOUT_MS / 1000} s (SSE heartbeat)`);
  }
  return findings;
}
