/**
 * Example: a Server-Sent Events token stream, like an LLM answering word by word.
 *
 * Query string: `words` (how many tokens, default 20, at most 1000), `delay` (ms between tokens,
 * default 100, at most 10000), `text` (the text to stream instead of the built-in one).
 * With a POST body `{"prompt":"..."}` the prompt is echoed back token by token.
 */
import { HttpError, sse, streamingHandler } from '../../lambda-assets/runtime';

const TEXT = 'API Gateway now relays each token as soon as the function writes it, so the first words reach the reader long before the last ones are even generated';

function intParam(value: string | undefined, fallback: number, max: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max) {
    throw new HttpError(400, `Query parameter '${name}' must be a whole number from 0 to ${max}`);
  }
  return n;
}

export const handler = streamingHandler(async (event, response) => {
  const query = event.queryStringParameters ?? {};
  const delay = intParam(query.delay, 100, 10_000, 'delay');
  let text = query.text ?? TEXT;
  if (event.httpMethod === 'POST' && event.body) {
    const body = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
    try {
      text = String(JSON.parse(body).prompt ?? text);
    } catch {
      throw new HttpError(400, 'The body must be JSON like {"prompt":"..."}');
    }
  }
  const source = text.split(/\s+/).filter(Boolean);
  const words = intParam(query.words, 20, 1000, 'words');
  response.header('access-control-allow-origin', '*'); // a public demo stream: any page may read it
  const events = sse(response);
  for (let i = 0; i < words && !response.signal.aborted; i++) {
    await events.send({ event: 'token', id: String(i), data: { index: i, text: source[i % source.length] } });
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
  }
  await events.send({ event: 'done', data: { tokens: words } });
});
