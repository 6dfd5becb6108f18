import { Annotations, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { McpAuth } from './mcp-auth';
import { checkAuth, checkMcpHandler, checkMcpPath, checkStageName, checkThrottle, functionTimeoutOf } from './mcp-checks';
import { addChallenges, addMethodNotAllowed, addProtectedResourceMethod, protectedResourceDocument } from './mcp-routes';
import { StreamingConfigError } from '../private/errors';
import { checkStreamingTimeout } from '../private/timeouts';
import { StreamingFunction } from '../streaming-function';
import { StreamingRestApi } from '../streaming-rest-api';

/**
 * Properties of a `StreamingMcpServer`.
 */
export interface StreamingMcpServerProps {
  /**
   * Who may call the server. No default: a public MCP server must be asked for with `McpAuth.none()`.
   */
  readonly auth: McpAuth;

  /**
   * The function that answers MCP requests (written with `mcpHandler` of
   * `cdk-streaming-rest-api/runtime`, or any handler that writes the streaming wire format).
   *
   * @default - a `StreamingFunction` bundled from `entry`
   */
  readonly handler?: lambda.IFunction;

  /**
   * The handler's source file, bundled by esbuild into a `StreamingFunction` (id `Handler`).
   * Give `handler` or `entry`, not both.
   *
   * @default - none: `handler` must be given
   */
  readonly entry?: string;

  /**
   * The API to add the MCP routes to.
   *
   * @default - a new `StreamingRestApi` named `Api` under this construct
   */
  readonly api?: StreamingRestApi;

  /**
   * The MCP endpoint's resource path.
   *
   * @default '/mcp'
   */
  readonly path?: string;

  /**
   * How long one MCP request may run: the integration timeout of the `POST` route, and the
   * timeout of the function the construct bundles from `entry`. A `handler` you pass must not
   * run longer (API Gateway would cut its stream before it can answer its pending calls).
   *
   * @default - the handler's timeout when it is known, else Duration.minutes(5)
   */
  readonly timeout?: Duration;

  /**
   * Throttling of the `POST` route (a method setting of the API's stage).
   *
   * @default - 50 requests per second, burst 100
   */
  readonly throttling?: apigateway.ThrottleSettings;
}

/**
 * A remote MCP server (Streamable HTTP, stateless) on a streamed REST API.
 *
 * - `POST <path>`: the function's answer streams (JSON, or SSE with progress notifications);
 * - `GET` and `DELETE <path>`: 405 with `Allow: POST`, answered by API Gateway (a MOCK: no
 *   invocation), since a stateless server has no stream to resume and no session to end;
 * - `GET /.well-known/oauth-protected-resource/<stage><path>` (inside the stage, so its URL is
 *   `https://<host>/<stage>/.well-known/oauth-protected-resource/<stage><path>`): the RFC 9728
 *   document naming the authorization server, public;
 * - with `McpAuth.cognito()`, the API's 401 and 403 carry
 *   `WWW-Authenticate: Bearer resource_metadata="<that URL>"`, so MCP clients start OAuth.
 *
 * The function receives `MCP_RESOURCE_PATH` (the route's path) and, with `McpAuth.jwt()`,
 * `MCP_AUTH_ISSUER`, `MCP_AUTH_AUDIENCE` and `MCP_AUTH_SCOPES` (space-separated).
 *
 * @example
 * declare const userPool: cognito.IUserPool;
 * const server = new StreamingMcpServer(this, 'Mcp', {
 *   entry: 'src/mcp.ts',
 *   auth: McpAuth.cognito(userPool, { scopes: ['mcp/tools'] }),
 * });
 */
export class StreamingMcpServer extends Construct {
  /** The API the MCP routes are on. */
  public readonly api: StreamingRestApi;

  /** The function that answers MCP requests. */
  public readonly function: lambda.IFunction;

  /** The streamed `POST <path>` method. */
  public readonly method: apigateway.Method;

  /** The MOCK `GET` and `DELETE <path>` methods answering 405. */
  public readonly notAllowedMethods: apigateway.Method[];

  /** The MOCK method serving the protected-resource document. */
  public readonly protectedResourceMethod: apigateway.Method;

  /** The API's 401 and 403 answers with the challenge (with `McpAuth.cognito()`, else empty). */
  public readonly gatewayResponses: apigateway.GatewayResponse[];

  /** The Cognito authorizer (with `McpAuth.cognito()`). */
  public readonly authorizer?: apigateway.CognitoUserPoolsAuthorizer;

  /** The integration timeout of the `POST` route. */
  public readonly timeout: Duration;

  /** The MCP endpoint's URL (with the stage). */
  public readonly url: string;

  /** The protected-resource document's URL, as the challenge names it. */
  public readonly protectedResourceMetadataUrl: string;

  constructor(scope: Construct, id: string, props: StreamingMcpServerProps) {
    super(scope, id);
    const path = checkMcpPath(this, props.path ?? '/mcp');
    checkMcpHandler(this, props.handler, props.entry);
    checkAuth(this, props.auth);
    const knownTimeout = functionTimeoutOf(props.handler);
    this.timeout = checkStreamingTimeout(this, 'timeout', props.timeout ?? knownTimeout ?? Duration.minutes(5));
    if (knownTimeout && !this.timeout.isUnresolved() && knownTimeout.toSeconds() > this.timeout.toSeconds()) {
      throw new StreamingConfigError({
        scope: this,
        property: 'timeout',
        value: this.timeout.toHumanString(),
        problem: `is shorter than the handler's timeout (${knownTimeout.toHumanString()}): API Gateway would cut the stream before the handler answers its pending calls`,
        fix: `leave timeout unset (it follows the handler), or set it to at least ${knownTimeout.toHumanString()}`,
      });
    }
    const throttling = checkThrottle(this, props.throttling ?? { rateLimit: 50, burstLimit: 100 });

    this.api = props.api ?? new StreamingRestApi(this, 'Api', { description: 'Streaming MCP server' });
    const stage = this.api.deploymentStage;
    // (the Stage's `stageName` is a Ref; its CfnStage holds the literal)
    const stageName = checkStageName(this, stage ? (stage.node.defaultChild as apigateway.CfnStage).stageName : undefined);
    this.function = props.handler ?? new StreamingFunction(this, 'Handler', {
      entry: props.entry,
      timeout: Duration.seconds(Math.ceil(this.timeout.toMilliseconds() / 1000)),
    });

    const auth = props.auth;
    this.passSettings(auth, path);
    let methodOptions: apigateway.MethodOptions = {};
    if (auth._userPool) {
      this.authorizer = new apigateway.CognitoUserPoolsAuthorizer(this, 'Authorizer', { cognitoUserPools: [auth._userPool] });
      methodOptions = { authorizer: this.authorizer, authorizationType: apigateway.AuthorizationType.COGNITO, authorizationScopes: auth.scopes };
    }
    if (auth.kind === 'none') {
      Annotations.of(this).addWarningV2('cdk-streaming-rest-api:mcpAuthNone',
        `McpAuth.none(): anyone who finds ${path} may call its tools. Use McpAuth.cognito() or McpAuth.jwt(), or acknowledge this warning.`);
    }

    this.method = this.api.addStreamingLambda(path, this.function, { httpMethod: 'POST', timeout: this.timeout, ...methodOptions });
    const resource = this.method.resource;
    this.notAllowedMethods = ['GET', 'DELETE'].map((m) => addMethodNotAllowed(resource, m, methodOptions));

    const documentPath = `/.well-known/oauth-protected-resource/${stageName}${path}`;
    this.protectedResourceMethod = addProtectedResourceMethod(this.api.root.resourceForPath(documentPath), protectedResourceDocument(path, auth));
    // The document must be public (clients read it before they have a token).
    Validations.of(this.protectedResourceMethod).acknowledge(
      { id: 'AwsSolutions-APIG4', reason: 'RFC 9728 protected-resource metadata is public: clients read it to find the authorization server' },
      { id: 'AwsSolutions-COG4', reason: 'RFC 9728 protected-resource metadata is public: clients read it to find the authorization server' },
    );
    // Built from the literal stage name, not the Stage's Ref: the deployment depends on the
    // gateway responses, which name this URL (a Ref to the stage would be a cycle).
    const stack = Stack.of(this.api);
    const base = `https://${this.api.restApiId}.execute-api.${stack.region}.${stack.urlSuffix}/${stageName}`;
    this.url = `${base}${path}`;
    this.protectedResourceMetadataUrl = `${base}${documentPath}`;
    this.gatewayResponses = auth._userPool ? addChallenges(this, this.api, this.protectedResourceMetadataUrl, auth.scopes) : [];

    if (stage) {
      const cfnStage = stage.node.defaultChild as apigateway.CfnStage;
      const existing = Array.isArray(cfnStage.methodSettings) ? cfnStage.methodSettings : [];
      cfnStage.methodSettings = [...existing, {
        httpMethod: 'POST',
        resourcePath: `/${path.replace(/\//g, '~1')}`,
        throttlingRateLimit: throttling.rateLimit,
        throttlingBurstLimit: throttling.burstLimit,
      }];
    }
  }

  /** The route's path and the JWT settings, as environment variables of the handler. */
  private passSettings(auth: McpAuth, path: string): void {
    const environment: { [key: string]: string } = { MCP_RESOURCE_PATH: path };
    if (auth.kind === 'jwt') {
      environment.MCP_AUTH_ISSUER = auth._issuer!;
      environment.MCP_AUTH_AUDIENCE = auth._audience!;
      environment.MCP_AUTH_SCOPES = auth.scopes.join(' ');
    }
    const fn = this.function;
    if (fn instanceof lambda.Function) {
      for (const [name, value] of Object.entries(environment)) fn.addEnvironment(name, value);
    } else if (auth.kind === 'jwt') {
      throw new StreamingConfigError({
        scope: this,
        property: 'handler',
        value: fn.node.path,
        problem: 'is an imported function, whose environment cannot receive the McpAuth.jwt() settings (MCP_AUTH_ISSUER, MCP_AUTH_AUDIENCE, MCP_AUTH_SCOPES)',
        fix: 'pass a lambda.Function (or entry), or set those variables on the function yourself and use McpAuth.none() at the gateway',
      });
    }
  }
}
