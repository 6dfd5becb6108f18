/**
 * The Bedrock chat conversation logic, apart from the Lambda wiring so it can be tested with an
 * injected client: request validation and the mapping of ConverseStream events to chat events.
 */
import type { ConverseStreamCommandInput, ConverseStreamOutput, Message } from '@aws-sdk/client-bedrock-runtime';

/** What the deployment configures (environment variables set by StreamingBedrockChat). */
export interface ChatConfig {
  readonly modelId: string;
  readonly maxTokens: number;
  readonly temperature?: number;
  readonly systemPrompt?: string;
  readonly maxRequestBytes: number;
  readonly maxMessages: number;
  /** The origin browsers may read answers from (`access-control-allow-origin`), if any. */
  readonly allowOrigin?: string;
  /** The `model` values a request may name (OpenAI protocol); none: any value is ignored. */
  readonly allowedModels?: string[];
  /** The guardrail applied to every conversation, if any. */
  readonly guardrail?: { readonly id: string; readonly version: string; readonly streamProcessing: 'sync' | 'async' };
}

/** Reads the configuration from the environment; throws when MODEL_ID is missing. */
export function chatConfigFromEnv(env: NodeJS.ProcessEnv): ChatConfig {
  const modelId = env.MODEL_ID;
  if (!modelId) {
    throw new Error('MODEL_ID is not set: the StreamingBedrockChat construct sets it');
  }
  const num = (name: string, fallback: number) => {
    const value = env[name] === undefined || env[name] === '' ? fallback : Number(env[name]);
    if (!Number.isFinite(value)) throw new Error(`${name} is not a number: ${env[name]}`);
    return value;
  };
  return {
    modelId,
    maxTokens: num('MAX_TOKENS', 1024),
    temperature: env.TEMPERATURE === undefined || env.TEMPERATURE === '' ? undefined : num('TEMPERATURE', 0),
    systemPrompt: env.SYSTEM_PROMPT || undefined,
    maxRequestBytes: num('MAX_REQUEST_BYTES', 32768),
    maxMessages: num('MAX_MESSAGES', 50),
    allowOrigin: env.ALLOW_ORIGIN || undefined,
    allowedModels: env.ALLOWED_MODELS ? env.ALLOWED_MODELS.split(',').filter(Boolean) : undefined,
    guardrail: env.GUARDRAIL_ID
      ? { id: env.GUARDRAIL_ID, version: env.GUARDRAIL_VERSION || 'DRAFT', streamProcessing: env.GUARDRAIL_STREAM_PROCESSING === 'async' ? 'async' : 'sync' }
      : undefined,
  };
}

/** A request the chat refuses before calling the model: answered with status 400 (or `statusCode`). */
export class ChatRequestError extends Error {
  public readonly statusCode: number;
  /** A machine-readable code, e.g. `model_not_found` (OpenAI protocol). */
  public readonly code?: string;
  /** The request field at fault, e.g. `messages` (OpenAI protocol). */
  public readonly param?: string;

  constructor(message: string, options: { statusCode?: number; code?: string; param?: string } = {}) {
    super(message);
    this.name = 'ChatRequestError';
    this.statusCode = options.statusCode ?? 400;
    this.code = options.code;
    this.param = options.param;
  }
}

/** One message of the request body. */
export interface ChatMessage {
  readonly role: 'user' | 'assistant';
  readonly content: string;
}

