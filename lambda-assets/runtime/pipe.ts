import type { Chunk, StreamingResponse } from './response';

/**
 * Pipes a source into the response body: an async iterable of strings or bytes, a Node
 * `Readable`, or a web `ReadableStream`. Each chunk waits for the stream to take it
 * (backpressure); piping stops when `response.signal` fires.
 */
export async function pipe(response: StreamingResponse, source: AsyncIterable<Chunk> | ReadableStream<Chunk>): Promise<void> {
  const iterable: AsyncIterable<Chunk> = Symbol.asyncIterator in source
    ? source as AsyncIterable<Chunk>
    : readerIterable(source as ReadableStream<Chunk>);
  for await (const chunk of iterable) {
    if (response.signal.aborted) break;
    await response.write(typeof chunk === 'string' || chunk instanceof Uint8Array ? chunk : String(chunk));
  }
}

async function* readerIterable(stream: ReadableStream<Chunk>): AsyncGenerator<Chunk> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}
