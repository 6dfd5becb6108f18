/**
 * How a guardrail checks a streamed answer (Bedrock `guardrailConfig.streamProcessingMode`).
 */
export enum ChatGuardrailStreamProcessing {
  /** Each chunk is checked before it is sent: safer, with more latency per chunk. */
  SYNC = 'sync',
  /** Chunks are sent at once and checked in the background: faster, may send text later blocked. */
  ASYNC = 'async',
}

/**
 * A Bedrock guardrail applied to every conversation of a `StreamingBedrockChat`.
 */
export interface ChatGuardrailOptions {
  /** The guardrail's id (e.g. `abc123def456`) or ARN. */
  readonly guardrailId: string;

  /** The guardrail's version: a number such as `'1'`, or `'DRAFT'`. */
  readonly version: string;

  /**
   * How the guardrail checks the streamed answer.
   *
   * @default ChatGuardrailStreamProcessing.SYNC
   */
  readonly streamProcessing?: ChatGuardrailStreamProcessing;
}
