import type { ResponseMetadata } from './types';

/** Metadata that API Gateway would reject: thrown before anything is sent. */
export class MetadataError extends Error {
  constructor(message: string) {
    super(`Invalid response metadata: ${message}`);
    this.name = 'MetadataError';
  }
}

const KEYS = ['statusCode', 'headers', 'multiValueHeaders', 'cookies'];
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function fail(message: string): never {
  throw new MetadataError(message);
}

/** A header name must be a token; a value (or cookie) a string without CR, LF or NUL. */
function check(where: string, name: string | undefined, value: unknown): void {
  if (name !== undefined && !HEADER_NAME.test(name)) fail(`${where} name '${name}' is invalid`);
  if (typeof value !== 'string' || /[\r\n\0]/.test(value)) fail(`${where} must be a string without CR, LF or NUL`);
}

/**
 * Checks metadata against what API Gateway accepts: only the four keys, a status of 100..599,
 * string header values without line breaks, string cookies. Returns it unchanged.
 */
export function validateMetadata(metadata: ResponseMetadata): ResponseMetadata {
  if (typeof metadata !== 'object' || !metadata || Array.isArray(metadata)) fail('not an object');
  for (const key of Object.keys(metadata)) {
    if (!KEYS.includes(key)) fail(`unknown key '${key}' (allowed: ${KEYS.join(', ')})`);
  }
  const { statusCode: status, headers, multiValueHeaders, cookies } = metadata;
  if (status !== undefined && !(Number.isInteger(status) && status >= 100 && status <= 599)) fail(`statusCode ${status} is not 100..599`);
  for (const [name, value] of Object.entries(headers ?? {})) check(`headers['${name}']`, name, value);
  for (const [name, values] of Object.entries(multiValueHeaders ?? {})) {
    if (!Array.isArray(values)) fail(`multiValueHeaders['${name}'] must be an array`);
    values.forEach((value) => check(`multiValueHeaders['${name}']`, name, value));
  }
  if (cookies !== undefined && !Array.isArray(cookies)) fail('cookies must be an array');
  cookies?.forEach((cookie, index) => check(`cookies[${index}]`, undefined, cookie));
  return metadata;
}
