/**
 * The environment variables of a function's execution environment, as on Lambda: the function's
 * own (from its template), Lambda's reserved variables, the AWS credentials the SDK reads (unless
 * withheld), and what `--env` adds — nothing else of the developer's shell, whose tokens and keys
 * a handler under development has no business reading.
 */
import type { RouteFunction } from '../route';
import type { Isolation } from './isolation';

/** The shell's AWS credential variables that a function gets unless they are withheld. */
export const CREDENTIAL_VARIABLES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'];

/** Lambda's `TZ`: functions run in UTC. */
export const LAMBDA_TZ = ':UTC';

/** The time zone functions run in: Lambda's, unless `--env TZ=...` (`extra`) sets another. */
export function functionsTz(extra?: Record<string, string>): string {
  return extra?.TZ ?? LAMBDA_TZ;
}

/** The shell's `TZ` (before the command line set its process's to the functions'), for the app's synth. */
export const SHELL_TZ = process.env.TZ;

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

/** What a function's environment is made from: its template's settings. */
export type FunctionSettings = Pick<RouteFunction, 'logicalId' | 'handler' | 'runtime' | 'memorySize' | 'environment'>;

export function functionEnvironment(fn: FunctionSettings, options: EnvironmentOptions): Record<string, string> {
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
    TZ: functionsTz(options.extra),
  };
  return { ...pick(PROCESS_VARIABLES), ...credentials, ...fn.environment, ...reserved, ...options.extra };
}

/**
 * Handlers on threads (`thread` isolation, the default) run in the time zone of the gateway's process,
 * whatever their `TZ` says: a process has one time zone, read when its threads start. The
 * command line sets its own process's `TZ` to the functions' (Lambda's UTC, or `--env TZ=...`);
 * a gateway started from your own code (tests) says so when its process's zone differs.
 * Returns that note, or undefined when the zones agree or functions run in processes of their own.
 */
export function timeZoneNote(
  isolation: Isolation,
  tz: string,
  processZone = Intl.DateTimeFormat().resolvedOptions().timeZone,
): string | undefined {
  if (isolation === 'process') return undefined;
  const wanted = tz.replace(/^:/, '');
  const utc = (zone: string) => /^(Etc\/)?(UTC|UCT|GMT|Universal|Zulu)$/.test(zone);
  if (wanted === processZone || (utc(wanted) && utc(processZone))) return undefined;
  return `handlers run in this process's time zone (${processZone}), not their TZ (${tz}, as on Lambda): `
    + `a process has one time zone for all its threads. Start the process with TZ=${wanted} (the command line sets it), or use isolation 'process'`;
}
