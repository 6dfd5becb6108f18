export * from './streaming-metrics';
