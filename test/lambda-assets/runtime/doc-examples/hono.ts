import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { fetchHandler } from '../../../../lambda-assets/runtime';

// The URL the app sees is the one the client used: https://<host>/<stage>/<path>.
const app = new Hono().basePath('/:stage');

app.get('/hello/:name', (c) => c.json({ hello: c.req.param('name') }));

app.get('/ticks', (c) => streamSSE(c, async (stream) => {
  for (let tick = 1; tick <= 5 && !c.req.raw.signal.aborted; tick++) {
    await stream.writeSSE({ event: 'tick', data: String(tick) });
    await stream.sleep(1000);
  }
}));

export const handler = fetchHandler((request) => app.fetch(request));
