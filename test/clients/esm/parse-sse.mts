/**
 * Parses an SSE body (stdin) with eventsource-parser, a spec-following parser, and prints what it
 * saw as JSON: the dispatched events, the comments, and the last event id (`onId`).
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';

let body = '';
for await (const chunk of process.stdin) body += chunk;
const events: EventSourceMessage[] = [];
const comments: string[] = [];
let lastId: string | undefined;
const parser = createParser({ onEvent: (event) => events.push(event), onComment: (c) => comments.push(c), onId: (id) => (lastId = id) });
parser.feed(body);
process.stdout.write(JSON.stringify({ events, comments, lastId }));
