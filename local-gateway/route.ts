/** A route the gateway serves: one method of a REST API, as read from the assembly. */
import type { UsageSpec } from './auth/usage-plans';
import type { ValidationSpec } from './validation/request-models';

export type EndpointType = 'EDGE' | 'REGIONAL' | 'PRIVATE';

/** The Lambda function behind a Lambda proxy route. */
export interface RouteFunction {
  readonly logicalId: string;
  /** The asset folder with the function's code (absolute), if the code is a local asset. */
  readonly assetDir?: string;
  /** Inline code (`Code.ZipFile`), if any. */
  readonly inlineCode?: string;
  /** `file.export`, e.g. `index.handler`. */
  readonly handler: string;
  readonly runtime: string;
  readonly timeoutSeconds: number;
  readonly memorySize: number;
  /** Environment variables whose values are literals (tokens are left out). */
  readonly environment: Record<string, string>;
  /** Folders whose `node_modules` stand in for the Lambda runtime's (AWS SDK v3): the app's. */
  readonly searchDirs?: readonly string[];
}

/** One method of a REST API. */
export interface Route {
  readonly stack: string;
  /** The API's logical id. */
  readonly apiId: string;
  readonly apiName: string;
  /** Where the method was written. */
  readonly source?: 'CloudFormation' | 'OpenAPI';
  readonly endpointType: EndpointType;
  readonly stageName: string;
  /** Every stage of the API (the route is served under each); `stageName` is the first. */
  readonly stageNames?: readonly string[];
  /**
   * When the assembly has several APIs: the path prefix this API is served under locally
   * (`/<api name>`), besides the root. Empty with one API.
   */
  readonly prefix?: string;
  /** The API's `BinaryMediaTypes`: request bodies of these types reach Lambda base64-encoded. */
  readonly binaryMediaTypes?: readonly string[];
  /** The resource path, e.g. `/chat/{id}` or `/files/{proxy+}`. */
  readonly path: string;
  /** `GET`, `POST`, ... or `ANY`. */
  readonly httpMethod: string;
  /** `AWS_PROXY`, `HTTP_PROXY`, `AWS`, `HTTP`, `MOCK`. */
  readonly integrationType: string;
  readonly transferMode: 'STREAM' | 'BUFFERED';
  /** Integration timeout in ms (API Gateway's default, 29 s, when unset). */
  readonly timeoutMs: number;
  /** HTTP_PROXY: the backend URL. */
  readonly url?: string;
  /** AWS_PROXY: the function, when the URI names one in the same stack. */
  readonly function?: RouteFunction;
  /** AWS_PROXY to a web app behind the Lambda Web Adapter: how to run it. */
  readonly webApp?: WebAppSpec;
  /** The Lambda URI's kind: the streaming (`2021-11-15`) or classic (`2015-03-31`) invocation. */
  readonly lambdaUriKind?: 'streaming' | 'classic';
  /** Who may call the method: its authorization and API key requirement. */
  readonly protection?: Protection;
  /** MOCK: how API Gateway answers without a backend. */
  readonly mock?: MockSpec;
  /** The API's custom gateway responses (AWS::ApiGateway::GatewayResponse). */
  readonly gatewayResponses?: readonly GatewayResponseSpec[];
  /** The API's API keys, usage plans and stage throttling, when it has any. */
  readonly usage?: UsageSpec;
  /** What guards the API as a whole that the gateway does not emulate (a resource policy, WAF, mTLS), in words. */
  readonly guardsNotEmulated?: readonly string[];
  /** The method's request validation (required parameters, body model), when it has any. */
  readonly validation?: ValidationSpec;
  /** Why this route cannot be served locally, if it cannot. */
  readonly unsupported?: string;
}

/** What the template says about a web app function. */
export interface WebAppSpec {
  readonly logicalId: string;
  /** The code folder (the asset). */
  readonly codeDir: string;
  /** The start script, relative to the code folder (the function's `Handler`). */
  readonly startScript: string;
  /** The Lambda runtime, e.g. `python3.13`. */
  readonly runtime: string;
  /** The function's literal environment variables. */
  readonly environment: Record<string, string>;
  /** The function's `memorySize` (its `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`). Default 128, Lambda's. */
  readonly memorySize?: number;
}

/** One integration response: chosen by `selectionPattern` (a regular expression; none: the default). */
export interface IntegrationResponseSpec {
  readonly selectionPattern?: string;
  readonly statusCode: string;
  /** `method.response.header.<name>` -> a quoted literal or a `method.request.*` reference. */
  readonly parameters: Record<string, string>;
  /** Response templates by content type. */
  readonly templates: Record<string, string>;
}

/** A MOCK integration: its request template gives the status code that selects the response. */
export interface MockSpec {
  readonly requestTemplates: Record<string, string>;
  readonly responses: readonly IntegrationResponseSpec[];
}

/** A custom gateway response of an API. */
export interface GatewayResponseSpec {
  /** `DEFAULT_4XX`, `UNAUTHORIZED`, ... */
  readonly type: string;
  readonly statusCode?: number;
  /** `gatewayresponse.header.<name>` -> a quoted literal or a `method.request.*` reference. */
  readonly parameters: Record<string, string>;
  readonly templates: Record<string, string>;
}

/** A method's protection, as written. */
export interface Protection {
  /** `NONE`, `CUSTOM` (a Lambda authorizer), `COGNITO_USER_POOLS` or `AWS_IAM`. */
  readonly authorizationType: string;
  /** The authorizer's logical id (CUSTOM, COGNITO_USER_POOLS), when it is one of the assembly. */
  readonly authorizerId?: string;
  readonly authorizationScopes?: readonly string[];
  readonly apiKeyRequired: boolean;
  /** The authorizer, when the assembly has it and the gateway can run it. */
  readonly authorizer?: AuthorizerSpec;
  /** A Cognito user pool authorizer's pools, verified offline against the local token issuer. */
  readonly cognito?: CognitoSpec;
}

/** A Cognito user pool authorizer: its pools (logical ids) and their app clients (logical ids, standing for client ids). */
export interface CognitoSpec {
  readonly logicalId: string;
  readonly pools: ReadonlyArray<{ readonly id: string; readonly clientIds: readonly string[] }>;
  readonly identitySource: string;
  readonly ttlSeconds: number;
}

/** A Lambda authorizer (AWS::ApiGateway::Authorizer of type TOKEN or REQUEST). */
export interface AuthorizerSpec {
  readonly logicalId: string;
  readonly type: 'TOKEN' | 'REQUEST';
  readonly function: RouteFunction;
  /** `method.request.header.Authorization`, `method.request.querystring.token`, ... */
  readonly identitySources: readonly string[];
  /** TOKEN: a regular expression the token must match, else 401 without invoking the authorizer. */
  readonly validationExpression?: string;
  /** How long a result is cached per identity; 0 caches nothing. */
  readonly ttlSeconds: number;
}
