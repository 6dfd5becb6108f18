import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import { StreamingAccessLogFormat, StreamingMetrics, StreamingRestApi } from '../../src';
import { newStack } from '../support/stacks';

function apiWithMetrics() {
  const { stack } = newStack();
  const api = new StreamingRestApi(stack, 'Api');
  api.root.addMethod('GET');
  const metrics = api.addStreamingMetrics();
  return { stack, api, metrics };
}

describe('StreamingMetrics', () => {
  test('metric filters read the streaming fields of the JSON access log', () => {
    // GIVEN / WHEN
    const { stack } = apiWithMetrics();
    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Logs::MetricFilter', 5);
    const byName = (name: string) => Object.values(template.findResources('AWS::Logs::MetricFilter'))
      .find((f) => f.Properties.MetricTransformations[0].MetricName === name)!.Properties;
    const ttfc = byName('TimeToFirstContent');
    expect(ttfc.LogGroupName).toEqual({ Ref: expect.stringMatching(/^ApiAccessLogs/) });
    expect(ttfc.FilterPattern).toBe('{ ($.responseTransferMode = "STREAMED") && ($.timeToFirstContent != "-") }');
    expect(ttfc.MetricTransformations[0]).toMatchObject({ MetricValue: '$.timeToFirstContent', Unit: 'Milliseconds', MetricNamespace: 'StreamingRestApi/TestStack/Api' });
    expect(byName('TimeToAllHeaders').MetricTransformations[0].MetricValue).toBe('$.timeToAllHeaders');
    expect(byName('StreamDuration').MetricTransformations[0].MetricValue).toBe('$.integrationLatency');
    expect(byName('StreamedRequests')).toMatchObject({ FilterPattern: '{ $.responseTransferMode = "STREAMED" }', MetricTransformations: [{ MetricValue: '1', Unit: 'Count' }] });
    expect(byName('BufferedRequests').FilterPattern).toBe('{ $.responseTransferMode = "BUFFERED" }');
  });

  test('every metric filter matches a key the access-log format writes', () => {
    const written = Object.keys(JSON.parse(StreamingAccessLogFormat.jsonWithStreamingFields().toString()));
    const { stack } = apiWithMetrics();
    const fields = Object.values(Template.fromStack(stack).findResources('AWS::Logs::MetricFilter'))
      .flatMap((f) => [...String(f.Properties.FilterPattern).matchAll(/\$\.(\w+)/g)].map((m) => m[1]));
    expect(new Set(fields).size).toBeGreaterThanOrEqual(4);
    for (const field of fields) expect(written).toContain(field);
  });

  test('the time-to-first-byte alarm compares p90 with the threshold in ms', () => {
    // GIVEN
    const { stack, metrics } = apiWithMetrics();
    // WHEN
    metrics.addTimeToFirstByteAlarm('SlowFirstByte', { threshold: Duration.seconds(2) });
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'TimeToFirstContent',
      Namespace: 'StreamingRestApi/TestStack/Api',
      ExtendedStatistic: 'p90',
      Period: 300,
      Threshold: 2000,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      TreatMissingData: 'notBreaching',
      AlarmDescription: Match.stringLikeRegexp('p90 time to first byte above 2 seconds'),
    });
  });

  test('alarm options are honoured', () => {
    const { stack, metrics } = apiWithMetrics();
    metrics.addTimeToFirstByteAlarm('Slow', { threshold: Duration.millis(500), statistic: 'p99', period: Duration.minutes(1), evaluationPeriods: 5, datapointsToAlarm: 2, alarmDescription: 'slow' });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      ExtendedStatistic: 'p99', Period: 60, Threshold: 500, EvaluationPeriods: 5, DatapointsToAlarm: 2, AlarmDescription: 'slow',
    });
  });

  test('a fractional threshold is kept, not an aws-cdk-lib error', () => {
    const { stack, metrics } = apiWithMetrics();
    metrics.addTimeToFirstByteAlarm('Slow', { threshold: Duration.seconds(1.0005) });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', { Threshold: 1000.5 });
  });

  test('a bad evaluationPeriods is rejected', () => {
    const { metrics } = apiWithMetrics();
    expect(() => metrics.addTimeToFirstByteAlarm('Slow', { threshold: Duration.seconds(1), evaluationPeriods: 0 }))
      .toThrow(/\[TestStack\/Api\/StreamingMetrics\] Slow.evaluationPeriods: 0 must be a whole number of at least 1/);
  });

  test('dashboard widgets render the percentiles and the request counts', () => {
    // GIVEN
    const { stack, metrics } = apiWithMetrics();
    // WHEN
    new cloudwatch.Dashboard(stack, 'Dashboard', { widgets: [metrics.dashboardWidgets()] });
    // THEN
    const body = JSON.stringify(Template.fromStack(stack).toJSON());
    expect(body).toContain('Time to first byte (ms)');
    expect(body).toContain('first content p99');
    expect(body).toContain('StreamedRequests');
    expect(body).toContain('BufferedRequests');
    expect(metrics.dashboardWidgets()).toHaveLength(2);
  });

  test('works on any log group, with a chosen namespace', () => {
    const { stack } = newStack();
    const group = new logs.LogGroup(stack, 'Logs');
    const metrics = new StreamingMetrics(stack, 'Metrics', { logGroup: group, namespace: 'MyApi' });
    expect(metrics.metricStreamedRequests().namespace).toBe('MyApi');
    expect(metrics.metricTimeToFirstContent().statistic).toBe('p90');
    expect(metrics.metricStreamedRequests().statistic).toBe('Sum');
    Template.fromStack(stack).hasResourceProperties('AWS::Logs::MetricFilter', { LogGroupName: { Ref: Match.stringLikeRegexp('^Logs') } });
  });

  test('addStreamingMetrics without a created log group says what to do', () => {
    const { stack } = newStack();
    const api = new StreamingRestApi(stack, 'Api', { deploy: false });
    api.root.addMethod('GET');
    expect(() => api.addStreamingMetrics()).toThrow(/\[TestStack\/Api\] accessLogGroup: undefined does not exist.*Fix: create `new StreamingMetrics/);
  });

  test('metric(name, props) is public, attached to the construct, and the named helpers are built on it', () => {
    const { metrics } = apiWithMetrics();
    const m = metrics.metric('StreamDuration', { statistic: 'p99', period: Duration.minutes(1) });
    expect(m).toMatchObject({ namespace: 'StreamingRestApi/TestStack/Api', metricName: 'StreamDuration', statistic: 'p99' });
    expect(m.period.toSeconds()).toBe(60);
    // attachTo(this): the metric carries the stack's account and region.
    expect(m.region).toBe('us-east-1');
    expect(m.account).toBe('123456789012');
    expect(metrics.metric('StreamedRequests').period.toSeconds()).toBe(300);
    expect(metrics.metricTimeToAllHeaders({ statistic: 'p50' }).statistic).toBe('p50');
    expect(metrics.metricTimeToAllHeaders().region).toBe('us-east-1');
  });

  test('addStreamingMetrics can be called twice: the same namespace returns the first, another gets its own id', () => {
    const { stack, api, metrics } = apiWithMetrics();
    expect(api.addStreamingMetrics()).toBe(metrics);
    const other = api.addStreamingMetrics({ namespace: 'Other' });
    expect(other).not.toBe(metrics);
    expect(other.node.id).toBe('StreamingMetrics2');
    expect(api.addStreamingMetrics({ namespace: 'Other' })).toBe(other);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Logs::MetricFilter', 10);
    const namespaces = Object.values(template.findResources('AWS::Logs::MetricFilter')).map((f) => f.Properties.MetricTransformations[0].MetricNamespace);
    expect(namespaces.filter((n) => n === 'Other')).toHaveLength(5);
  });
});