/** Decodes and parses a JSON request body within the size limit; `example` shows the expected shape. */
export function readJsonBody(body: string | null | undefined, isBase64Encoded: boolean, config: ChatConfig, example: string): unknown {
  if (body === null || body === undefined || body === '') {
    throw new ChatRequestError(`The request has no body: send ${example}`);
  }
  const text = isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
  const size = Buffer.byteLength(text, 'utf8');
  if (size > config.maxRequestBytes) {
    throw new ChatRequestError(`The request body has ${size} bytes; the limit is ${config.maxRequestBytes}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ChatRequestError('The request body is not JSON');
  }
}

/**
 * Checks a conversation (any protocol's messages reduced to role and text): non-empty, within
 * the limit, roles alternating from `user` to a final `user`, non-empty text.
 */
export function checkConversation(messages: unknown, config: ChatConfig, field = 'messages'): ChatMessage[] {
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new ChatRequestError(`"${field}" must be a non-empty array`, { param: field });
  }
  if (messages.length > config.maxMessages) {
    throw new ChatRequestError(`"${field}" has ${messages.length} entries; the limit is ${config.maxMessages}`, { param: field });
  }
  return messages.map((message: unknown, index: number): ChatMessage => {
    const { role, content } = (message ?? {}) as { role?: unknown; content?: unknown };
    const expected = index % 2 === 0 ? 'user' : 'assistant';
    if (role !== expected) {
      throw new ChatRequestError(`${field}[${index}].role must be "${expected}" (roles alternate, starting with "user")`, { param: `${field}[${index}].role` });
    }
    if (typeof content !== 'string' || content.trim() === '') {
      throw new ChatRequestError(`${field}[${index}].content must be a non-empty string`, { param: `${field}[${index}].content` });
    }
    if (index === messages.length - 1 && role !== 'user') {
      throw new ChatRequestError('the last message must be from "user"', { param: field });
    }
    return { role: expected, content };
  });
}

/**
 * Validates the request body `{"messages":[{"role":"user","content":"..."}]}`: size, JSON,
 * shape, roles alternating from `user` to a final `user`, non-empty text.
 */
export function parseChatRequest(body: string | null | undefined, isBase64Encoded: boolean, config: ChatConfig): ChatMessage[] {
  const parsed = readJsonBody(body, isBase64Encoded, config, '{"messages":[{"role":"user","content":"..."}]}');
  return checkConversation((parsed as { messages?: unknown } | null)?.messages, config);
}

/**
 * A single-turn conversation from a GET request's `message` query parameter, for browsers'
 * `EventSource` (which can only GET).
 */
export function parseChatQuery(message: string | undefined, config: ChatConfig): ChatMessage[] {
  if (message === undefined || message.trim() === '') {
    throw new ChatRequestError('GET needs a non-empty "message" query parameter (or POST {"messages":[...]})');
  }
  if (Buffer.byteLength(message, 'utf8') > config.maxRequestBytes) {
    throw new ChatRequestError(`"message" has more than ${config.maxRequestBytes} bytes`);
  }
  return [{ role: 'user', content: message }];
}

/**
 * The ConverseStream request for a validated conversation. `system` adds the request's own system
 * messages after the configured system prompt.
 */
export function converseInput(messages: ChatMessage[], config: ChatConfig, system: string[] = []): ConverseStreamCommandInput {
  const input: ConverseStreamCommandInput = {
    modelId: config.modelId,
    messages: messages.map((m): Message => ({ role: m.role, content: [{ text: m.content }] })),
    inferenceConfig: {
      maxTokens: config.maxTokens,
      ...(config.temperature === undefined ? {} : { temperature: config.temperature }),
    },
  };
  if (config.guardrail) {
    input.guardrailConfig = {
      guardrailIdentifier: config.guardrail.id,
      guardrailVersion: config.guardrail.version,
      streamProcessingMode: config.guardrail.streamProcessing,
    };
  }
  const texts = [config.systemPrompt, ...system].filter((text): text is string => !!text);
  if (texts.length > 0) {
    input.system = texts.map((text) => ({ text }));
  }
  return input;
}

/** A chat event sent to the client as one Server-Sent Event. */
export interface ChatEvent {
  readonly event: 'delta' | 'done' | 'error';
  readonly data: Record<string, unknown>;
}

const STREAM_ERRORS = [
  'internalServerException',
  'modelStreamErrorException',
  'serviceUnavailableException',
  'throttlingException',
  'validationException',
] as const;

/**
 * Maps the ConverseStream event stream to chat events: one `delta` per text delta, then one
 * `done` with the stop reason and token usage. An error event of the stream becomes an `error`
 * event and ends the conversation.
 */
export async function* chatEvents(stream: AsyncIterable<ConverseStreamOutput>): AsyncGenerator<ChatEvent> {
  let stopReason: string | undefined;
  for await (const item of stream) {
    const text = item.contentBlockDelta?.delta?.text;
    if (text !== undefined && text !== '') {
      yield { event: 'delta', data: { text } };
      continue;
    }
    if (item.messageStop) {
      stopReason = item.messageStop.stopReason;
      continue;
    }
    if (item.metadata) {
      const usage = item.metadata.usage;
      yield {
        event: 'done',
        data: {
          stopReason: stopReason ?? 'unknown',
          usage: usage ? { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, totalTokens: usage.totalTokens } : undefined,
          latencyMs: item.metadata.metrics?.latencyMs,
        },
      };
      return;
    }
    for (const key of STREAM_ERRORS) {
      const error = (item as unknown as Record<string, { message?: string } | undefined>)[key];
      if (error) {
        yield { event: 'error', data: { error: key, message: error.message ?? key } };
        return;
      }
    }
  }
  // The stream ended without metadata: still tell the client it is over.
  yield { event: 'done', data: { stopReason: stopReason ?? 'unknown' } };
}
