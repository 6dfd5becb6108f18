import { IConstruct } from 'constructs';

/** The CloudWatch namespace `StreamingMetrics` uses for `scope` when none is given. */
export function defaultMetricsNamespace(scope: IConstruct): string {
  return `StreamingRestApi/${scope.node.path.replace(/[^A-Za-z0-9._\-/#:]/g, '-')}`;
}
