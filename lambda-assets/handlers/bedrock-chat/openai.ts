/** The handler StreamingBedrockChat deploys for `ChatProtocol.openAiChatCompletions()`. */
import { chatHandler } from './handler';
import { openAiProtocol } from './protocols/openai';

export const handler = chatHandler(openAiProtocol);
