/**
 * cdk-streaming-rest-api/runtime: correct API Gateway response-streaming handlers for the Lambda
 * Node.js runtime. No dependencies; esbuild inlines what a handler uses.
 */
export { streamingHandler, DeadlineError } from './handler';
export type { StreamingHandlerFunction, StreamingHandlerOptions } from './handler';
export { StreamingResponse, HttpError } from './response';
export type { Chunk, ResponseMode } from './response';
export { sse, SseWriter, encodeSseEvent, encodeSseComment, encodeSseEnd, isEndedStreamId, SSE_END_MARKER } from './sse';
export type { SseErrorInfo, SseEvent, SseOptions } from './sse';
export { ndjson, NdjsonWriter } from './ndjson';
export { pipe } from './pipe';
export { fetchHandler, toRequest } from './fetch-handler';
export type { FetchFunction, FetchHandlerOptions } from './fetch-handler';
export { mcpHandler, McpAuthError } from './mcp-handler';
export type { BearerVerifier, McpAuthInfo, McpFetch, McpHandlerOptions } from './mcp-handler';
export { statelessMcp } from './mcp-stateless';
export type { McpServerLike, McpTransportClass, McpTransportLike } from './mcp-stateless';
export { validateMetadata, MetadataError } from './metadata';
export type { AwsLambdaGlobal, LambdaContext, LambdaResponseStream, RawStreamingHandler, ResponseMetadata, RestProxyEvent } from './types';
