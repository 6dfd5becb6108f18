/** JSON-RPC pieces of `mcpHandler`: error objects, pending ids, and an SSE body that answers them at the deadline. */

export type JsonRpcId = string | number | null;

/** A JSON-RPC error response. */
export function jsonRpcError(id: JsonRpcId, code: number, message: string) {
  return { jsonrpc: '2.0' as const, id, error: { code, message } };
}

/** The ids of the requests (not notifications) among `messages`. */
export function pendingIds(messages: Array<{ method?: string; id?: JsonRpcId }>): Set<JsonRpcId> {
  return new Set(messages.filter((m) => m.method && m.id !== undefined).map((m) => m.id!));
}

/**
 * Passes an SSE body through while noting which requests it answered; when `signal` aborts (the
 * deadline), sends a JSON-RPC error event for each request still unanswered, then ends, so a client
 * gets an answer instead of waiting for its own timeout.
 */
export function guardStream(body: ReadableStream<Uint8Array>, pending: Set<JsonRpcId>, signal: AbortSignal): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let text = '';
  const deadline = new Promise<'deadline'>((resolve) => {
    if (signal.aborted) resolve('deadline');
    else signal.addEventListener('abort', () => resolve('deadline'), { once: true });
  });
  const answerPending = (controller: ReadableStreamDefaultController<Uint8Array>) => {
    for (const id of pending) {
      const error = jsonRpcError(id, -32001, 'The function reached its deadline before the request completed');
      controller.enqueue(encoder.encode(`event: message\ndata: ${JSON.stringify(error)}\n\n`));
    }
    pending.clear();
    controller.close();
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await Promise.race([reader.read(), deadline]);
      if (next == 'deadline') {
        reader.cancel().catch(() => undefined);
        return answerPending(controller);
      }
      if (next.done) return signal.aborted ? answerPending(controller) : controller.close();
      text += decoder.decode(next.value, { stream: true });
      const events = text.split(/\r?\n\r?\n/);
      text = events.pop()!;
      for (const event of events) answered(event, pending);
      controller.enqueue(next.value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

/** Removes from `pending` the id a JSON-RPC response in this SSE event answers. */
function answered(event: string, pending: Set<JsonRpcId>): void {
  const data = event.split(/\r?\n/).filter((line) => line.startsWith('data:')).map((line) => line.slice(5).replace(/^ /, '')).join('\n');
  try {
    const message = JSON.parse(data);
    if (message && ('result' in message || 'error' in message)) pending.delete(message.id);
  } catch {
    // not JSON: not an answer
  }
}
