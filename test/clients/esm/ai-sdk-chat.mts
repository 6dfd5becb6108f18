/**
 * The `ai` package's own client side, as `useChat` uses it: `DefaultChatTransport.sendMessages()`
 * POSTs the UI messages and parses the UI message stream, and `readUIMessageStream()` assembles the
 * assistant message. Prints the chunk types seen, the assembled message, the response header, and
 * the error raised, if any.
 */
import { DefaultChatTransport, readUIMessageStream, type UIMessage, type UIMessageChunk } from 'ai';

const { api, text } = JSON.parse(await new Response(process.stdin as unknown as ReadableStream).text()) as { api: string; text: string };

let header: string | null = null;
const transport = new DefaultChatTransport<UIMessage>({
  api,
  fetch: async (input, init) => {
    const response = await fetch(input, init);
    header = response.headers.get('x-vercel-ai-ui-message-stream');
    return response;
  },
});
const messages: UIMessage[] = [
  { id: 'u1', role: 'user', parts: [{ type: 'text', text: 'first question' }] },
  { id: 'a1', role: 'assistant', parts: [{ type: 'step-start' }, { type: 'text', text: 'first answer' }] },
  { id: 'u2', role: 'user', parts: [{ type: 'text', text }] },
];
const types: string[] = [];
let message: UIMessage | undefined;
let error: { name: string; message: string; statusCode?: number } | undefined;
try {
  const chunks = await transport.sendMessages({ chatId: 'c1', messages, trigger: 'submit-message', messageId: undefined, abortSignal: undefined });
  const observed = chunks.pipeThrough(new TransformStream<UIMessageChunk, UIMessageChunk>({
    transform(chunk, controller) {
      types.push(chunk.type);
      controller.enqueue(chunk);
    },
  }));
  for await (const snapshot of readUIMessageStream({ stream: observed, terminateOnError: true })) message = snapshot;
} catch (e) {
  const err = e as Error & { statusCode?: number };
  error = { name: err.name, message: err.message, statusCode: err.statusCode };
}
process.stdout.write(JSON.stringify({ header, types, message, error }));
