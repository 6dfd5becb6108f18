/**
 * The Lambda wiring of a chat handler: the Bedrock client (created once per container) and the
 * runtime's `streamingHandler`, for one protocol.
 *
 * `BEDROCK_ENDPOINT_URL` points the client at another endpoint (the local Bedrock stand-in).
 */
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { chatConfigFromEnv } from './chat';
import { ChatProtocolHandler, ConverseStreamClient, serveChat } from './serve';
import { streamingHandler } from '../../runtime';

let client: ConverseStreamClient | undefined;

/** The Lambda handler serving `protocol`. */
export function chatHandler(protocol: ChatProtocolHandler) {
  return streamingHandler(async (event, response) => {
    client ??= new BedrockRuntimeClient({ endpoint: process.env.BEDROCK_ENDPOINT_URL || undefined });
    await serveChat(event, response, client, chatConfigFromEnv(process.env), protocol);
  }, { deadlineMarginMs: 2000 });
}
