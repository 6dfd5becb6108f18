import { Aws, Stack, Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { StreamingConfigError } from './private/errors';

/**
 * Options of `LambdaWebAdapter.publicLayer()`.
 */
export interface LambdaWebAdapterLayerOptions {
  /**
   * The version of the public Lambda Web Adapter layer.
   *
   * @default 26
   */
  readonly version?: number;
}

/** The Lambda Web Adapter's public layer accounts (see the README's table). */
const PUBLIC_LAYER_ACCOUNT = '753240598075';
const CHINA_LAYER_ACCOUNTS: { [region: string]: string } = {
  'cn-north-1': '041581134020',
  'cn-northwest-1': '069767869989',
};
const DEFAULT_LAYER_VERSION = 26;

/**
 * The Lambda Web Adapter, which runs a web application (FastAPI, Flask, Express, ...) on Lambda
 * and, with `AWS_LWA_INVOKE_MODE=response_stream`, streams its responses.
 *
 * Choose the public layer (looked up by region and architecture) or a layer ARN of your own.
 */
export abstract class LambdaWebAdapter {
  /**
   * The public layer published by the Lambda Web Adapter project:
   * `arn:aws:lambda:<region>:753240598075:layer:LambdaAdapterLayerX86|Arm64:<version>` in
   * commercial regions; in `cn-north-1` and `cn-northwest-1` (x86_64 only) the China accounts.
   * Other partitions (GovCloud) need `fromLayerArn()`.
   */
  public static publicLayer(options: LambdaWebAdapterLayerOptions = {}): LambdaWebAdapter {
    return new PublicLayerAdapter(options.version ?? DEFAULT_LAYER_VERSION);
  }

  /** A Lambda Web Adapter layer you publish or pin yourself. */
  public static fromLayerArn(layerArn: string): LambdaWebAdapter {
    return new ArnAdapter(layerArn);
  }

  /** The layer to add to a function of `architecture` in `scope`'s stack. */
  public abstract bind(scope: Construct, architecture: lambda.Architecture): lambda.ILayerVersion;
}

class ArnAdapter extends LambdaWebAdapter {
  constructor(private readonly layerArn: string) {
    super();
  }

  public bind(scope: Construct, _architecture: lambda.Architecture): lambda.ILayerVersion {
    return lambda.LayerVersion.fromLayerVersionArn(scope, 'WebAdapterLayer', this.layerArn);
  }
}

class PublicLayerAdapter extends LambdaWebAdapter {
  constructor(private readonly version: number) {
    super();
  }

  public bind(scope: Construct, architecture: lambda.Architecture): lambda.ILayerVersion {
    if (!Number.isInteger(this.version) || this.version < 1) {
      throw new StreamingConfigError({
        scope,
        property: 'LambdaWebAdapter.publicLayer(version)',
        value: this.version,
        problem: 'is not a layer version',
        fix: 'pass a whole number such as 26',
      });
    }
    const arm = architecture.name === lambda.Architecture.ARM_64.name;
    const layerName = arm ? 'LambdaAdapterLayerArm64' : 'LambdaAdapterLayerX86';
    const region = Stack.of(scope).region;
    let account = PUBLIC_LAYER_ACCOUNT;
    let partition: string = Aws.PARTITION;
    if (!Token.isUnresolved(region)) {
      if (CHINA_LAYER_ACCOUNTS[region]) {
        if (arm) {
          throw this.noLayer(scope, region, 'has no public arm64 Lambda Web Adapter layer', 'use architecture: lambda.Architecture.X86_64, or LambdaWebAdapter.fromLayerArn()');
        }
        account = CHINA_LAYER_ACCOUNTS[region];
        partition = 'aws-cn';
      } else if (!/^(af|ap|ca|eu|il|me|mx|sa|us)-[a-z]+-\d$/.test(region) || region.startsWith('us-gov-')) {
        throw this.noLayer(scope, region, 'is not in the public Lambda Web Adapter layer table', 'publish the adapter layer in that region and pass LambdaWebAdapter.fromLayerArn()');
      } else {
        partition = 'aws';
      }
    }
    const arn = `arn:${partition}:lambda:${region}:${account}:layer:${layerName}:${this.version}`;
    return lambda.LayerVersion.fromLayerVersionArn(scope, 'WebAdapterLayer', arn);
  }

  private noLayer(scope: Construct, region: string, problem: string, fix: string): StreamingConfigError {
    return new StreamingConfigError({ scope, property: 'region', value: region, problem, fix });
  }
}
