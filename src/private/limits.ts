/**
 * API Gateway and Lambda limits the constructs and their validation use, as the API Gateway developer
 * guide documents them (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html).
 *
 * The local gateway keeps its copy in `wire/limits.ts` (jsii compiles `src/` alone, and the
 * gateway never imports the constructs); `test/validation/limits.test.ts` pins the two to the
 * same values.
 */

/** Smallest integration timeout API Gateway accepts, in milliseconds. */
export const MIN_INTEGRATION_TIMEOUT_MS = 50;

/** Largest integration timeout of a streamed (STREAM) method: 15 minutes. */
export const MAX_STREAMING_TIMEOUT_MS = 900_000;

/** Default integration timeout, and the largest of a buffered method without a quota increase. */
export const MAX_BUFFERED_TIMEOUT_MS = 29_000;

/** Idle timeout of a stream on an edge-optimized endpoint. */
export const EDGE_IDLE_TIMEOUT_MS = 30_000;

/** Idle timeout of a stream on Regional and private endpoints. */
export const REGIONAL_IDLE_TIMEOUT_MS = 300_000;

/** A Lambda function's timeout when none is set, in seconds. */
export const DEFAULT_FUNCTION_TIMEOUT_SECONDS = 3;

/** `ms` as people say it: `29000 ms`, `30 seconds`, `5 minutes`. */
export function humanMs(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000} minute${ms === 60_000 ? '' : 's'}`;
  if (ms % 1000 === 0) return `${ms / 1000} seconds`;
  return `${ms} ms`;
}
