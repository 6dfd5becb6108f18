import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import { REBUILD_SPEC_METADATA, rebuildSpec } from './private/rebuild-spec';

/**
 * Properties of a `StreamingFunction`: those of `NodejsFunction`, with defaults for streaming.
 */
export interface StreamingFunctionProps extends nodejs.NodejsFunctionProps {}

/**
 * A Node.js Lambda function for a streamed route, bundled by esbuild.
 *
 * Defaults (each can be overridden through the `NodejsFunction` props):
 * - runtime: Node.js 24 (`lambda.Runtime.NODEJS_24_X`), which streams natively;
 * - timeout: 15 minutes, as long as the longest streamed request;
 * - memory: 512 MB;
 * - architecture: ARM64;
 * - logs: JSON format;
 * - bundling: minified, with source maps (`NODE_OPTIONS=--enable-source-maps`).
 *
 * The handler should be written with the handler runtime (`cdk-streaming-rest-api/runtime`),
 * which esbuild inlines into the bundle, or with `awslambda.streamifyResponse`.
 *
 * The function records its entry and bundling options in the cloud assembly's construct
 * metadata (not in the template), so that the local gateway's `serve --watch` can rebuild it on
 * its own when its handler code changes.
 *
 * @example
 * new StreamingFunction(this, 'Chat', { entry: 'src/chat.ts' });
 */
export class StreamingFunction extends nodejs.NodejsFunction {
  constructor(scope: Construct, id: string, props: StreamingFunctionProps = {}) {
    const bundling: nodejs.BundlingOptions = {
      minify: true,
      sourceMap: true,
      ...props.bundling,
    };
    const environment: { [key: string]: string } = { ...props.environment };
    if (bundling.sourceMap && environment.NODE_OPTIONS === undefined) {
      environment.NODE_OPTIONS = '--enable-source-maps';
    }
    super(scope, id, {
      runtime: lambda.Runtime.NODEJS_24_X,
      timeout: Duration.minutes(15),
      memorySize: 512,
      architecture: lambda.Architecture.ARM_64,
      loggingFormat: lambda.LoggingFormat.JSON,
      ...props,
      bundling,
      environment,
    });
    if (props.entry && !props.code) {
      const runtime = props.runtime ?? lambda.Runtime.NODEJS_24_X;
      const sdkV2 = /^nodejs(1[0-6]|[0-9])\./.test(runtime.name);
      const projectRoot = props.projectRoot ?? (props.depsLockFilePath ? path.dirname(props.depsLockFilePath) : undefined);
      const spec = rebuildSpec(props.entry, runtime, bundling, projectRoot, sdkV2);
      this.node.defaultChild!.node.addMetadata(REBUILD_SPEC_METADATA, spec);
    }
  }
}
