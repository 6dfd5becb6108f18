import type { ResponseMetadata } from './types';

/** Metadata that API Gateway would reject: thrown before anything is sent. */
export class MetadataError extends Error {
  constructor(message: string) {
    super(`Invalid response metadata: ${message}`);
    this.name = 'MetadataError';
  }
}

const ALLOWED_KEYS = new Set(['statusCode', 'headers', 'multiValueHeaders', 'cookies']);
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAD_VALUE = /[\r\n\0]/;

function checkValue(where: string, value: unknown): void {
  if (typeof value !== 'string') {
    throw new MetadataError(`${where} must be a string, got ${value === null ? 'null' : typeof value}`);
  }
  if (BAD_VALUE.test(value)) {
    throw new MetadataError(`${where} must not contain CR, LF or NUL`);
  }
}

function checkName(where: string, name: string): void {
  if (!HEADER_NAME.test(name)) {
    throw new MetadataError(`${where}: '${name}' is not a valid header name`);
  }
}

/**
 * Checks metadata against what API Gateway accepts: only the four keys, a status of 100..599,
 * string header values without line breaks, string cookies. Returns it unchanged.
 */
export function validateMetadata(metadata: ResponseMetadata): ResponseMetadata {
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw new MetadataError('metadata must be an object');
  }
  for (const key of Object.keys(metadata)) {
    if (!ALLOWED_KEYS.has(key)) {
      throw new MetadataError(`unknown key '${key}' (allowed: statusCode, headers, multiValueHeaders, cookies)`);
    }
  }
  const { statusCode, headers, multiValueHeaders, cookies } = metadata;
  if (statusCode !== undefined && !(Number.isInteger(statusCode) && statusCode >= 100 && statusCode <= 599)) {
    throw new MetadataError(`statusCode must be a whole number from 100 to 599, got ${String(statusCode)}`);
  }
  for (const [name, value] of Object.entries(headers ?? {})) {
    checkName('headers', name);
    checkValue(`headers['${name}']`, value);
  }
  for (const [name, values] of Object.entries(multiValueHeaders ?? {})) {
    checkName('multiValueHeaders', name);
    if (!Array.isArray(values)) {
      throw new MetadataError(`multiValueHeaders['${name}'] must be an array of strings`);
    }
    values.forEach((value, index) => checkValue(`multiValueHeaders['${name}'][${index}]`, value));
  }
  if (cookies !== undefined) {
    if (!Array.isArray(cookies)) {
      throw new MetadataError('cookies must be an array of strings');
    }
    cookies.forEach((cookie, index) => checkValue(`cookies[${index}]`, cookie));
  }
  return metadata;
}
