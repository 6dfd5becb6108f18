/** Options of `StreamingMetrics` and its alarms. */
import { Duration } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';

/**
 * Options of `StreamingRestApi.addStreamingMetrics()`.
 */
export interface StreamingMetricsOptions {
  /**
   * The CloudWatch namespace of the metrics.
   *
   * Use one namespace per API: metric filters cannot add a constant dimension.
   *
   * @default 'StreamingRestApi/<construct path of the API>'
   */
  readonly namespace?: string;
}

/**
 * Properties of `StreamingMetrics`.
 */
export interface StreamingMetricsProps extends StreamingMetricsOptions {
  /**
   * The log group that receives the API's access logs, written in
   * `StreamingAccessLogFormat.jsonWithStreamingFields()` (or any JSON format with the keys
   * `responseTransferMode`, `timeToFirstContent`, `timeToAllHeaders` and `integrationLatency`).
   */
  readonly logGroup: logs.ILogGroup;
}

/**
 * Options of `StreamingMetrics.addTimeToFirstByteAlarm()`.
 */
export interface TimeToFirstByteAlarmOptions {
  /** Alarm when the time to first content is above this duration. */
  readonly threshold: Duration;

  /**
   * The statistic compared with the threshold.
   *
   * @default 'p90'
   */
  readonly statistic?: string;

  /**
   * The period over which the statistic is computed.
   *
   * @default Duration.minutes(5)
   */
  readonly period?: Duration;

  /**
   * How many periods are evaluated.
   *
   * @default 3
   */
  readonly evaluationPeriods?: number;

  /**
   * How many of the evaluated periods must breach to alarm.
   *
   * @default - the same as `evaluationPeriods`
   */
  readonly datapointsToAlarm?: number;

  /**
   * The alarm's description.
   *
   * @default - a description naming the statistic and threshold
   */
  readonly alarmDescription?: string;
}
