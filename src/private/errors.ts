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

/**
 * The error this library throws for configuration that cannot work.
 *
 * Not exported from the jsii entry point (jsii cannot export subclasses of `Error`);
 * match it by message, or by `name === 'StreamingConfigError'`.
 */
export class StreamingConfigError extends Error {
  public readonly constructPath: string;
  public readonly property: string;

  constructor(problem: ConfigProblem) {
    super(formatProblem(problem));
    this.name = 'StreamingConfigError';
    this.constructPath = pathOf(problem.scope);
    this.property = problem.property;
    Object.setPrototypeOf(this, StreamingConfigError.prototype);
  }
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
