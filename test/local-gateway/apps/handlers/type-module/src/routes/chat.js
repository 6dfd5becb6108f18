// "type": "module" makes this .js file an ES module; the Handler is src/routes/chat.handler.
import { setTimeout as sleep } from 'node:timers/promises';

export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream.setContentType('text/event-stream');
  const stream = awslambda.HttpResponseStream.from(responseStream, {
    statusCode: 200,
    headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' },
  });
  for (const word of ['one', 'two', 'three']) {
    stream.write(`data: ${word}\n\n`);
    await sleep(Number(process.env.CHUNK_DELAY_MS ?? 50));
  }
  stream.end();
}, { highWaterMark: 1024 });
