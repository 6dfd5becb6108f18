import { isStreamingConfigError } from './private/errors';

/**
 * Recognise the errors this library throws, from any jsii language.
 *
 * A configuration that cannot work (a bad prop, a streamed method with a VTL template...) throws a
 * `StreamingConfigError` whose message names the construct path, the property, the bad value and
 * the fix. jsii cannot export subclasses of `Error`, so the check is a static method, like
 * aws-cdk's `Errors.isValidationError()`.
 *
 * @example
 * declare const error: any; // what a construct call or `app.synth()` threw
 * const ours = StreamingErrors.isStreamingConfigError(error);
 */
export class StreamingErrors {
  /**
   * True when `x` is a configuration error thrown by this library (checked by a `Symbol.for`
   * brand, so errors from another copy of the library are recognised too).
   */
  public static isStreamingConfigError(x: any): boolean {
    return isStreamingConfigError(x);
  }

  private constructor() {}
}
