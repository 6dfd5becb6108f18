import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { LambdaWebAdapter } from './lambda-web-adapter';
import { StreamingConfigError } from './private/errors';

/**
 * Properties of a `StreamingWebAppFunction`.
 */
export interface StreamingWebAppFunctionProps extends lambda.FunctionOptions {
  /**
   * The web application: its code and a start script (for example `run.sh` running
   * `exec python -m uvicorn --port=$PORT main:app`).
   */
  readonly code: lambda.Code;

  /**
   * The runtime the web application runs on.
   *
   * @default lambda.Runtime.PYTHON_3_13
   */
  readonly runtime?: lambda.Runtime;

  /**
   * The start script of the web application, relative to the code root.
   *
   * @default 'run.sh'
   */
  readonly startScript?: string;

  /**
   * The port the web application listens on (`AWS_LWA_PORT`, also exported as `PORT`).
   *
   * @default 8080
   */
  readonly port?: number;

  /**
   * The Lambda Web Adapter layer.
   *
   * @default LambdaWebAdapter.publicLayer()
   */
  readonly webAdapter?: LambdaWebAdapter;
}

/**
 * A Lambda function that runs a web application (FastAPI, Flask, Express, ...) behind the
 * Lambda Web Adapter in response-streaming mode, so a route added with
 * `StreamingRestApi.addStreamingLambda()` streams what the application writes.
 *
 * Sets `AWS_LAMBDA_EXEC_WRAPPER=/opt/bootstrap`, `AWS_LWA_INVOKE_MODE=response_stream`,
 * `AWS_LWA_PORT`/`PORT`, and adds the adapter layer. Defaults: Python 3.13, 15-minute timeout,
 * 512 MB, ARM64; each can be overridden.
 *
 * @example
 * declare const api: StreamingRestApi;
 * const app = new StreamingWebAppFunction(this, 'FastApi', {
 *   code: lambda.Code.fromAsset('app'), // main.py, requirements installed, run.sh
 * });
 * api.addStreamingLambda('/chat', app, { httpMethod: 'POST' });
 */
export class StreamingWebAppFunction extends lambda.Function {
  constructor(scope: Construct, id: string, props: StreamingWebAppFunctionProps) {
    const port = props.port ?? 8080;
    if (!Number.isInteger(port) || port < 1 || port > 65535 || port === 9001) {
      throw new StreamingConfigError({
        scope: `${scope.node.path}/${id}`,
        property: 'port',
        value: port,
        problem: 'is not a usable port (1..65535, and 9001 is the Lambda runtime API)',
        fix: 'pass the port your web application listens on, such as 8080',
      });
    }
    const { code, runtime, startScript, webAdapter, ...options } = props;
    const architecture = options.architecture ?? lambda.Architecture.ARM_64;
    super(scope, id, {
      timeout: Duration.minutes(15),
      memorySize: 512,
      ...options,
      architecture,
      code,
      runtime: runtime ?? lambda.Runtime.PYTHON_3_13,
      handler: startScript ?? 'run.sh',
      environment: {
        AWS_LAMBDA_EXEC_WRAPPER: '/opt/bootstrap',
        AWS_LWA_INVOKE_MODE: 'response_stream',
        AWS_LWA_PORT: String(port),
        PORT: String(port),
        ...options.environment,
      },
    });
    this.addLayers((webAdapter ?? LambdaWebAdapter.publicLayer()).bind(this, architecture));
  }
}
