/**
 * Service limits of API Gateway REST response streaming (see FACTS.md in the repository).
 */

/** Smallest integration timeout API Gateway accepts, in milliseconds. */
export const MIN_INTEGRATION_TIMEOUT_MS = 50;

/** Largest integration timeout of a streamed (STREAM) method: 15 minutes. */
export const MAX_STREAMING_TIMEOUT_MS = 900_000;

/** Default largest integration timeout of a buffered method without a quota increase. */
export const MAX_BUFFERED_TIMEOUT_MS = 29_000;

/** Idle timeout of a stream on an edge-optimized endpoint, in seconds. */
export const EDGE_IDLE_TIMEOUT_SECONDS = 30;

/** Idle timeout of a stream on Regional and private endpoints, in seconds. */
export const REGIONAL_IDLE_TIMEOUT_SECONDS = 300;

/** The Lambda API path of the streaming invocation used by STREAM Lambda proxy integrations. */
export const STREAMING_INVOCATION_PATH = '2021-11-15/functions/';
export const STREAMING_INVOCATION_SUFFIX = '/response-streaming-invocations';

/** The classic (buffered) Lambda invocation path. */
export const CLASSIC_INVOCATION_PATH = '2015-03-31/functions/';
