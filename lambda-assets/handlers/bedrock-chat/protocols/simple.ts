/**
 * The chat's own protocol (`ChatProtocol.simple()`): `POST {"messages":[{"role","content"}]}` or
 * `GET ?message=` for `EventSource`; SSE `event: delta` `{"text"}`, then `event: done` with the stop
 * reason and usage, or `event: error` `{"error","message"}`. The stream ends with an id-only frame
 * that marks it finished (the runtime's `sse()` default), so a reconnecting `EventSource` is
 * answered 204.
 */
import { sse } from '../../../runtime';
import { parseChatQuery, parseChatRequest } from '../chat';
import type { ChatProtocolHandler } from '../serve';

export const simpleProtocol: ChatProtocolHandler = {
  read(event, config) {
    return {
      messages: event.httpMethod === 'GET'
        ? parseChatQuery(event.queryStringParameters?.message, config)
        : parseChatRequest(event.body, event.isBase64Encoded, config),
    };
  },

  errorBody(_statusCode, message, code) {
    return code === undefined ? { message } : { message, error: code };
  },

  open(response) {
    response.header('x-accel-buffering', 'no');
    const events = sse(response, {
      errorEvent: ({ message, errorType }) => ({ event: 'error', data: { error: errorType, message } }),
    });
    return {
      delta: (text) => events.send({ event: 'delta', data: { text } }),
      finish: async (stopReason, usage, latencyMs) => {
        await events.send({ event: 'done', data: { stopReason, usage, latencyMs } });
        await events.end();
      },
      fail: async (error, message) => {
        await events.send({ event: 'error', data: { error, message } });
        await events.end();
      },
    };
  },
};
