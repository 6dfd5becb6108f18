import { Duration, Token } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { IConstruct } from 'constructs';
import { StreamingConfigError } from './errors';
import { MAX_STREAMING_TIMEOUT_MS, MIN_INTEGRATION_TIMEOUT_MS } from './limits';

/** The default (and largest) integration timeout of a streamed method. */
export const DEFAULT_STREAMING_TIMEOUT = Duration.millis(MAX_STREAMING_TIMEOUT_MS);

/**
 * Returns `timeout`, or the default, after checking it lies in 50 ms..15 minutes.
 * Tokens are not judged.
 */
export function checkStreamingTimeout(scope: IConstruct | string, property: string, timeout: Duration | undefined): Duration {
  if (timeout === undefined) {
    return DEFAULT_STREAMING_TIMEOUT;
  }
  if (timeout.isUnresolved()) {
    return timeout;
  }
  // Not `toMilliseconds()`: aws-cdk-lib throws its own error for a fractional number of ms.
  const ms = timeout.toMilliseconds({ integral: false });
  if (!Number.isInteger(ms)) {
    throw new StreamingConfigError({
      scope,
      property,
      value: timeout.toHumanString(),
      problem: `is ${ms} ms, not a whole number of milliseconds (API Gateway takes TimeoutInMillis as an integer)`,
      fix: `use a whole number of milliseconds, for example Duration.millis(${Math.min(Math.max(Math.round(ms), MIN_INTEGRATION_TIMEOUT_MS), MAX_STREAMING_TIMEOUT_MS)})`,
    });
  }
  if (ms < MIN_INTEGRATION_TIMEOUT_MS || ms > MAX_STREAMING_TIMEOUT_MS) {
    throw new StreamingConfigError({
      scope,
      property,
      value: timeout.toHumanString(),
      problem: `is outside the range a streamed method accepts (${MIN_INTEGRATION_TIMEOUT_MS} ms to 15 minutes)`,
      fix: `use a duration between Duration.millis(${MIN_INTEGRATION_TIMEOUT_MS}) and Duration.minutes(15)`,
    });
  }
  return timeout;
}

/** True when `value` is a literal, not a token. */
export function isLiteral(value: unknown): boolean {
  return !Token.isUnresolved(value);
}

/** A streaming integration rejects any other transfer mode rather than silently replacing it. */
export function checkStreamTransferMode(scope: string, mode: apigateway.ResponseTransferMode | undefined, bufferedClass: string): void {
  if (mode !== undefined && mode !== apigateway.ResponseTransferMode.STREAM) {
    throw new StreamingConfigError({
      scope,
      property: 'responseTransferMode',
      value: mode,
      problem: 'contradicts a streaming integration',
      fix: `remove \`responseTransferMode\`, or use apigateway.${bufferedClass} for a buffered integration`,
    });
  }
}
