/**
 * The shapes of a synthesized CloudFormation template that the REST API reader looks at.
 *
 * Dependency-free on purpose: the constructs (jsii, `src/`) and the local gateway (plain Node)
 * both read templates with this folder, so nothing here imports aws-cdk-lib, constructs, or
 * anything outside `src/private/template/`.
 */

/** A value of a template: a literal, or a CloudFormation intrinsic (`Ref`, `Fn::GetAtt`, `Fn::Join`...). */
export type CfnValue = unknown;

/** One resource of a template. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: { readonly [key: string]: any };
  readonly Metadata?: { readonly [key: string]: any };
}

/** A synthesized template (only the parts the reader uses). */
export interface Template {
  readonly Resources?: { readonly [logicalId: string]: TemplateResource };
  readonly Outputs?: { readonly [logicalId: string]: { readonly Value?: CfnValue; readonly Export?: { readonly Name?: CfnValue } } };
  readonly Parameters?: { readonly [logicalId: string]: unknown };
}

/** Where a method (or an API setting) was written: a CloudFormation property or an OpenAPI body. */
export type Source = 'CloudFormation' | 'OpenAPI';

/** The integration of one method, values kept raw (they may be intrinsics). */
export interface IntegrationModel {
  /** `AWS_PROXY`, `HTTP_PROXY`, `AWS`, `HTTP`, `MOCK` (OpenAPI's lower-case types are upper-cased). */
  readonly type?: CfnValue;
  readonly uri?: CfnValue;
  /** `STREAM` or `BUFFERED` (absent means BUFFERED). */
  readonly responseTransferMode?: CfnValue;
  readonly timeoutInMillis?: CfnValue;
  /** CloudFormation `IntegrationResponses`, OpenAPI `responses`. */
  readonly integrationResponses?: CfnValue;
  readonly requestTemplates?: CfnValue;
  readonly cacheKeyParameters?: CfnValue;
  readonly cacheNamespace?: CfnValue;
  readonly connectionType?: CfnValue;
  readonly connectionId?: CfnValue;
  readonly contentHandling?: CfnValue;
  readonly passthroughBehavior?: CfnValue;
  /** The integration's own HTTP method (`IntegrationHttpMethod`, OpenAPI `httpMethod`). */
  readonly integrationHttpMethod?: CfnValue;
  /** The integration object as written. */
  readonly raw: { readonly [key: string]: any };
}

/** One method of a REST API. */
export interface MethodModel {
  /** Logical id of the REST API, when the method's `RestApiId` points to one of this template. */
  readonly apiLogicalId?: string;
  /** The `RestApiId` as written (a literal id, a `Ref`, an `Fn::ImportValue`...). */
  readonly restApiId: CfnValue;
  /** The `AWS::ApiGateway::Method` logical id; for OpenAPI, the RestApi's. */
  readonly logicalId: string;
  readonly source: Source;
  /** `GET`, `POST`, ... or `ANY`; raw when it is an intrinsic. */
  readonly httpMethod: string;
  /** The full resource path, e.g. `/chat/{id}`; `/` for the root. */
  readonly path: string;
  /** False when the path walk met a resource it could not follow (another template, an intrinsic). */
  readonly pathComplete: boolean;
  readonly integration: IntegrationModel;
  /**
   * The method as written, for what the local gateway emulates beyond the integration: the
   * CloudFormation `Properties` (`AuthorizationType`, `ApiKeyRequired`, ...) or the OpenAPI
   * operation (`security`, ...).
   */
  readonly raw?: { readonly [key: string]: any };
}

/** One method setting of a stage (`MethodSettings[]`), values raw. */
export interface MethodSettingModel {
  /** `/*` or an encoded path (`/~1chat~1{id}`). */
  readonly resourcePath?: CfnValue;
  readonly httpMethod?: CfnValue;
  readonly cachingEnabled?: CfnValue;
  readonly raw: { readonly [key: string]: any };
  /** Index in the resource's `MethodSettings` list. */
  readonly index: number;
}

/** A stage: an `AWS::ApiGateway::Stage`, or a Deployment's `StageDescription`. */
export interface StageModel {
  readonly logicalId: string;
  readonly kind: 'Stage' | 'Deployment';
  readonly apiLogicalId?: string;
  readonly restApiId: CfnValue;
  readonly stageName?: CfnValue;
  readonly cacheClusterEnabled?: CfnValue;
  /**
   * The method settings. A Deployment's stage-wide `StageDescription.CachingEnabled` is added
   * as `{ resourcePath: '/*', httpMethod: '*' }`, the way API Gateway applies it.
   */
  readonly methodSettings: MethodSettingModel[];
}

/** API-level settings of an OpenAPI body. */
export interface OpenApiSettings {
  readonly minimumCompressionSize?: CfnValue;
  readonly binaryMediaTypes?: CfnValue;
  readonly endpointConfiguration?: CfnValue;
}

/** One `AWS::ApiGateway::RestApi` with everything that belongs to it. */
export interface RestApiModel {
  readonly logicalId: string;
  readonly name?: CfnValue;
  /** `EndpointConfiguration.Types` as written (absent: EDGE). */
  readonly endpointTypes?: CfnValue;
  /** The first endpoint type when literal; `EDGE` when none is set; undefined when an intrinsic. */
  readonly endpointType?: 'EDGE' | 'REGIONAL' | 'PRIVATE';
  readonly binaryMediaTypes?: CfnValue;
  readonly minimumCompressionSize?: CfnValue;
  /** The inline OpenAPI body (`Body`), or the body read through `readBody` for `BodyS3Location`. */
  readonly body?: CfnValue;
  readonly bodyS3Location?: CfnValue;
  /** Settings written in the OpenAPI body (`x-amazon-apigateway-...` extensions). */
  readonly openApi: OpenApiSettings;
  readonly stages: StageModel[];
  /** Methods from `AWS::ApiGateway::Method` resources and from the OpenAPI body. */
  readonly methods: MethodModel[];
}

/** Everything the reader found in a template. */
export interface TemplateModel {
  readonly apis: RestApiModel[];
  /** Methods whose `RestApiId` is not a RestApi of this template (imported APIs). */
  readonly otherMethods: MethodModel[];
  /** Stages whose `RestApiId` is not a RestApi of this template. */
  readonly otherStages: StageModel[];
}

/** Options of `readTemplate`. */
export interface ReadOptions {
  /** Returns the OpenAPI document a `BodyS3Location` points to (an asset), if it can be read. */
  readonly readBody?: (bodyS3Location: CfnValue, apiLogicalId: string) => CfnValue | undefined;
}
