/**
 * Serving one chat request: validate the conversation, call Bedrock ConverseStream, stream the
 * answer as Server-Sent Events. Independent of the Lambda runtime (see index.ts) for tests.
 */
import { ConverseStreamCommand, ConverseStreamOutput } from '@aws-sdk/client-bedrock-runtime';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { ChatConfig, ChatRequestError, chatEvents, converseInput, parseChatQuery, parseChatRequest } from './chat';

/** The part of the Bedrock client the handler uses (injectable in tests). */
export interface ConverseStreamClient {
  send(command: ConverseStreamCommand, options?: { abortSignal?: AbortSignal }): Promise<{ stream?: AsyncIterable<ConverseStreamOutput> }>;
}

/** What the handler writes to: the streaming response (writes wait for the client to keep up). */
export interface ChatResponseStream {
  write(chunk: string): Promise<void> | boolean;
  end(): Promise<void> | void;
}

/** Opens the HTTP response with a status and headers (the metadata frame). */
export type OpenResponse = (statusCode: number, headers: Record<string, string>) => ChatResponseStream;

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
};

function corsHeaders(config: ChatConfig): Record<string, string> {
  return config.allowOrigin ? { 'access-control-allow-origin': config.allowOrigin } : {};
}

async function* noEvents(): AsyncGenerator<ConverseStreamOutput> {}

/** Sends one Server-Sent Event. */
async function sse(stream: ChatResponseStream, event: string, data: unknown): Promise<void> {
  await stream.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

/**
 * Serves one chat request. Errors before the model call are JSON responses (400 for bad requests,
 * 500 otherwise); once the stream has begun, errors are `event: error` frames.
 */
export async function serveChat(
  event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'> & Partial<Pick<APIGatewayProxyEvent, 'httpMethod' | 'queryStringParameters'>>,
  open: OpenResponse,
  client: ConverseStreamClient,
  config: ChatConfig,
  signal: AbortSignal,
): Promise<void> {
  let messages;
  try {
    messages = event.httpMethod === 'GET'
      ? parseChatQuery(event.queryStringParameters?.message, config)
      : parseChatRequest(event.body, event.isBase64Encoded, config);
  } catch (error) {
    const status = error instanceof ChatRequestError ? 400 : 500;
    const body = open(status, { 'content-type': 'application/json', ...corsHeaders(config) });
    await body.write(JSON.stringify({ message: (error as Error).message }));
    await body.end();
    return;
  }
  let response;
  try {
    response = await client.send(new ConverseStreamCommand(converseInput(messages, config)), { abortSignal: signal });
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 502;
    const body = open(status >= 400 && status < 600 ? status : 502, { 'content-type': 'application/json', ...corsHeaders(config) });
    await body.write(JSON.stringify({ message: `The model call failed: ${(error as Error).message}`, error: (error as Error).name }));
    await body.end();
    return;
  }
  const stream = open(200, { ...SSE_HEADERS, ...corsHeaders(config) });
  try {
    for await (const chatEvent of chatEvents(response.stream ?? noEvents())) {
      await sse(stream, chatEvent.event, chatEvent.data);
    }
  } catch (error) {
    await sse(stream, 'error', { error: (error as Error).name, message: (error as Error).message });
  } finally {
    await stream.end();
  }
}
