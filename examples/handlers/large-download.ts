/**
 * Example: a large generated download, past API Gateway's 10 MB buffered limit.
 *
 * Query string: `mb` (size in MiB, default 20, at most 200). The bytes are a deterministic
 * pattern; the SHA-256 of the whole body is announced in the `x-content-sha256` header, so a client
 * can verify it received every byte.
 */
import { createHash } from 'crypto';
import { HttpError, streamingHandler } from '../../lambda-assets/runtime';

const CHUNK = 64 * 1024;

/** The i-th chunk of the pattern: the same for everyone, so the checksum is known in advance. */
export function patternChunk(index: number, size = CHUNK): Buffer {
  const chunk = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4) chunk.writeUInt32BE((index * size + i) % 0x1_0000_0000, i);
  return chunk;
}

/** The SHA-256 of `bytes` bytes of the pattern. */
export function patternSha256(bytes: number): string {
  const hash = createHash('sha256');
  for (let i = 0; i * CHUNK < bytes; i++) hash.update(patternChunk(i).subarray(0, Math.min(CHUNK, bytes - i * CHUNK)));
  return hash.digest('hex');
}

export const handler = streamingHandler(async (event, response) => {
  const mb = Number(event.queryStringParameters?.mb ?? '20');
  if (!Number.isInteger(mb) || mb < 1 || mb > 200) {
    throw new HttpError(400, "Query parameter 'mb' must be a whole number from 1 to 200");
  }
  const bytes = mb * 1024 * 1024;
  response.headers({
    'content-type': 'application/octet-stream',
    'content-disposition': `attachment; filename="pattern-${mb}MiB.bin"`,
    'x-content-sha256': patternSha256(bytes),
  });
  for (let i = 0; i * CHUNK < bytes && !response.signal.aborted; i++) {
    await response.write(patternChunk(i).subarray(0, Math.min(CHUNK, bytes - i * CHUNK)));
  }
});
