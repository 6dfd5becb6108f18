/**
 * The Lambda side of a streamed response, as API Gateway reads it: the metadata prelude (parsed
 * with the wire contract's splitter) and the response headers it names.
 */
import type { Readable } from 'stream';
import { MetadataError, PreludeSplitter, ResponseMetadata } from '../../wire/contract';
import { RelayError } from '../relay';

/**
 * Reads the metadata prelude from the start of a function's output; the payload bytes that came
 * with it are put back on `output`. Rejects with a `RelayError` (500) when the output is not what
 * API Gateway accepts, or with the output's own error (the function failed).
 */
export function readPrelude(output: Readable): Promise<ResponseMetadata> {
  return new Promise((resolve, reject) => {
    const splitter = new PreludeSplitter();
    const cleanup = () => {
      output.off('data', onData);
      output.off('end', onEnd);
      output.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      let result;
      try {
        result = splitter.push(chunk);
      } catch (error) {
        cleanup();
        reject(error instanceof MetadataError ? RelayError.internal(lowerFirst(error.message)) : error);
        return;
      }
      if (!result.done) return;
      cleanup();
      output.pause();
      if (result.rest.length > 0) output.unshift(result.rest);
      resolve(result.metadata);
    };
    const onEnd = () => {
      cleanup();
      reject(RelayError.internal('the response ended without metadata (did the handler call end() before write()?)'));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    output.on('data', onData);
    output.once('end', onEnd);
    output.once('error', onError);
  });
}

/**
 * Response headers from Lambda metadata: multi-value headers win; each cookie is a Set-Cookie; a
 * Content-Encoding the handler set passes through (the handler compressed the body itself).
 */
export function metadataHeaders(metadata: ResponseMetadata): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(metadata.headers ?? {})) headers[name.toLowerCase()] = String(value);
  for (const [name, values] of Object.entries(metadata.multiValueHeaders ?? {})) headers[name.toLowerCase()] = values.map(String);
  if (metadata.cookies?.length) headers['set-cookie'] = [...metadata.cookies];
  for (const name of ['transfer-encoding', 'connection']) delete headers[name];
  return headers;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
