/**
 * The streaming wire contract between a Lambda handler and API Gateway, as the API Gateway developer
 * guide (https://docs.aws.amazon.com/apigateway/latest/developerguide/response-transfer-mode-lambda.html)
 * and the Lambda Node.js runtime interface client
 * (https://github.com/aws/aws-lambda-nodejs-runtime-interface-client) define it: the response starts
 * with a JSON metadata object, then 8 NUL bytes, then the payload. This module is the one home of
 * that contract. The handler runtime (`lambda-assets/runtime`), the local gateway and its Lambda
 * emulator (`local-gateway/`) all import it; it imports nothing but Node's `Buffer` global.
 */

/** The content type the Lambda runtime sends for a streamed HTTP integration response. */
export const PRELUDE_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';

/** The content type of a response stream whose handler never set one. */
export const DEFAULT_STREAM_CONTENT_TYPE = 'application/octet-stream';

/** Number of NUL bytes between the metadata JSON and the payload. */
export const DELIMITER_LENGTH = 8;

/** The delimiter between metadata and payload: 8 NUL bytes. */
export const DELIMITER: Buffer = /* @__PURE__ */ Buffer.alloc(DELIMITER_LENGTH);

/** Metadata and delimiter must arrive within this many bytes, or API Gateway answers 500. */
export const METADATA_WINDOW_BYTES = 16_384;

/** High-water mark of the Lambda runtime's response stream: `write()` returns false past it. */
export const RESPONSE_STREAM_HIGH_WATER_MARK = 16_384;

/** Trailers the Lambda runtime sends when a streaming handler fails after it started. */
export const ERROR_TYPE_TRAILER = 'Lambda-Runtime-Function-Error-Type';
export const ERROR_BODY_TRAILER = 'Lambda-Runtime-Function-Error-Body';

/** The only keys API Gateway accepts in the metadata object. */
export const METADATA_KEYS: readonly string[] = ['statusCode', 'headers', 'multiValueHeaders', 'cookies'];

/** The lowest and highest status code API Gateway relays from metadata. */
export const MIN_STATUS_CODE = 100;
export const MAX_STATUS_CODE = 599;

/** The HTTP metadata a streamed response starts with (API Gateway accepts only these keys). */
export interface ResponseMetadata {
  statusCode?: number;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  cookies?: string[];
}

/** Metadata that API Gateway would reject (it answers 500). */
export class MetadataError extends Error {
  constructor(message: string) {
    super(`Invalid response metadata: ${message}`);
    this.name = 'MetadataError';
  }
}

/** An RFC 9110 token: what a header name may be. */
export const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/**
 * A header value (or cookie) is Latin-1 text: visible characters, spaces and tabs (RFC 9110
 * field-value, what Node's HTTP server accepts), so no CR, LF, NUL or other control character.
 */
export const BAD_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

function fail(message: string): never {
  throw new MetadataError(message);
}

/** A short rendering of a bad value for an error message. */
function describe(value: unknown): string {
  return String(JSON.stringify(value)).slice(0, 40);
}

function checkHeader(where: string, name: string | undefined, value: unknown): void {
  if (name !== undefined && !HEADER_NAME.test(name)) fail(`${where} name '${name}' is invalid (not an HTTP token)`);
  if (typeof value !== 'string' || BAD_VALUE.test(value)) {
    fail(`${where} must be a string without control characters (CR, LF, NUL, ...), in Latin-1 (got ${describe(value)})`);
  }
}

function checkRecord(where: string, value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(`${where} is not an object (got ${describe(value)})`);
  return value as Record<string, unknown>;
}

/**
 * Checks metadata of any shape against what API Gateway accepts: an object with only the four
 * keys, an integer status of 100..599, header names that are HTTP tokens, header values and
 * cookies that are Latin-1 strings without control characters (CR, LF, NUL, ...), `multiValueHeaders`
 * values and `cookies` that are arrays. Returns it typed, or throws a `MetadataError` that says
 * what is wrong.
 */
export function validateMetadata(metadata: unknown): ResponseMetadata {
  const record = checkRecord('metadata', metadata);
  for (const key of Object.keys(record)) {
    if (!METADATA_KEYS.includes(key)) fail(`unknown key '${key}' (allowed: ${METADATA_KEYS.join(', ')})`);
  }
  const { statusCode, headers, multiValueHeaders, cookies } = record;
  if (statusCode !== undefined
    && !(typeof statusCode === 'number' && Number.isInteger(statusCode) && statusCode >= MIN_STATUS_CODE && statusCode <= MAX_STATUS_CODE)) {
    fail(`statusCode ${describe(statusCode)} is not ${MIN_STATUS_CODE}..${MAX_STATUS_CODE}`);
  }
  if (headers !== undefined) {
    for (const [name, value] of Object.entries(checkRecord('headers', headers))) checkHeader(`headers['${name}']`, name, value);
  }
  if (multiValueHeaders !== undefined) {
    for (const [name, values] of Object.entries(checkRecord('multiValueHeaders', multiValueHeaders))) {
      if (!Array.isArray(values)) fail(`multiValueHeaders['${name}'] must be an array, got ${describe(values)}`);
      values.forEach((value) => checkHeader(`multiValueHeaders['${name}']`, name, value));
    }
  }
  if (cookies !== undefined) {
    if (!Array.isArray(cookies)) fail(`cookies must be an array of strings, got ${describe(cookies)}`);
    cookies.forEach((cookie, index) => checkHeader(`cookies[${index}]`, undefined, cookie));
  }
  return record as ResponseMetadata;
}

/** What `PreludeSplitter.push()` found. */
export type PreludeResult =
  | { readonly done: false }
  | { readonly done: true; readonly metadata: ResponseMetadata; readonly rest: Buffer };

/**
 * Splits a streamed response into metadata and payload as API Gateway does, chunk by chunk:
 * `push()` answers `{ done: false }` until the delimiter arrived, then the validated metadata and
 * the payload bytes that came with it. Throws `MetadataError` when no delimiter arrives within
 * the 16 KB window, or the metadata is not valid JSON of the accepted shape.
 */
export class PreludeSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  public push(chunk: Buffer): PreludeResult {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    const joined = this.pending.length === 1 ? chunk : Buffer.concat(this.pending, this.pendingBytes);
    const at = joined.subarray(0, METADATA_WINDOW_BYTES + DELIMITER_LENGTH).indexOf(DELIMITER);
    if (at < 0) {
      if (this.pendingBytes >= METADATA_WINDOW_BYTES + DELIMITER_LENGTH) {
        fail(`no metadata delimiter (${DELIMITER_LENGTH} NUL bytes) in the first ${METADATA_WINDOW_BYTES / 1024} KB of the response`);
      }
      this.pending = [joined];
      return { done: false };
    }
    this.pending = [];
    this.pendingBytes = 0;
    return { done: true, metadata: parseMetadata(joined.subarray(0, at)), rest: joined.subarray(at + DELIMITER_LENGTH) };
  }
}

/** Parses and validates the metadata JSON bytes (before the delimiter). */
function parseMetadata(bytes: Buffer): ResponseMetadata {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    fail(`not JSON (${(error as Error).message})`);
  }
  return validateMetadata(value);
}

/** Splits a whole streamed response into its metadata and payload (see `PreludeSplitter`). */
export function splitStreamedResponse(bytes: Buffer): { metadata: ResponseMetadata; body: Buffer } {
  const result = new PreludeSplitter().push(bytes);
  if (!result.done) fail(`no metadata delimiter (${DELIMITER_LENGTH} NUL bytes) in the response`);
  return { metadata: result.metadata, body: result.rest };
}
