/**
 * Example: a long job reporting its progress as NDJSON lines (`{"step":1,"of":10,"percent":10}`),
 * then a result line.
 *
 * Query string: `steps` (default 10, at most 600), `delay` (ms per step, default 500, at most 60000).
 */
import { HttpError, ndjson, streamingHandler } from '../../lambda-assets/runtime';

export const handler = streamingHandler(async (event, response) => {
  const steps = Number(event.queryStringParameters?.steps ?? '10');
  const delay = Number(event.queryStringParameters?.delay ?? '500');
  if (!Number.isInteger(steps) || steps < 1 || steps > 600 || !Number.isInteger(delay) || delay < 0 || delay > 60_000) {
    throw new HttpError(400, "Query parameters: 'steps' 1..600, 'delay' 0..60000 (ms)");
  }
  const job = event.pathParameters?.id ?? 'job';
  const lines = ndjson(response);
  const started = Date.now();
  for (let step = 1; step <= steps; step++) {
    if (response.signal.aborted) return;
    await new Promise((resolve) => setTimeout(resolve, delay));
    await lines.send({ job, step, of: steps, percent: Math.round((step / steps) * 100) });
  }
  await lines.send({ job, done: true, elapsedMs: Date.now() - started });
});
