import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { StreamingConfigError } from './private/errors';
import { checkStreamingTimeout, checkStreamTransferMode } from './private/timeouts';

/**
 * Options for a `StreamingLambdaIntegration`.
 *
 * `proxy` must stay `true` and `responseTransferMode` must stay `STREAM`: any other value is
 * rejected, because a streamed Lambda integration is always a Lambda proxy integration.
 */
export interface StreamingLambdaIntegrationOptions extends apigateway.LambdaIntegrationOptions {}

/**
 * A Lambda proxy integration that streams the function's response (`ResponseTransferMode: STREAM`).
 *
 * - The integration URI is the streaming one
 *   (`2021-11-15/functions/<arn>/response-streaming-invocations`).
 * - The integration timeout defaults to 15 minutes, the largest a streamed method accepts.
 * - API Gateway gets `lambda:InvokeFunction` on the function, scoped to the method.
 *
 * The function must write the streaming wire format (metadata JSON, 8 NUL bytes, payload):
 * use the handler runtime (`cdk-streaming-rest-api/runtime`) or `awslambda.streamifyResponse`.
 *
 * @example
 * declare const fn: lambda.IFunction;
 * declare const api: apigateway.RestApi;
 * api.root.addResource('chat').addMethod('POST', new StreamingLambdaIntegration(fn));
 */
export class StreamingLambdaIntegration extends apigateway.LambdaIntegration {
  constructor(handler: lambda.IFunction, options: StreamingLambdaIntegrationOptions = {}) {
    const where = `StreamingLambdaIntegration(${handler.node.path})`;
    if (options.proxy === false) {
      throw new StreamingConfigError({
        scope: where,
        property: 'proxy',
        value: false,
        problem: 'is not supported: API Gateway streams only Lambda proxy (AWS_PROXY) integrations',
        fix: 'remove `proxy: false`; use apigateway.LambdaIntegration for a buffered, non-proxy integration',
      });
    }
    checkStreamTransferMode(where, options.responseTransferMode, 'LambdaIntegration');
    super(handler, {
      ...options,
      proxy: true,
      responseTransferMode: apigateway.ResponseTransferMode.STREAM,
      timeout: checkStreamingTimeout(where, 'timeout', options.timeout),
    });
  }
}
