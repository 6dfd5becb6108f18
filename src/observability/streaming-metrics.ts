import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { StreamingMetricsProps, TimeToFirstByteAlarmOptions } from './streaming-metrics-options';
import { StreamingConfigError } from '../private/errors';
import { defaultMetricsNamespace } from '../private/names';

/** Metric names published by `StreamingMetrics`. */
const METRIC = {
  timeToFirstContent: 'TimeToFirstContent',
  timeToAllHeaders: 'TimeToAllHeaders',
  streamDuration: 'StreamDuration',
  streamedRequests: 'StreamedRequests',
  bufferedRequests: 'BufferedRequests',
};

/**
 * CloudWatch metrics of response streaming, read from an API's JSON access log by metric filters:
 *
 * | metric | unit | from |
 * | --- | --- | --- |
 * | `TimeToFirstContent` | ms | `timeToFirstContent` of streamed requests (time to first byte) |
 * | `TimeToAllHeaders` | ms | `timeToAllHeaders` of streamed requests |
 * | `StreamDuration` | ms | `integrationLatency` of streamed requests (the whole stream) |
 * | `StreamedRequests` | count | requests with `responseTransferMode` `STREAMED` |
 * | `BufferedRequests` | count | requests with `responseTransferMode` `BUFFERED` |
 *
 * @example
 * declare const api: StreamingRestApi;
 * const metrics = api.addStreamingMetrics();
 * metrics.addTimeToFirstByteAlarm('SlowFirstByte', { threshold: Duration.seconds(2) });
 */
