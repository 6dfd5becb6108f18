/**
 * The chat's own protocol (`ChatProtocol.simple()`): `POST {"messages":[{"role","content"}]}` or
 * `GET ?message=` for `EventSource`; SSE `event: delta` `{"text"}`, then `event: done` with the stop
 * reason and usage, or `event: error` `{"error","message"}`.
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
    const events = sse(response);
    return {
      delta: (text) => events.send({ event: 'delta', data: { text } }),
      finish: (stopReason, usage, latencyMs) => events.send({ event: 'done', data: { stopReason, usage, latencyMs } }),
      fail: (error, message) => events.send({ event: 'error', data: { error, message } }),
    };
  },
};
