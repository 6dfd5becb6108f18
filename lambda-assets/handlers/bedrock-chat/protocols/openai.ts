/**
 * OpenAI Chat Completions (`ChatProtocol.openAiChatCompletions()`), what the `openai` SDKs,
 * LangChain's `ChatOpenAI` and most chat tools speak: `POST …/chat/completions` with `messages`
 * (`system`/`developer`, `user`, `assistant`; text content or text parts), `stream`,
 * `stream_options.include_usage`. Streamed: SSE `data:` lines of `chat.completion.chunk` objects,
 * a final chunk with `finish_reason`, the usage chunk when asked, `data: [DONE]`. Not streamed: one
 * `chat.completion`. Errors are `{"error": {"message", "type", "param", "code"}}`, before the stream
 * with an HTTP status, during it as a `data:` line, which the SDKs raise as an `APIError`.
 *
 * The model is the construct's; a request's `model` is echoed, and checked against the allow-list
 * (`ALLOWED_MODELS`) if there is one.
 */
import { randomUUID } from 'crypto';
import { sse } from '../../../runtime';
import { ChatConfig, ChatRequestError, checkConversation, readJsonBody } from '../chat';
import type { ChatProtocolHandler, ChatUsage } from '../serve';

const FINISH_REASONS: Record<string, string> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  guardrail_intervened: 'content_filter',
  content_filtered: 'content_filter',
  tool_use: 'tool_calls',
};

/** The OpenAI error `type` for an HTTP status. */
function errorType(statusCode: number): string {
  if (statusCode === 401) return 'authentication_error';
  if (statusCode === 403) return 'permission_error';
  if (statusCode === 404) return 'invalid_request_error';
  if (statusCode === 429) return 'rate_limit_error';
  return statusCode < 500 ? 'invalid_request_error' : 'server_error';
}

/** An OpenAI error object. */
export function openAiError(message: string, type: string, code: string | null, param: string | null = null) {
  return { error: { message, type, param, code } };
}

/** The text of an OpenAI message's `content`: a string, or text parts (other parts are refused). */
function textOf(content: unknown, where: string): unknown {
  if (!Array.isArray(content)) return content;
  return content.map((part: { type?: unknown; text?: unknown } | null, index) => {
    if (part?.type !== 'text' || typeof part.text !== 'string') {
      throw new ChatRequestError(`${where}[${index}] is not a text part: this chat accepts text only`, { param: where });
    }
    return part.text;
  }).join('');
}

function usageOf(usage: ChatUsage | undefined) {
  const prompt = usage?.inputTokens ?? 0;
  const completion = usage?.outputTokens ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: usage?.totalTokens ?? prompt + completion };
}

function checkModel(model: unknown, config: ChatConfig): string {
  if (model === undefined || model === null) return config.modelId;
  if (typeof model !== 'string') throw new ChatRequestError('"model" must be a string', { param: 'model' });
  if (config.allowedModels && !config.allowedModels.includes(model)) {
    throw new ChatRequestError(`The model '${model}' does not exist or you do not have access to it; this API serves: ${config.allowedModels.join(', ')}`,
      { statusCode: 404, code: 'model_not_found', param: 'model' });
  }
  return model;
}

export const openAiProtocol: ChatProtocolHandler = {
  read(event, config) {
    if (event.httpMethod !== undefined && event.httpMethod !== 'POST') {
      throw new ChatRequestError(`${event.httpMethod} is not supported: POST a chat completion request`, { statusCode: 405 });
    }
    const body = readJsonBody(event.body, event.isBase64Encoded, config, '{"messages":[{"role":"user","content":"..."}],"stream":true}') as Record<string, unknown> | null;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ChatRequestError('The request body must be a JSON object');
    const model = checkModel(body.model, config);
    if (body.n !== undefined && body.n !== null && body.n !== 1) throw new ChatRequestError('Only n=1 is supported', { param: 'n' });
    if (!Array.isArray(body.messages)) throw new ChatRequestError('"messages" must be a non-empty array', { param: 'messages' });
    const system: string[] = [];
    const turns: Array<{ role: unknown; content: unknown }> = [];
    body.messages.forEach((message: { role?: unknown; content?: unknown } | null, index: number) => {
      const content = textOf(message?.content, `messages[${index}].content`);
      if (message?.role === 'system' || message?.role === 'developer') {
        if (typeof content !== 'string') throw new ChatRequestError(`messages[${index}].content must be text`, { param: `messages[${index}].content` });
        system.push(content);
      } else {
        turns.push({ role: message?.role, content });
      }
    });
    const streamOptions = body.stream_options as { include_usage?: unknown } | null | undefined;
    return {
      messages: checkConversation(turns, config),
      system,
      options: { model, stream: body.stream === true, includeUsage: streamOptions?.include_usage === true },
    };
  },

  errorBody(statusCode, message, code, param) {
    const byStatus = statusCode === 429 ? 'rate_limit_exceeded' : statusCode >= 500 ? 'server_error' : null;
    return openAiError(message, errorType(statusCode), code === 'ChatRequestError' ? null : code ?? byStatus, param ?? null);
  },

  open(response, request) {
    const { model, stream, includeUsage } = request.options as { model: string; stream: boolean; includeUsage: boolean };
    const id = `chatcmpl-${randomUUID().replace(/-/g, '')}`;
    const created = Math.floor(Date.now() / 1000);
    if (!stream) {
      let text = '';
      return {
        delta: async (delta) => void (text += delta),
        finish: (stopReason, usage) => response.json(200, {
          id,
          object: 'chat.completion',
          created,
          model,
          choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null }, logprobs: null, finish_reason: FINISH_REASONS[stopReason] ?? 'stop' }],
          usage: usageOf(usage),
        }),
        fail: (code, message) => response.json(502, openAiError(message, 'server_error', code)),
      };
    }
    const events = sse(response, { errorEvent: ({ message, errorType: type }) => ({ data: openAiError(message, 'server_error', type) }) });
    const chunk = (delta: object, finishReason: string | null) => ({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      system_fingerprint: null,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      ...(includeUsage ? { usage: null } : {}),
    });
    let started = false;
    const start = async () => {
      if (!started) await events.data(chunk({ role: 'assistant', content: '', refusal: null }, null));
      started = true;
    };
    return {
      delta: async (text) => {
        await start();
        await events.data(chunk({ content: text }, null));
      },
      finish: async (stopReason, usage) => {
        await start();
        await events.data(chunk({}, FINISH_REASONS[stopReason] ?? 'stop'));
        if (includeUsage) {
          await events.data({ id, object: 'chat.completion.chunk', created, model, system_fingerprint: null, choices: [], usage: usageOf(usage) });
        }
        await events.data('[DONE]');
        events.stop();
        await response.end();
      },
      fail: async (code, message) => {
        await events.data(openAiError(message, 'server_error', code));
        events.stop();
        await response.end();
      },
    };
  },
};
