import * as apigateway from 'aws-cdk-lib/aws-apigateway';

/**
 * Access-log variables that API Gateway added for response streaming.
 *
 * Use them with `apigateway.AccessLogFormat.custom(...)` or read them from the logs
 * written with `StreamingAccessLogFormat.jsonWithStreamingFields()`.
 */
export class StreamingAccessLogField {
  /**
   * How the integration response was sent: `STREAMED` or `BUFFERED`.
   *
   * Note the value is `STREAMED`, not `STREAM` (the integration setting).
   */
  public static responseTransferMode(): string {
    return '$context.integration.responseTransferMode';
  }

  /**
   * Milliseconds from the integration connection to all response headers received.
   */
  public static timeToAllHeaders(): string {
    return '$context.integration.timeToAllHeaders';
  }

  /**
   * Milliseconds from the integration connection to the first body bytes received:
   * the streaming time-to-first-byte.
   */
  public static timeToFirstContent(): string {
    return '$context.integration.timeToFirstContent';
  }

  private constructor() {}
}

/**
 * Options for `StreamingAccessLogFormat.jsonWithStreamingFields()`.
 */
export interface StreamingAccessLogFormatOptions {
  /**
   * More fields to log: JSON key → access-log variable (e.g. `{ apiKeyId: '$context.identity.apiKeyId' }`).
   *
   * A key that is also a standard key replaces the standard value.
   *
   * @default - only the standard and streaming fields
   */
  readonly extraFields?: { [key: string]: string };
}

/**
 * Access-log formats that record how each response was streamed.
 */
export class StreamingAccessLogFormat {
  /**
   * The JSON keys written by `jsonWithStreamingFields()`, in order, with their variables.
   */
  public static standardFields(): { [key: string]: string } {
    return {
      requestId: apigateway.AccessLogField.contextRequestId(),
      ip: apigateway.AccessLogField.contextIdentitySourceIp(),
      caller: apigateway.AccessLogField.contextIdentityCaller(),
      user: apigateway.AccessLogField.contextIdentityUser(),
      requestTime: apigateway.AccessLogField.contextRequestTime(),
      httpMethod: apigateway.AccessLogField.contextHttpMethod(),
      resourcePath: apigateway.AccessLogField.contextResourcePath(),
      status: apigateway.AccessLogField.contextStatus(),
      protocol: apigateway.AccessLogField.contextProtocol(),
      responseLength: apigateway.AccessLogField.contextResponseLength(),
      integrationLatency: apigateway.AccessLogField.contextIntegrationLatency(),
      responseLatency: apigateway.AccessLogField.contextResponseLatency(),
      responseTransferMode: StreamingAccessLogField.responseTransferMode(),
      timeToAllHeaders: StreamingAccessLogField.timeToAllHeaders(),
      timeToFirstContent: StreamingAccessLogField.timeToFirstContent(),
    };
  }

  /**
   * One JSON object per request: the standard fields of
   * `AccessLogFormat.jsonWithStandardFields()`, the integration and response latencies, and the
   * three streaming fields (`responseTransferMode`, `timeToAllHeaders`, `timeToFirstContent`).
   *
   * Every value is a JSON string, so a line stays valid JSON when API Gateway writes `-` for a
   * value it does not have.
   */
  public static jsonWithStreamingFields(options: StreamingAccessLogFormatOptions = {}): apigateway.AccessLogFormat {
    const fields = { ...StreamingAccessLogFormat.standardFields(), ...(options.extraFields ?? {}) };
    return apigateway.AccessLogFormat.custom(JSON.stringify(fields));
  }

  private constructor() {}
}
