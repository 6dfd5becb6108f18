import { Token } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { checkStreamingTimeout, checkStreamTransferMode } from './private/timeouts';
import { checkHttpUrl } from './private/urls';

/**
 * Properties of a `StreamingHttpIntegration`.
 *
 * `responseTransferMode` must stay `STREAM`: any other value is rejected.
 */
export interface StreamingHttpIntegrationProps extends apigateway.IntegrationOptions {
  /**
   * The HTTP method API Gateway uses to call the backend.
   *
   * @default 'ANY' - the client's method is passed through
   */
  readonly httpMethod?: string;
}

/**
 * An HTTP proxy integration (`HTTP_PROXY`) that relays the backend's response body as it arrives
 * (`ResponseTransferMode: STREAM`).
 *
 * API Gateway waits for all the backend's response headers, sends status and headers, then relays
 * body bytes as they arrive, for up to the integration timeout (default 15 minutes). The backend
 * should stream too (chunked transfer, no buffering proxy in between).
 *
 * For a private integration, pass `vpcLink`: the connection type becomes `VPC_LINK`.
 *
 * @example
 * declare const api: apigateway.RestApi;
 * api.root.addResource('events').addMethod('GET', new StreamingHttpIntegration('https://backend.example.com/events'));
 */
export class StreamingHttpIntegration extends apigateway.HttpIntegration {
  /** The backend URL. */
  public readonly url: string;

  constructor(url: string, props: StreamingHttpIntegrationProps = {}) {
    const where = `StreamingHttpIntegration(${Token.isUnresolved(url) ? '<token>' : url})`;
    checkHttpUrl(where, 'url', url);
    checkStreamTransferMode(where, props.responseTransferMode, 'HttpIntegration');
    const { httpMethod, ...options } = props;
    super(url, {
      proxy: true,
      httpMethod: httpMethod ?? 'ANY',
      options: {
        ...options,
        responseTransferMode: apigateway.ResponseTransferMode.STREAM,
        timeout: checkStreamingTimeout(where, 'timeout', props.timeout),
      },
    });
    this.url = url;
  }
}
