/**
 * API Gateway's service limits that the local gateway enforces (API Gateway developer guide:
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html). The constructs
 * keep their copy in `src/private/limits.ts` (jsii compiles `src/` alone); a test pins the two
 * to the same values.
 */
const MB = 1024 * 1024;

/** Default integration timeout, and the largest of a buffered method without a quota increase. */
export const MAX_BUFFERED_TIMEOUT_MS = 29_000;

/** Largest integration timeout of a streamed method: 15 minutes. */
export const MAX_STREAMING_TIMEOUT_MS = 900_000;

/** Idle timeout of a stream on an edge-optimized endpoint. */
export const EDGE_IDLE_TIMEOUT_MS = 30_000;

/** Idle timeout of a stream on Regional and private endpoints. */
export const REGIONAL_IDLE_TIMEOUT_MS = 300_000;

/** Largest request payload. */
export const MAX_REQUEST_BODY_BYTES = 10 * MB;

/** Largest request line plus headers. */
export const MAX_REQUEST_HEAD_BYTES = 10_240;

/** Bytes of a streamed response sent unthrottled, then the rate after them. */
export const SHAPING_FREE_BYTES = 10 * MB;
export const SHAPING_BYTES_PER_SECOND = 2 * MB;
