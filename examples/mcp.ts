/**
 * The example app's MCP server, deployed as a production server for agents would be: a Cognito
 * user pool (strong passwords, MFA, threat protection, no self sign-up) with a resource server
 * scope `mcp/tools`, an app client for interactive agents (authorization code with PKCE) and one
 * for backend agents (client credentials), and `StreamingMcpServer` checking the scope with API
 * Gateway's Cognito authorizer. The outputs are what an agent is configured with.
 */
import { Aws, CfnOutput, RemovalPolicy } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { McpAuth, StreamingMcpServer, StreamingRestApi } from '../src';

export interface McpExampleProps {
  /** The API to add `POST /mcp` to. */
  readonly api: StreamingRestApi;
  /** The handler's source file (an `mcpHandler`). */
  readonly entry: string;
  /**
   * Where interactive MCP clients may receive their authorization code: your agents' redirect URIs.
   *
   * @default ['http://localhost:33418/callback']
   */
  readonly callbackUrls?: string[];
}

export class McpExample extends Construct {
  /** The scope a token must carry. */
  public static readonly SCOPE = 'mcp/tools';

  public readonly users: cognito.UserPool;
  public readonly server: StreamingMcpServer;
  /** The app client of interactive agents (authorization code + PKCE, no secret). */
  public readonly agentClient: cognito.UserPoolClient;
  /** The app client of backend agents (client credentials, with a secret). */
  public readonly serviceClient: cognito.UserPoolClient;

  constructor(scope: Construct, id: string, props: McpExampleProps) {
    super(scope, id);

    this.users = new cognito.UserPool(this, 'Users', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      passwordPolicy: { minLength: 12, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: true },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      removalPolicy: RemovalPolicy.DESTROY, // an example; a production pool keeps the default (RETAIN)
    });
    const tools = new cognito.ResourceServerScope({ scopeName: 'tools', scopeDescription: 'Call the MCP tools' });
    const resourceServer = this.users.addResourceServer('ResourceServer', { identifier: 'mcp', scopes: [tools] });
    // The OAuth endpoints (authorize, token) live on the pool's domain; its prefix is unique per region.
    const domain = this.users.addDomain('Domain', { cognitoDomain: { domainPrefix: `streaming-mcp-${Aws.ACCOUNT_ID}` } });
    const scopes = [cognito.OAuthScope.resourceServer(resourceServer, tools)];
    this.agentClient = this.users.addClient('AgentClient', {
      generateSecret: false,
      preventUserExistenceErrors: true,
      oAuth: { flows: { authorizationCodeGrant: true }, scopes, callbackUrls: props.callbackUrls ?? ['http://localhost:33418/callback'] },
    });
    this.serviceClient = this.users.addClient('ServiceClient', {
      generateSecret: true,
      preventUserExistenceErrors: true,
      oAuth: { flows: { clientCredentials: true }, scopes },
    });

    this.server = new StreamingMcpServer(this, 'Server', {
      api: props.api,
      entry: props.entry,
      auth: McpAuth.cognito(this.users, { scopes: [McpExample.SCOPE] }),
    });

    const output = (name: string, value: string, description: string) => new CfnOutput(this, name, { value, description });
    output('Url', this.server.url, 'The MCP server (Streamable HTTP): what an agent connects to');
    output('ProtectedResourceMetadataUrl', this.server.protectedResourceMetadataUrl, 'The RFC 9728 document MCP clients discover the authorization server from');
    output('AuthorizationServer', this.users.userPoolProviderUrl, 'The issuer of the access tokens (OAuth metadata at <issuer>/.well-known/openid-configuration)');
    output('TokenEndpoint', `${domain.baseUrl()}/oauth2/token`, 'Where backend agents get a token (grant_type=client_credentials, scope=mcp/tools)');
    output('Scope', McpExample.SCOPE, 'The scope a token must carry');
    output('AgentClientId', this.agentClient.userPoolClientId, 'The app client of interactive agents (authorization code with PKCE)');
    output('ServiceClientId', this.serviceClient.userPoolClientId,
      'The app client of backend agents; its secret: aws cognito-idp describe-user-pool-client --user-pool-id <pool> --client-id <id>');
    output('UserPoolId', this.users.userPoolId, 'The user pool (add the people who may use interactive agents)');
  }
}
