import { Arn, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { StreamingConfigError } from '../private/errors';

/**
 * Options of `BedrockChatModel.inferenceProfile()`.
 */
export interface BedrockInferenceProfileOptions {
  /**
   * The foundation model the profile routes to, e.g. `anthropic.claude-3-5-haiku-20241022-v1:0`.
   */
  readonly foundationModelId: string;

  /**
   * The regions the profile routes requests to (see the profile's definition in the Bedrock
   * console or `aws bedrock get-inference-profile`). The function may invoke the foundation model
   * in these regions only.
   */
  readonly regions: string[];
}

/**
 * The model a `StreamingBedrockChat` talks to. There is no default: you choose the model, and with
 * it the cost.
 */
export abstract class BedrockChatModel {
  /**
   * A foundation model invoked in the stack's region, e.g.
   * `BedrockChatModel.foundationModel('amazon.nova-lite-v1:0')`.
   */
  public static foundationModel(modelId: string): BedrockChatModel {
    return new FoundationModel(modelId);
  }

  /**
   * A cross-region inference profile, e.g. `us.anthropic.claude-3-5-haiku-20241022-v1:0`.
   * The function may invoke the profile, and the foundation model in the profile's regions.
   */
  public static inferenceProfile(profileId: string, options: BedrockInferenceProfileOptions): BedrockChatModel {
    return new InferenceProfile(profileId, options);
  }

  /** The id passed to ConverseStream as `modelId`. */
  public abstract readonly modelId: string;

  /**
   * The ARNs the function needs `bedrock:InvokeModelWithResponseStream` on. `scope` names the
   * construct in the error thrown for a bad model id, and gives the stack the ARNs are in.
   */
  public abstract resourceArns(scope: Construct): string[];

  /**
   * Grants `grantee` `bedrock:InvokeModelWithResponseStream` (what ConverseStream needs) on this
   * model and nothing else: the foundation model in the stack's region, or the inference profile
   * and its foundation model in the profile's regions.
   *
   * @param grantee the principal, e.g. a `lambda.Function`
   * @param scope the construct to name in errors and whose stack the ARNs are in
   */
  public grantInvokeStream(grantee: iam.IGrantable, scope?: Construct): iam.Grant {
    const within = scope ?? (Construct.isConstruct(grantee) ? grantee : undefined);
    if (!within) {
      throw new Error('BedrockChatModel.grantInvokeStream: pass a scope when the grantee is not a construct (e.g. grantInvokeStream(principal, this))');
    }
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['bedrock:InvokeModelWithResponseStream'],
      resourceArns: this.resourceArns(within),
    });
  }
}

const MODEL_ID = /^[a-zA-Z0-9][a-zA-Z0-9._:-]{2,}$/;

function checkModelId(scope: Construct, property: string, value: string): void {
  if (!Token.isUnresolved(value) && !MODEL_ID.test(value)) {
    throw new StreamingConfigError({
      scope,
      property,
      value,
      problem: 'is not a Bedrock model id',
      fix: "pass an id such as 'amazon.nova-lite-v1:0' (see the Bedrock console's model catalog)",
    });
  }
}

function foundationModelArn(scope: Construct, modelId: string, region?: string): string {
  return Stack.of(scope).formatArn({ service: 'bedrock', account: '', region, resource: 'foundation-model', resourceName: modelId });
}

class FoundationModel extends BedrockChatModel {
  constructor(public readonly modelId: string) {
    super();
  }

  public resourceArns(scope: Construct): string[] {
    checkModelId(scope, 'model', this.modelId);
    return [foundationModelArn(scope, this.modelId)];
  }
}

class InferenceProfile extends BedrockChatModel {
  constructor(public readonly modelId: string, private readonly options: BedrockInferenceProfileOptions) {
    super();
  }

  public resourceArns(scope: Construct): string[] {
    checkModelId(scope, 'model', this.modelId);
    checkModelId(scope, 'model.foundationModelId', this.options.foundationModelId);
    if (this.options.regions.length === 0) {
      throw new StreamingConfigError({
        scope,
        property: 'model.regions',
        value: this.options.regions,
        problem: 'is empty, so the profile could not invoke the model anywhere',
        fix: "list the profile's regions, e.g. ['us-east-1', 'us-east-2', 'us-west-2']",
      });
    }
    const profileArn = Arn.format({ service: 'bedrock', resource: 'inference-profile', resourceName: this.modelId }, Stack.of(scope));
    return [profileArn, ...this.options.regions.map((region) => foundationModelArn(scope, this.options.foundationModelId, region))];
  }
}