export class StreamingMetrics extends Construct {
  /** The namespace of the metrics. */
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: StreamingMetricsProps) {
    super(scope, id);
    this.namespace = props.namespace ?? defaultMetricsNamespace(scope);
    if (this.namespace.length === 0 || this.namespace.length > 255) {
      throw new StreamingConfigError({
        scope: this,
        property: 'namespace',
        value: this.namespace,
        problem: 'must have 1 to 255 characters',
        fix: 'pass a shorter namespace',
      });
    }

    const streamed = logs.FilterPattern.stringValue('$.responseTransferMode', '=', 'STREAMED');
    const timed = (field: string) => logs.FilterPattern.all(streamed, logs.FilterPattern.stringValue(`$.${field}`, '!=', '-'));
    const filter = (filterId: string, metricName: string, pattern: logs.IFilterPattern, metricValue: string, unit?: cloudwatch.Unit) =>
      new logs.MetricFilter(this, filterId, {
        logGroup: props.logGroup,
        metricNamespace: this.namespace,
        metricName,
        filterPattern: pattern,
        metricValue,
        unit,
      });

    filter('TimeToFirstContentFilter', METRIC.timeToFirstContent, timed('timeToFirstContent'), '$.timeToFirstContent', cloudwatch.Unit.MILLISECONDS);
    filter('TimeToAllHeadersFilter', METRIC.timeToAllHeaders, timed('timeToAllHeaders'), '$.timeToAllHeaders', cloudwatch.Unit.MILLISECONDS);
    filter('StreamDurationFilter', METRIC.streamDuration, timed('integrationLatency'), '$.integrationLatency', cloudwatch.Unit.MILLISECONDS);
    filter('StreamedRequestsFilter', METRIC.streamedRequests, streamed, '1', cloudwatch.Unit.COUNT);
    filter('BufferedRequestsFilter', METRIC.bufferedRequests, logs.FilterPattern.stringValue('$.responseTransferMode', '=', 'BUFFERED'), '1', cloudwatch.Unit.COUNT);
  }

  /**
   * Time from the integration connection to the first body bytes of streamed responses.
   *
   * @default - p90 over 5 minutes
   */
  public metricTimeToFirstContent(options: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.cannedMetric(METRIC.timeToFirstContent, 'p90', options);
  }

  /**
   * Time from the integration connection to all response headers of streamed responses.
   *
   * @default - p90 over 5 minutes
   */
  public metricTimeToAllHeaders(options: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.cannedMetric(METRIC.timeToAllHeaders, 'p90', options);
  }

  /**
   * Duration of whole streams (the integration latency of streamed responses).
   *
   * @default - p90 over 5 minutes
   */
  public metricStreamDuration(options: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.cannedMetric(METRIC.streamDuration, 'p90', options);
  }

  /**
   * Number of responses sent streamed.
   *
   * @default - sum over 5 minutes
   */
  public metricStreamedRequests(options: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.cannedMetric(METRIC.streamedRequests, 'Sum', options);
  }

  /**
   * Number of responses sent buffered.
   *
   * @default - sum over 5 minutes
   */
  public metricBufferedRequests(options: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.cannedMetric(METRIC.bufferedRequests, 'Sum', options);
  }

  /**
   * An alarm on slow time to first byte: the time-to-first-content statistic (p90 by default)
   * above `threshold`.
   */
  public addTimeToFirstByteAlarm(id: string, options: TimeToFirstByteAlarmOptions): cloudwatch.Alarm {
    // CloudWatch thresholds may be fractional: no aws-cdk-lib error for Duration.seconds(1.0005).
    const thresholdMs = options.threshold.toMilliseconds({ integral: false });
    const statistic = options.statistic ?? 'p90';
    const evaluationPeriods = options.evaluationPeriods ?? 3;
    if (!Number.isInteger(evaluationPeriods) || evaluationPeriods < 1) {
      throw new StreamingConfigError({
        scope: this,
        property: `${id}.evaluationPeriods`,
        value: evaluationPeriods,
        problem: 'must be a whole number of at least 1',
        fix: 'pass evaluationPeriods: 1 or more',
      });
    }
    const metric = this.metricTimeToFirstContent({ statistic, period: options.period ?? Duration.minutes(5) });
    return new cloudwatch.Alarm(this, id, {
      metric,
      threshold: thresholdMs,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods,
      datapointsToAlarm: options.datapointsToAlarm ?? evaluationPeriods,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: options.alarmDescription
        ?? `Streamed responses: ${statistic} time to first byte above ${options.threshold.toHumanString()}`,
    });
  }

  /**
   * Dashboard widgets: time to first byte and headers (p50, p90, p99), and streamed vs buffered
   * requests.
   */
  public dashboardWidgets(): cloudwatch.IWidget[] {
    const percentiles = (make: (o: cloudwatch.MetricOptions) => cloudwatch.Metric, name: string) =>
      ['p50', 'p90', 'p99'].map((statistic) => make.call(this, { statistic, label: `${name} ${statistic}` }));
    return [
      new cloudwatch.GraphWidget({
        title: 'Time to first byte (ms)',
        left: [
          ...percentiles(this.metricTimeToFirstContent, 'first content'),
          ...percentiles(this.metricTimeToAllHeaders, 'all headers'),
        ],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Streamed vs buffered responses',
        left: [this.metricStreamedRequests({ label: 'streamed' }), this.metricBufferedRequests({ label: 'buffered' })],
        right: [this.metricStreamDuration({ label: 'stream duration p90' })],
        width: 12,
      }),
    ];
  }

  /**
   * A metric of this construct's namespace, attached to this construct (like aws-cdk's
   * `RestApi.metric()`); the named `metricXxx()` helpers are built on it.
   *
   * @param metricName one of `TimeToFirstContent`, `TimeToAllHeaders`, `StreamDuration`,
   * `StreamedRequests`, `BufferedRequests`
   * @param props statistic, period, label...
   * @default - average over 5 minutes
   */
  public metric(metricName: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: this.namespace,
      metricName,
      period: Duration.minutes(5),
      ...props,
    }).attachTo(this);
  }

  private cannedMetric(metricName: string, statistic: string, props: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(metricName, { statistic, ...props });
  }
}

