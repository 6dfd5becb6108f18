/** Options of the routes `StreamingRestApi` adds. */
import { Duration } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';

/**
 * Options of a streamed route: the method options of `apigateway.Resource.addMethod()`
 * (authorizer, API key, request validation, ...) and the route's HTTP method and timeout.
 */
export interface StreamingRouteOptions extends apigateway.MethodOptions {
  /**
   * The HTTP method of the route.
   *
   * @default 'ANY'
   */
  readonly httpMethod?: string;

  /**
   * Integration timeout of this route, 50 ms to 15 minutes.
   *
   * @default - the API's `streamingTimeout` (15 minutes unless set)
   */
  readonly timeout?: Duration;
}

/**
 * Options of `StreamingRestApi.addStreamingLambda()`.
 */
export interface StreamingLambdaRouteOptions extends StreamingRouteOptions {
  /**
   * Also allow the API Gateway console's test-invoke to call the function.
   *
   * The console's test-invoke buffers the response, so it does not show streaming.
   *
   * @default true
   */
  readonly allowTestInvoke?: boolean;
}

/**
 * Options of `StreamingRestApi.addStreamingHttpProxy()`.
 */
export interface StreamingHttpRouteOptions extends StreamingRouteOptions {
  /**
   * The HTTP method API Gateway uses to call the backend.
   *
   * @default 'ANY' - the client's method is passed through
   */
  readonly integrationHttpMethod?: string;

  /**
   * A VPC link to reach a private backend (the connection type becomes `VPC_LINK`).
   *
   * @default - the backend is reached over the internet
   */
  readonly vpcLink?: apigateway.IVpcLink;

  /**
   * Request parameters passed to the backend
   * (`integration.request.<location>.<name>` → `method.request.<location>.<name>` or a literal).
   *
   * Path parameters that appear both in the route path and in the URL (`{id}`, `{proxy}`) are
   * mapped automatically; these entries are added to (and win over) that mapping.
   *
   * @default - only the automatic path-parameter mapping
   */
  readonly integrationRequestParameters?: { [dest: string]: string };
}
