/**
 * The `eventsource` package (the WHATWG EventSource for Node) reading a chat answer over GET: prints
 * the events it dispatched, the errors (an `event: error` frame carries data; a dropped or refused
 * connection carries a status code or message), its final readyState and when it closed.
 */
import { EventSource } from 'eventsource';

const { url, waitMs } = JSON.parse(await new Response(process.stdin as unknown as ReadableStream).text()) as { url: string; waitMs: number };
const started = Date.now();
const events: Array<{ type: string; data?: string; code?: number; message?: string; readyState: number; lastEventId?: string }> = [];
const es = new EventSource(url);
for (const type of ['delta', 'done']) {
  es.addEventListener(type, (e) => events.push({ type, data: (e as MessageEvent).data, readyState: es.readyState, lastEventId: (e as MessageEvent).lastEventId }));
}
es.addEventListener('error', (e) => {
  const event = e as Event & { data?: string; code?: number; message?: string };
  events.push({ type: 'error', data: event.data, code: event.code, message: event.message, readyState: es.readyState });
});
const closedAt = await new Promise<number | undefined>((resolve) => {
  const poll = setInterval(() => {
    if (es.readyState === EventSource.CLOSED) {
      clearInterval(poll);
      resolve(Date.now() - started);
    } else if (Date.now() - started > waitMs) {
      clearInterval(poll);
      resolve(undefined);
    }
  }, 20);
});
const readyState = es.readyState;
es.close();
process.stdout.write(JSON.stringify({ events, readyState, closedAt }));
