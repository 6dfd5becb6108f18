/**
 * The handler StreamingBedrockChat deploys for `ChatProtocol.simple()`: validates the
 * conversation, calls Bedrock ConverseStream and streams the answer as Server-Sent Events.
 */
import { chatHandler } from './handler';
import { simpleProtocol } from './protocols/simple';

export const handler = chatHandler(simpleProtocol);
