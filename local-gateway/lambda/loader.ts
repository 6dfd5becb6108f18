/**
 * Loads a function's handler inside its worker, as the Node.js managed runtime does from
 * `LAMBDA_TASK_ROOT` and `_HANDLER` (`file.export`), with the emulator's `awslambda` global.
 */
import * as path from 'path';
import { installAwsLambda } from './emulator';

/** What loading found: the handler, or the error Lambda reports as `Runtime.ImportModuleError`. */
export interface LoadedHandler {
  readonly handler?: any;
  readonly error?: Error;
}

export function loadHandler(codeDir: string, spec: string): LoadedHandler {
  const dot = spec.lastIndexOf('.');
  const file = path.join(codeDir, spec.slice(0, dot));
  try {
    installAwsLambda();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const handler = require(file)[spec.slice(dot + 1)];
    if (typeof handler !== 'function') throw new Error(`${spec} is not a function exported by ${file}`);
    return { handler };
  } catch (error) {
    return { error: Object.assign(error as Error, { name: 'Runtime.ImportModuleError' }) };
  }
}
