export * from './streaming-validator';
export { StreamingWarnings } from './rules';
