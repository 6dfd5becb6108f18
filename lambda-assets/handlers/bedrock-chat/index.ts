/**
 * The handler StreamingBedrockChat deploys: validates the conversation, calls Bedrock
 * ConverseStream and streams the answer as Server-Sent Events.
 *
 * `BEDROCK_ENDPOINT_URL` points the client at another endpoint (the local Bedrock stand-in).
 */
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { chatConfigFromEnv } from './chat';
import { ConverseStreamClient, serveChat } from './serve';

/** The Lambda runtime's streaming API (a global in Node.js managed runtimes). */
declare const awslambda: {
  HttpResponseStream: { from(stream: NodeJS.WritableStream, metadata: object): NodeJS.WritableStream };
  streamifyResponse(handler: (event: APIGatewayProxyEvent, stream: NodeJS.WritableStream, context: Context) => Promise<void>): unknown;
};

/** Stop the model call this long before the function's deadline, to end the stream cleanly. */
const DEADLINE_MARGIN_MS = 2000;

let client: ConverseStreamClient | undefined;

export const handler = awslambda.streamifyResponse(async (event, responseStream, context) => {
  context.callbackWaitsForEmptyEventLoop = false;
  client ??= new BedrockRuntimeClient({ endpoint: process.env.BEDROCK_ENDPOINT_URL || undefined });
  const controller = new AbortController();
  const deadline = setTimeout(() => controller.abort(), Math.max(0, context.getRemainingTimeInMillis() - DEADLINE_MARGIN_MS));
  try {
    await serveChat(event, (statusCode, headers) => {
      const stream = awslambda.HttpResponseStream.from(responseStream, { statusCode, headers });
      return { write: (chunk: string) => stream.write(chunk), end: () => stream.end() };
    }, client, chatConfigFromEnv(process.env), controller.signal);
  } finally {
    clearTimeout(deadline);
  }
});
