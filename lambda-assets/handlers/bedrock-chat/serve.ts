/**
 * Serving one chat request, whatever the protocol: read the conversation, call Bedrock
 * ConverseStream, stream the answer through the protocol's writer. Written on the handler runtime
 * (`StreamingResponse`, `sse()`, `response.json()`); the Lambda wiring is in handler.ts.
 */
import { ConverseStreamCommand, ConverseStreamOutput } from '@aws-sdk/client-bedrock-runtime';
import { ChatConfig, ChatMessage, ChatRequestError, chatEvents, converseInput } from './chat';
import type { RestProxyEvent, StreamingResponse } from '../../runtime';

/** The part of the Bedrock client the handler uses (injectable in tests). */
export interface ConverseStreamClient {
  send(command: ConverseStreamCommand, options?: { abortSignal?: AbortSignal }): Promise<{ stream?: AsyncIterable<ConverseStreamOutput> }>;
}

/** The parts of the proxy event a protocol reads. */
export type ChatEvent = Pick<RestProxyEvent, 'body' | 'isBase64Encoded'> & Partial<Pick<RestProxyEvent, 'httpMethod' | 'queryStringParameters' | 'headers' | 'requestContext'>>;

/** A request a protocol has read: the conversation, and anything it needs to answer. */
export interface ChatRequest {
  readonly messages: ChatMessage[];
  /** System messages of the request, sent after the configured system prompt. */
  readonly system?: string[];
  /** Protocol-specific options (e.g. OpenAI's `stream_options.include_usage`). */
  readonly options?: Record<string, unknown>;
}

/** Token usage of an answer. */
export interface ChatUsage {
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  readonly totalTokens?: number;
}

/** Writes one answer in a protocol's format. Each method resolves when the stream can take more. */
export interface ChatAnswerWriter {
  delta(text: string): Promise<void>;
  /** The answer is complete: `stopReason` is Bedrock's (`end_turn`, `max_tokens`, ...). */
  finish(stopReason: string, usage: ChatUsage | undefined, latencyMs: number | undefined): Promise<void>;
  /** The answer failed after it began: `code` names the error (e.g. `throttlingException`). */
  fail(code: string, message: string): Promise<void>;
}

/** A chat protocol: how a request is read, how errors before the answer look, how it is written. */
export interface ChatProtocolHandler {
  /** Reads the request; throws `ChatRequestError` for a request to refuse. */
  read(event: ChatEvent, config: ChatConfig): ChatRequest;
  /** The JSON body of an error answered before the stream (`code` e.g. `ThrottlingException`). */
  errorBody(statusCode: number, message: string, code: string | undefined, param?: string): unknown;
  /** Opens the answer (status and headers are sent with its first byte). */
  open(response: StreamingResponse, request: ChatRequest, config: ChatConfig): ChatAnswerWriter;
}

async function* noEvents(): AsyncGenerator<ConverseStreamOutput> {}

/**
 * Serves one chat request. Errors before the model call are JSON responses in the protocol's shape
 * (400 for bad requests, the model's status if it refused); once the answer has begun, errors go
 * through the protocol's writer. `response.signal` aborts the model call.
 */
export async function serveChat(
  event: ChatEvent,
  response: StreamingResponse,
  client: ConverseStreamClient,
  config: ChatConfig,
  protocol: ChatProtocolHandler,
): Promise<void> {
  if (config.allowOrigin) response.header('access-control-allow-origin', config.allowOrigin);
  let request: ChatRequest;
  try {
    request = protocol.read(event, config);
  } catch (error) {
    if (!(error instanceof ChatRequestError)) throw error;
    await response.json(error.statusCode, protocol.errorBody(error.statusCode, error.message, error.code, error.param));
    return;
  }
  let output;
  try {
    output = await client.send(new ConverseStreamCommand(converseInput(request.messages, config, request.system)), { abortSignal: response.signal });
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 502;
    const statusCode = status >= 400 && status < 600 ? status : 502;
    await response.json(statusCode, protocol.errorBody(statusCode, `The model call failed: ${(error as Error).message}`, (error as Error).name));
    return;
  }
  const writer = protocol.open(response, request, config);
  try {
    for await (const chatEvent of chatEvents(output.stream ?? noEvents())) {
      const data = chatEvent.data;
      if (chatEvent.event === 'delta') await writer.delta(data.text as string);
      else if (chatEvent.event === 'done') await writer.finish(data.stopReason as string, data.usage as ChatUsage | undefined, data.latencyMs as number | undefined);
      else await writer.fail(data.error as string, data.message as string);
    }
  } catch (error) {
    if (response.finished) return;
    await writer.fail((error as Error).name, (error as Error).message);
  }
}
