import { Aspects, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { StreamingAccessLogFormat } from './access-log';
import { StreamingMetrics } from './observability/streaming-metrics';
import { StreamingMetricsOptions } from './observability/streaming-metrics-options';
import { DeferredLogGroupDestination } from './private/deferred-log-destination';
import { rescoped, StreamingConfigError } from './private/errors';
import { defaultMetricsNamespace } from './private/names';
import { checkResourcePath, nonEmpty, sharedPathParameters } from './private/resource-paths';
import { checkStreamingTimeout } from './private/timeouts';
import { StreamingHttpIntegration } from './streaming-http-integration';
import { StreamingLambdaIntegration } from './streaming-lambda-integration';
import { StreamingHttpRouteOptions, StreamingLambdaRouteOptions } from './streaming-route-options';
import { StreamingValidator } from './validation/streaming-validator';

/**
 * Properties of a `StreamingRestApi`: those of `apigateway.RestApi`, with safe defaults for
 * response streaming, and the streaming options below.
 */
export interface StreamingRestApiProps extends apigateway.RestApiProps {
  /**
   * Integration timeout of the routes added with `addStreamingLambda()` and
   * `addStreamingHttpProxy()`, unless a route sets its own.
   *
   * Must lie between 50 ms and 15 minutes.
   *
   * @default Duration.minutes(15)
   */
  readonly streamingTimeout?: Duration;

  /**
   * How long the access-log group the construct creates keeps its logs.
   *
   * Ignored when you pass `deployOptions.accessLogDestination`.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly accessLogRetention?: logs.RetentionDays;

  /**
   * What happens to the access-log group the construct creates when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly accessLogRemovalPolicy?: RemovalPolicy;
}

/**
 * A REST API made for response streaming.
 *
 * An `apigateway.RestApi` whose defaults suit streamed routes:
 * - a Regional endpoint (an edge-optimized endpoint cuts streams that are idle for 30 seconds);
 * - JSON access logs with the streaming fields (`responseTransferMode`, `timeToAllHeaders`,
 *   `timeToFirstContent`) written to a log group the construct creates (`accessLogGroup`);
 * - the account-level CloudWatch role that access logging needs;
 * - execution logging at `ERROR` level and stage-wide throttling (1000 requests per second,
 *   burst 2000);
 * - a request validator (`requestValidator`) used by the routes the helpers add;
 * - a `StreamingValidator` on itself: what cannot work on a streamed method fails `cdk synth`;
 * - `addStreamingLambda()` and `addStreamingHttpProxy()`, which create the path and a streamed
 *   method with the 15-minute timeout, the streaming Lambda URI and the permission.
 *
 * @example
 * declare const fn: lambda.IFunction;
 * const api = new StreamingRestApi(this, 'Api');
 * api.addStreamingLambda('/chat', fn, { httpMethod: 'POST' });
 */
export class StreamingRestApi extends apigateway.RestApi {
  /**
   * The log group the construct created for access logs.
   *
   * Undefined when you passed your own `deployOptions.accessLogDestination`, or `deploy: false`.
   */
  public readonly accessLogGroup?: logs.ILogGroup;

  /** The integration timeout of streamed routes that do not set their own. */
  public readonly streamingTimeout: Duration;

  /**
   * The request validator of the routes added with `addStreamingLambda()` and
   * `addStreamingHttpProxy()` (unless a route passes its own). It validates request parameters
   * and, where the route declares `requestModels`, the body, so bad requests are rejected before
   * the backend is invoked.
   */
  public readonly requestValidator: apigateway.RequestValidator;

  constructor(scope: Construct, id: string, props: StreamingRestApiProps = {}) {
    const streamingTimeout = checkStreamingTimeout(`${scope.node.path}/${id}`, 'streamingTimeout', props.streamingTimeout);
    const deployOptions = props.deployOptions ?? {};
    // The log group is created below, under this construct, once `super()` has run; the stage
    // binds to it through a lazy destination.
    const createLogGroup = props.deploy !== false && deployOptions.accessLogDestination === undefined;
    const deferredDestination = createLogGroup ? new DeferredLogGroupDestination() : undefined;
    const endpointDefault = props.endpointConfiguration === undefined && props.endpointTypes === undefined
      ? { endpointTypes: [apigateway.EndpointType.REGIONAL] }
      : {};
    super(scope, id, {
      cloudWatchRole: props.deploy === false ? undefined : true,
      ...endpointDefault,
      ...props,
      deployOptions: props.deploy === false ? props.deployOptions : {
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        throttlingRateLimit: DEFAULT_THROTTLING_RATE_LIMIT,
        throttlingBurstLimit: DEFAULT_THROTTLING_BURST_LIMIT,
        ...deployOptions,
        accessLogDestination: deployOptions.accessLogDestination ?? deferredDestination,
        accessLogFormat: deployOptions.accessLogFormat ?? StreamingAccessLogFormat.jsonWithStreamingFields(),
      },
    });
    this.streamingTimeout = streamingTimeout;
    // What cannot work on a streamed method fails `cdk synth` (see StreamingValidator).
    Aspects.of(this).add(new StreamingValidator());
    this.requestValidator = new apigateway.RequestValidator(this, 'RequestValidator', {
      restApi: this,
      validateRequestParameters: true,
      validateRequestBody: true,
    });
    if (deferredDestination) {
      const group = new logs.LogGroup(this, 'AccessLogs', {
        retention: props.accessLogRetention ?? logs.RetentionDays.ONE_MONTH,
        removalPolicy: props.accessLogRemovalPolicy ?? RemovalPolicy.RETAIN,
      });
      deferredDestination.group = group;
      this.accessLogGroup = group;
    }
  }

  /**
   * Adds a streamed Lambda proxy route: creates the resource path (reusing resources that exist)
   * and a method whose integration streams the function's response.
   *
   * @param path the resource path, e.g. `/chat` or `/v1/chat/{id}`
   * @param handler the function; it must write the streaming wire format
   * @param options the route's HTTP method, timeout and method options
   * @returns the new method
   */
  public addStreamingLambda(path: string, handler: lambda.IFunction, options: StreamingLambdaRouteOptions = {}): apigateway.Method {
    const { httpMethod, timeout, allowTestInvoke, ...methodOptions } = options;
    const integration = rescoped(this, { timeout: `route '${path}' timeout` }, () => new StreamingLambdaIntegration(handler, {
      timeout: timeout ?? this.streamingTimeout,
      allowTestInvoke,
    }));
    return this.addRoute(path, httpMethod, integration, methodOptions);
  }

  /**
   * Adds a streamed HTTP proxy route: creates the resource path (reusing resources that exist)
   * and a method that relays the backend's response as it arrives.
   *
   * @param path the resource path, e.g. `/events` or `/files/{proxy+}`
   * @param url the backend URL; `{name}` placeholders receive the route's path parameters
   * @param options the route's HTTP method, timeout, VPC link and method options
   * @returns the new method
   */
  public addStreamingHttpProxy(path: string, url: string, options: StreamingHttpRouteOptions = {}): apigateway.Method {
    const { httpMethod, timeout, integrationHttpMethod, vpcLink, integrationRequestParameters, ...methodOptions } = options;
    const pathParameters = sharedPathParameters(path, url);
    const requestParameters: { [dest: string]: string } = {};
    const methodRequestParameters: { [param: string]: boolean } = {};
    for (const name of pathParameters) {
      requestParameters[`integration.request.path.${name}`] = `method.request.path.${name}`;
      methodRequestParameters[`method.request.path.${name}`] = true;
    }
    // The integration checks the URL (once); its error is restated at this API's path.
    // `Integration.bind` sets the VPC_LINK connection type when `vpcLink` is given.
    const integration = rescoped(this, { url: 'addStreamingHttpProxy(url)', timeout: `route '${path}' timeout` }, () => new StreamingHttpIntegration(url, {
      httpMethod: integrationHttpMethod,
      timeout: timeout ?? this.streamingTimeout,
      vpcLink,
      requestParameters: nonEmpty({ ...requestParameters, ...integrationRequestParameters }),
    }));
    return this.addRoute(path, httpMethod, integration, {
      ...methodOptions,
      requestParameters: nonEmpty({ ...methodRequestParameters, ...methodOptions.requestParameters }),
    });
  }

  /**
   * Turns the API's access log into CloudWatch metrics of streaming (time to first byte, time to
   * all headers, stream duration, streamed and buffered request counts), with alarm helpers and
   * dashboard widgets. Needs the access-log group the construct created (`accessLogGroup`).
   *
   * May be called more than once: with the same namespace it returns the same `StreamingMetrics`
   * (id `StreamingMetrics`); another namespace gets its own (`StreamingMetrics2`, ...).
   */
  public addStreamingMetrics(options: StreamingMetricsOptions = {}): StreamingMetrics {
    if (!this.accessLogGroup) {
      throw new StreamingConfigError({
        scope: this,
        property: 'accessLogGroup',
        value: undefined,
        problem: 'does not exist: you passed your own access-log destination, or deploy: false',
        fix: 'create `new StreamingMetrics(scope, id, { logGroup })` with the log group your access logs go to',
      });
    }
    // One StreamingMetrics per namespace: a second call with the same namespace returns the first
    // (two sets of metric filters would count every request twice); another namespace gets its
    // own construct, `StreamingMetrics2`, `StreamingMetrics3`...
    const namespace = options.namespace ?? defaultMetricsNamespace(this);
    const existing = this.node.children.filter((c): c is StreamingMetrics => c instanceof StreamingMetrics);
    const same = existing.find((m) => m.namespace === namespace);
    if (same) return same;
    const id = existing.length === 0 ? 'StreamingMetrics' : `StreamingMetrics${existing.length + 1}`;
    return new StreamingMetrics(this, id, { namespace, logGroup: this.accessLogGroup });
  }

  private addRoute(
    path: string, httpMethod: string | undefined, integration: apigateway.Integration, options: apigateway.MethodOptions,
  ): apigateway.Method {
    const resource = this.resourceFor(path);
    const method = (httpMethod ?? 'ANY').toUpperCase();
    if (resource.node.tryFindChild(method)) {
      throw new StreamingConfigError({
        scope: this,
        property: 'route',
        value: `${method} ${path}`,
        problem: 'already exists',
        fix: 'add each method of a path once (use a different httpMethod, or ANY for all methods)',
      });
    }
    return resource.addMethod(method, integration, this.withValidator(options));
  }

  private withValidator(options: apigateway.MethodOptions): apigateway.MethodOptions {
    if (options.requestValidator || options.requestValidatorOptions) {
      return options;
    }
    return { ...options, requestValidator: this.requestValidator };
  }

  private resourceFor(path: string): apigateway.IResource {
    checkResourcePath(this, path);
    return path === '/' ? this.root : this.root.resourceForPath(path);
  }
}

/** Stage-wide default throttling (requests per second, steady and burst). */
const DEFAULT_THROTTLING_RATE_LIMIT = 1000;
const DEFAULT_THROTTLING_BURST_LIMIT = 2000;
