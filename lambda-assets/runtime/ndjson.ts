import type { StreamingResponse } from './response';

/**
 * Writes newline-delimited JSON: one value per line. Created by `ndjson(response)`, which sets
 * `content-type: application/x-ndjson` unless already set.
 */
export class NdjsonWriter {
  #response: StreamingResponse;

  constructor(response: StreamingResponse) {
    this.#response = response;
    response.setMode('ndjson', { error: (error) => `${JSON.stringify({ error })}\n` });
    if (!response.headersSent && !response.getHeader('content-type')) {
      response.header('content-type', 'application/x-ndjson');
    }
  }

  /** Sends one value as a JSON line; resolves when the stream can take more. */
  public send(value: unknown): Promise<void> {
    const line = JSON.stringify(value);
    if (line === undefined) {
      return Promise.reject(new Error('NDJSON values must be JSON-serializable'));
    }
    return this.#response.write(`${line}\n`);
  }
}

/** Opens the response as NDJSON. */
export function ndjson(response: StreamingResponse): NdjsonWriter {
  return new NdjsonWriter(response);
}
