/** An access-log destination for a log group created after the stage that uses it. */
import { Lazy } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as logs from 'aws-cdk-lib/aws-logs';

/**
 * An access-log destination whose log group is created after the stage that uses it.
 */
export class DeferredLogGroupDestination implements apigateway.IAccessLogDestination {
  public group?: logs.ILogGroup;

  public bind(_stage: apigateway.IStage): apigateway.AccessLogDestinationConfig {
    return {
      destinationArn: Lazy.string({
        produce: () => {
          if (!this.group) {
            throw new Error('the access-log group of a StreamingRestApi was never created');
          }
          return this.group.logGroupArn;
        },
      }),
    };
  }
}
