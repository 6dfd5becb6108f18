/** The local gateway's options (see `LocalStreamingGateway`). */
import type { AccessLogEntry } from './access-log';
import type { Route } from './assembly';
import type { FunctionOutput } from './lambda/environment';

export interface LocalStreamingGatewayOptions {
  /** The routes to serve (see `readAssembly()`). */
  readonly routes: Route[];
  /** Port to listen on; 0 picks a free one. Default 3000. */
  readonly port?: number;
  /** Address to listen on. Default 127.0.0.1 (another address prints a warning). */
  readonly host?: string;
  /**
   * Host names requests may name besides the bound address and loopback names; others get 403
   * (a web page cannot reach the gateway through DNS rebinding). Default: none.
   */
  readonly allowedHosts?: string[];
  /** HTTP_PROXY backends to replace: URL prefix → local URL prefix. */
  readonly backends?: Record<string, string>;
  /** Idle timeout of a stream in ms. Default: 30 s for edge-optimized APIs, 5 minutes otherwise. */
  readonly idleTimeoutMs?: number;
  /** Cap on every integration timeout in ms (for tests). Default: none. */
  readonly maxIntegrationTimeoutMs?: number;
  /** API Gateway's bandwidth shaping: the first 10 MB unthrottled, then 2 MB/s. Default true. */
  readonly shaping?: boolean;
  /** Bytes sent unthrottled before shaping starts. Default 10 MB. */
  readonly shapingFreeBytes?: number;
  /** Bytes per second after the free bytes. Default 2 MB/s. */
  readonly shapingBytesPerSecond?: number;
  /** Serve every route buffered, whatever its transfer mode (to compare). Default false. */
  readonly forceBuffered?: boolean;
  /**
   * Environment variables added to every function (e.g. BEDROCK_ENDPOINT_URL). A function sees its
   * template's variables, Lambda's reserved ones, the AWS credentials and these: nothing else of
   * the shell.
   */
  readonly environment?: Record<string, string>;
  /** Pass the shell's AWS credentials (AWS_ACCESS_KEY_ID, ...) to functions. Default true. */
  readonly awsCredentials?: boolean;
  /**
   * How every function's execution environments are isolated: `thread` (a worker thread each: its
   * own isolate, globals, modules and `process.env`, as each Lambda sandbox has) or `process` (a
   * child process each, for handlers that need one: `process.chdir()`, native addons that are not
   * thread-safe). Default: decided per function, `thread` unless its `NODE_OPTIONS` needs a process
   * (`--inspect`, or a V8 flag Node refuses for a thread).
   */
  readonly isolation?: 'thread' | 'process';
  /** Most execution environments of one function at once; more requests wait. Default 100 with threads, 10 with processes. */
  readonly maxEnvironments?: number;
  /** An execution environment idle this long is retired, in ms. Default 5 minutes. */
  readonly idleEnvironmentMs?: number;
  /** How long a function's init may take before it is ended and retried, in ms. Default 10 s, Lambda's limit (lower in tests). */
  readonly initLimitMs?: number;
  /**
   * Serve methods whose protection (authorizers, API keys) the gateway does not emulate OPEN,
   * without it. Default false: they are refused (501), never served open silently.
   */
  readonly skipAuth?: boolean;
  /**
   * Values of the API keys whose value the template leaves to API Gateway to generate, by key
   * name or logical id. Default: generated at start (and printed), kept across reloads.
   */
  readonly apiKeys?: Readonly<Record<string, string>>;
  /**
   * The credentials the SigV4 signatures of IAM (`AWS_IAM`) methods are verified against (any
   * valid signature is allowed: IAM policies are not evaluated). Default: the shell's
   * `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN` unless `awsCredentials` is
   * false; with none, IAM methods are refused (501).
   */
  readonly iamCredentials?: ReadonlyArray<{ readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string }>;
  /** Receives each access-log entry. Default: one JSON line on stderr. */
  readonly accessLog?: (entry: AccessLogEntry) => void;
  /** Receives diagnostics (why a request got a 500, ...). Default: stderr. */
  readonly log?: (message: string) => void;
  /** Receives what functions print (their stdout and stderr: on Lambda, their CloudWatch logs). Default: the gateway's stdout and stderr. */
  readonly functionOutput?: FunctionOutput;
}
