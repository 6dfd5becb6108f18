/** The handler StreamingBedrockChat deploys for `ChatProtocol.aiSdkUiMessageStream()`. */
import { chatHandler } from './handler';
import { uiMessageStreamProtocol } from './protocols/ui-message-stream';

export const handler = chatHandler(uiMessageStreamProtocol);
