import { IConstruct } from 'constructs';

/**
 * What a configuration error says: where, which property, the bad value, why, and the fix.
 */
export interface ConfigProblem {
  /** The construct path, or a construct whose path is used. */
  readonly scope: IConstruct | string;
  /** The property (prop name or CloudFormation property path) that holds the bad value. */
  readonly property: string;
  /** The value that was given. */
  readonly value: unknown;
  /** Why it cannot work, in one sentence without a trailing period. */
  readonly problem: string;
  /** What to do instead, in one sentence without a trailing period. */
  readonly fix: string;
}

/** The brand every `StreamingConfigError` carries; shared across copies of the library. */
export const STREAMING_CONFIG_ERROR_SYMBOL = Symbol.for('cdk-streaming-rest-api.StreamingConfigError');

/**
 * The error this library throws for configuration that cannot work.
 *
 * Not exported from the jsii entry point (jsii cannot export subclasses of `Error`): recognise
 * it with the public `StreamingErrors.isStreamingConfigError(x)`, which checks the
 * `Symbol.for` brand (so it also works across two copies of the library, and from every jsii
 * language), or by `name === 'StreamingConfigError'`.
 */
export class StreamingConfigError extends Error {
  public readonly constructPath: string;
  public readonly property: string;
  /** What was reported, to restate it at another construct. */
  public readonly details: ConfigProblem;

  constructor(problem: ConfigProblem) {
    super(formatProblem(problem));
    this.name = 'StreamingConfigError';
    this.constructPath = pathOf(problem.scope);
    this.property = problem.property;
    this.details = problem;
    Object.setPrototypeOf(this, StreamingConfigError.prototype);
    Object.defineProperty(this, STREAMING_CONFIG_ERROR_SYMBOL, { value: true });
  }
}

/** True when `x` is a `StreamingConfigError` (of this or another copy of the library). */
export function isStreamingConfigError(x: unknown): x is StreamingConfigError {
  return x !== null && typeof x === 'object' && STREAMING_CONFIG_ERROR_SYMBOL in x;
}

/** `[path] property: value 'x' problem. Fix: fix.` */
export function formatProblem(problem: ConfigProblem): string {
  return `[${pathOf(problem.scope)}] ${problem.property}: ${formatValue(problem.value)} ${problem.problem}. Fix: ${problem.fix}.`;
}

/** A short, printable rendering of a user-supplied value. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') {
    return `'${value}'`;
  }
  if (value === undefined) {
    return 'undefined';
  }
  try {
    const json = JSON.stringify(value);
    if (json === undefined) {
      return String(value);
    }
    return json.length > 200 ? `${json.slice(0, 197)}...` : json;
  } catch {
    return String(value);
  }
}

function pathOf(scope: IConstruct | string): string {
  return typeof scope === 'string' ? scope : scope.node.path;
}

/**
 * Runs `build`; a `StreamingConfigError` it throws for one of `properties` is thrown again at
 * `scope`'s path, under the caller's name for the property (so a check runs once, in the
 * callee, and the message still names the caller's construct).
 */
export function rescoped<T>(scope: IConstruct, properties: { readonly [callee: string]: string }, build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof StreamingConfigError && properties[error.property] !== undefined) {
      throw new StreamingConfigError({ ...error.details, scope, property: properties[error.property] });
    }
    throw error;
  }
}
