/**
 * The Vercel AI SDK UI message stream (`ChatProtocol.aiSdkUiMessageStream()`), what `useChat` and
 * `DefaultChatTransport` read: `POST {"messages":[{"role","parts":[{"type":"text","text"}]}]}` (the
 * transport also sends `id`, `trigger`, `messageId`), answered with SSE `data:` JSON parts `start`,
 * `start-step`, `text-start`, `text-delta`…, `text-end`, `finish-step`, `finish` (with the finish
 * reason), then `data: [DONE]`, with the header `x-vercel-ai-ui-message-stream: v1`. An error after
 * the first byte is an `error` part (`errorText`), which `useChat` reports as its `error`.
 */
import { randomUUID } from 'crypto';
import { sse } from '../../../runtime';
import { ChatRequestError, checkConversation, readJsonBody } from '../chat';
import type { ChatProtocolHandler } from '../serve';

const FINISH_REASONS: Record<string, string> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  guardrail_intervened: 'content-filter',
  content_filtered: 'content-filter',
  tool_use: 'tool-calls',
};

/** The text of a UI message: its text parts joined (reasoning, files, tools and steps are skipped). */
function textOf(message: { parts?: unknown; content?: unknown } | null, index: number): unknown {
  if (!Array.isArray(message?.parts)) {
    throw new ChatRequestError(`messages[${index}].parts must be an array of parts such as {"type":"text","text":"..."}`);
  }
  return message.parts
    .filter((part: { type?: unknown; text?: unknown } | null) => part?.type === 'text' && typeof part.text === 'string')
    .map((part: { text: string }) => part.text)
    .join('');
}

export const uiMessageStreamProtocol: ChatProtocolHandler = {
  read(event, config) {
    if (event.httpMethod !== undefined && event.httpMethod !== 'POST') {
      throw new ChatRequestError(`${event.httpMethod} is not supported: POST the chat's messages`, { statusCode: 405 });
    }
    const body = readJsonBody(event.body, event.isBase64Encoded, config, '{"messages":[{"role":"user","parts":[{"type":"text","text":"..."}]}]}') as { messages?: unknown } | null;
    if (!Array.isArray(body?.messages)) throw new ChatRequestError('"messages" must be a non-empty array');
    const system: string[] = [];
    const turns: Array<{ role: unknown; content: unknown }> = [];
    body.messages.forEach((message: { role?: unknown; parts?: unknown } | null, index: number) => {
      const text = textOf(message, index);
      if (message?.role === 'system') system.push(text as string);
      else turns.push({ role: message?.role, content: text });
    });
    return { messages: checkConversation(turns, config), system };
  },

  errorBody(_statusCode, message, code) {
    return code === undefined || code === 'ChatRequestError' ? { error: message } : { error: message, code };
  },

  open(response) {
    response.header('x-vercel-ai-ui-message-stream', 'v1').header('x-accel-buffering', 'no');
    const events = sse(response, { errorEvent: ({ message }) => ({ data: { type: 'error', errorText: message } }) });
    const messageId = `msg-${randomUUID()}`;
    const textId = `text-${randomUUID()}`;
    let started = false;
    const start = async () => {
      if (started) return;
      started = true;
      await events.data({ type: 'start', messageId });
      await events.data({ type: 'start-step' });
      await events.data({ type: 'text-start', id: textId });
    };
    const done = async () => {
      await events.data('[DONE]');
      events.stop();
      await response.end();
    };
    return {
      delta: async (delta) => {
        await start();
        await events.data({ type: 'text-delta', id: textId, delta });
      },
      finish: async (stopReason) => {
        await start();
        await events.data({ type: 'text-end', id: textId });
        await events.data({ type: 'finish-step' });
        await events.data({ type: 'finish', finishReason: FINISH_REASONS[stopReason] ?? 'other' });
        await done();
      },
      fail: async (_code, message) => {
        await start();
        await events.data({ type: 'error', errorText: message });
        await done();
      },
    };
  },
};
