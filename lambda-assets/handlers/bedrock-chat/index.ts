/**
 * The handler StreamingBedrockChat deploys: validates the conversation, calls Bedrock
 * ConverseStream and streams the answer as Server-Sent Events.
 *
 * `BEDROCK_ENDPOINT_URL` points the client at another endpoint (the local Bedrock stand-in).
 */
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { chatConfigFromEnv } from './chat';
import { ConverseStreamClient, serveChat } from './serve';
import { streamingHandler } from '../../runtime';

let client: ConverseStreamClient | undefined;

export const handler = streamingHandler(async (event, response) => {
  client ??= new BedrockRuntimeClient({ endpoint: process.env.BEDROCK_ENDPOINT_URL || undefined });
  await serveChat(event, (statusCode, headers) => {
    response.status(statusCode).headers(headers);
    return {
      write: (chunk: string) => response.write(chunk),
      end: () => response.end(),
    };
  }, client, chatConfigFromEnv(process.env), response.signal);
}, { deadlineMarginMs: 2000 });
