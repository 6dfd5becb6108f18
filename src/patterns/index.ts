export * from './bedrock-chat-model';
export * from './streaming-bedrock-chat';
export * from './chat-protocol';
export * from './chat-guardrail';
export * from './mcp-auth';
export * from './streaming-mcp-server';
