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
 * Headers that frame the response on the client's connection. The gateway frames the response
 * itself (chunked when streamed, a Content-Length of the bytes it sends when buffered), so a
 * handler's value could only contradict it: a Content-Length that the body then overruns would
 * corrupt the next response on a keep-alive connection. They are dropped, with a log line.
 */
const FRAMING_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'proxy-connection', 'te', 'trailer']);

/** The status and headers a streamed response's metadata asks for. */
export interface ResponseHead {
  readonly status: number;
  readonly headers: Record<string, string | string[]>;
  /** Framing headers of the metadata that were dropped. */
  readonly dropped: string[];
}

/**
 * The response head from validated Lambda metadata: multi-value headers win; each cookie is a
 * Set-Cookie; a Content-Encoding the handler set passes through (the handler compressed the body
 * itself); framing headers are dropped. An informational status (1xx) cannot be a response's
 * final status: API Gateway answers 500.
 */
export function responseHead(metadata: ResponseMetadata): ResponseHead {
  const status = metadata.statusCode ?? 200;
  if (status < 200) throw RelayError.internal(`invalid response metadata: statusCode ${status} is not 200..599 (an informational status cannot end a response)`);
  const headers = headersOf(metadata);
  return { status, headers, dropped: dropFraming(headers) };
}

/** The response headers metadata names: multi-value headers win; each cookie is a Set-Cookie. */
export function headersOf(metadata: ResponseMetadata): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(metadata.headers ?? {})) headers[name.toLowerCase()] = value;
  for (const [name, values] of Object.entries(metadata.multiValueHeaders ?? {})) headers[name.toLowerCase()] = [...values];
  if (metadata.cookies?.length) headers['set-cookie'] = [...metadata.cookies];
  return headers;
}

/** Removes the framing headers from lower-cased `headers`; returns their names. */
export function dropFraming(headers: Record<string, string | string[]>): string[] {
  const dropped = Object.keys(headers).filter((name) => FRAMING_HEADERS.has(name));
  for (const name of dropped) delete headers[name];
  return dropped;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
