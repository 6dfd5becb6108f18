/**
 * The environment variables of a function's execution environment, as on Lambda: the function's
 * own (from its template), Lambda's reserved variables, the AWS credentials the SDK reads (unless
 * withheld), and what `--env` adds — nothing else of the developer's shell, whose tokens and keys
 * a handler under development has no business reading.
 */
import type { RouteFunction } from '../assembly';

/** The shell's AWS credential variables that a function gets unless they are withheld. */
export const CREDENTIAL_VARIABLES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'];

/** Variables of the shell every process needs to run at all (no secrets). */
const PROCESS_VARIABLES = ['PATH', 'LANG', 'HOME'];

export interface EnvironmentOptions {
  /** The folder the handler is loaded from (`LAMBDA_TASK_ROOT`). */
  readonly taskRoot: string;
  /** Variables added to every function (`--env`); they win over everything. */
  readonly extra?: Record<string, string>;
  /** Pass the shell's AWS credentials. Default true. */
  readonly awsCredentials?: boolean;
  /** The shell's environment. Default `process.env`. */
  readonly shell?: NodeJS.ProcessEnv;
}

export function functionEnvironment(fn: RouteFunction, options: EnvironmentOptions): Record<string, string> {
  const shell = options.shell ?? process.env;
  const pick = (names: string[]) => Object.fromEntries(names.filter((n) => shell[n] !== undefined).map((n) => [n, shell[n]!]));
  const region = shell.AWS_REGION ?? shell.AWS_DEFAULT_REGION ?? 'us-east-1';
  const name = fn.logicalId;
  // Placeholders let SDK clients sign requests to local stand-ins when no credentials are passed.
  const credentials = { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', ...(options.awsCredentials === false ? {} : pick(CREDENTIAL_VARIABLES)) };
  const reserved: Record<string, string> = {
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_LAMBDA_FUNCTION_NAME: name,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: 'local',
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    LAMBDA_TASK_ROOT: options.taskRoot,
    LAMBDA_RUNTIME_DIR: options.taskRoot,
    _HANDLER: fn.handler,
    TZ: ':UTC',
  };
  return { ...pick(PROCESS_VARIABLES), ...credentials, ...fn.environment, ...reserved, ...options.extra };
}
