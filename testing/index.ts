/**
 * `cdk-streaming-rest-api/testing`: helpers for testing your own stacks with Jest and
 * `aws-cdk-lib/assertions` (Node.js only, not part of the jsii API).
 */
import streamingSnapshotSerializer from './snapshot-serializer';

export { streamingSnapshotSerializer };
export { expectStreamingRoute, restApiRoutes, streamingRoutes } from './routes';
export type { RouteInfo, StreamingRoute, StreamingRouteExpectation, TemplateLike } from './routes';
