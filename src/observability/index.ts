export * from './streaming-metrics';
export * from './streaming-metrics-options';
