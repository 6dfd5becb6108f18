/**
 * Types of the Lambda Node.js runtime's response-streaming API (the `awslambda` global) and of the
 * API Gateway REST proxy event, declared here so the runtime has no dependencies.
 */
import type { Writable } from 'stream';
import type { ResponseMetadata } from '../../wire/contract';

export type { ResponseMetadata };

/** The raw response stream the Lambda runtime passes to a streaming handler. */
export interface LambdaResponseStream extends Writable {
  setContentType(contentType: string): void;
}

/** The Lambda context object (the parts the runtime uses). */
export interface LambdaContext {
  awsRequestId: string;
  functionName: string;
  callbackWaitsForEmptyEventLoop: boolean;
  getRemainingTimeInMillis(): number;
  [key: string]: unknown;
}

export type RawStreamingHandler<E> = (event: E, responseStream: LambdaResponseStream, context: LambdaContext) => Promise<void>;

/** The `awslambda` global of the Node.js managed runtimes. */
export interface AwsLambdaGlobal {
  HttpResponseStream: {
    from(stream: LambdaResponseStream, metadata: ResponseMetadata): LambdaResponseStream;
  };
  streamifyResponse<E>(handler: RawStreamingHandler<E>): RawStreamingHandler<E>;
}

/** The API Gateway REST API proxy (v1) event. */
export interface RestProxyEvent {
  resource: string;
  path: string;
  httpMethod: string;
  headers: Record<string, string | undefined> | null;
  multiValueHeaders: Record<string, string[] | undefined> | null;
  queryStringParameters: Record<string, string | undefined> | null;
  multiValueQueryStringParameters: Record<string, string[] | undefined> | null;
  pathParameters: Record<string, string | undefined> | null;
  stageVariables: Record<string, string | undefined> | null;
  requestContext: Record<string, unknown> & { requestId?: string; stage?: string };
  body: string | null;
  isBase64Encoded: boolean;
}
