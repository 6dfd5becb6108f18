/**
 * A classic (non-streaming) Lambda proxy result as API Gateway reads it: the invocation's payload
 * `{ statusCode, headers, multiValueHeaders, body, isBase64Encoded }` becomes the HTTP response,
 * or a 502 when it is malformed. What API Gateway does when the route's transfer mode and the
 * handler disagree (a streaming handler on the classic, buffered URI) is decided in
 * `bufferedResponse()`.
 */
import { dropFraming, headersOf } from './prelude';
import { MetadataError, ResponseMetadata, splitStreamedResponse, validateMetadata } from '../../wire/contract';

/**
 * An HTTP response API Gateway would send (`dropped`: the framing headers of the result, which the
 * gateway sets itself), or why it answers 502 instead.
 */
export type ProxyResponse = (CheckedHead & { readonly body: Buffer }) | { readonly ok: false; readonly reason: string };

interface CheckedHead {
  readonly ok: true;
  readonly statusCode: number;
  readonly headers: Record<string, string | string[]>;
  readonly dropped: string[];
}

/** Reads a classic Lambda proxy result (the invocation's JSON payload) as API Gateway does. */
export function proxyResponse(payload: Buffer): ProxyResponse {
  const malformed = (why: string): ProxyResponse => ({ ok: false, reason: `Malformed Lambda proxy response: ${why}` });
  let result: any;
  try {
    result = JSON.parse(payload.toString('utf8'));
  } catch {
    return malformed('the result is not JSON');
  }
  if (result === null || typeof result !== 'object' || Array.isArray(result)) return malformed(`the result is ${result === null ? 'null' : Array.isArray(result) ? 'an array' : typeof result}, not an object with statusCode`);
  const statusCode = typeof result.statusCode === 'string' && /^\d+$/.test(result.statusCode) ? Number(result.statusCode) : result.statusCode;
  if (!Number.isInteger(statusCode) || statusCode < 200 || statusCode > 599) {
    return malformed(`statusCode ${JSON.stringify(result.statusCode)} is not 200..599${statusCode >= 100 && statusCode < 200 ? ' (an informational status cannot end a response)' : ''}`);
  }
  if (result.body !== undefined && result.body !== null && typeof result.body !== 'string') return malformed('body must be a string (JSON.stringify it)');
  // Header values may be numbers or booleans (API Gateway writes them as text); names and values
  // are then held to what an HTTP response can carry, as streamed metadata is.
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries<unknown>(isRecord(result.headers) ? result.headers : {})) {
    if (value !== null && value !== undefined) headers[key] = String(value);
  }
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [key, values] of Object.entries<unknown>(isRecord(result.multiValueHeaders) ? result.multiValueHeaders : {})) {
    if (Array.isArray(values)) multiValueHeaders[key] = values.map(String);
  }
  const head = checkedHead({ statusCode, headers, multiValueHeaders });
  if (!head.ok) return malformed(head.reason);
  const text: string = result.body ?? '';
  return { ...head, body: result.isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8') };
}

/** Status and headers held to what API Gateway relays, framing headers dropped; or why not. */
function checkedHead(metadata: ResponseMetadata & { statusCode: number }): CheckedHead | { ok: false; reason: string } {
  try {
    validateMetadata(metadata);
  } catch (error) {
    if (error instanceof MetadataError) return { ok: false, reason: error.message.replace(/^Invalid response metadata: /, '') };
    throw error;
  }
  const headers = headersOf(metadata);
  return { ok: true, statusCode: metadata.statusCode, headers, dropped: dropFraming(headers) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The response of a BUFFERED Lambda proxy route, from everything the function sent. A classic
 * handler's result is read as a proxy result. A streaming handler (its output in the streaming
 * format) gets status and headers but no body, as API Gateway answers it in BUFFERED mode.
 */
export function bufferedResponse(output: Buffer, streamingHandler: boolean): ProxyResponse {
  if (!streamingHandler) return proxyResponse(output);
  try {
    const { metadata } = splitStreamedResponse(output);
    const statusCode = metadata.statusCode ?? 200;
    if (statusCode < 200) return { ok: false, reason: `Invalid response metadata: statusCode ${statusCode} is not 200..599 (an informational status cannot end a response)` };
    const head = checkedHead({ ...metadata, statusCode });
    return head.ok ? { ...head, body: Buffer.alloc(0) } : { ok: false, reason: head.reason };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}
