/**
 * The synth-time checks of StreamingMcpServer's props (not exported from the package): each
 * error names the construct path, the property, the bad value and the fix.
 */
import { Duration, Token } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { McpAuth } from './mcp-auth';
import { StreamingConfigError } from '../private/errors';
import { checkResourcePath } from '../private/resource-paths';

export function checkMcpPath(scope: Construct, path: string): string {
  checkResourcePath(scope, path);
  if (path === '/' || /[{}]/.test(path)) {
    throw new StreamingConfigError({
      scope,
      property: 'path',
      value: path,
      problem: 'is the root or has a path parameter: an MCP endpoint is one fixed URL, under which the protected-resource document is named',
      fix: "pass a literal path such as '/mcp'",
    });
  }
  return path;
}

export function checkMcpHandler(scope: Construct, handler: lambda.IFunction | undefined, entry: string | undefined): void {
  if ((handler === undefined) === (entry === undefined)) {
    throw new StreamingConfigError({
      scope,
      property: 'handler',
      value: handler ? `${handler.node.path} and entry '${entry}'` : undefined,
      problem: handler ? 'and entry are both given' : 'and entry are both missing',
      fix: "pass either handler (a function you built) or entry (a source file such as 'src/mcp.ts')",
    });
  }
}

/** The timeout of a function the construct can see (a `lambda.Function` with a literal timeout). */
export function functionTimeoutOf(handler: lambda.IFunction | undefined): Duration | undefined {
  if (!(handler instanceof lambda.Function)) return undefined;
  const timeout = handler.timeout ?? Duration.seconds(3); // Lambda's default
  return timeout.isUnresolved() ? undefined : timeout;
}

export function checkStageName(scope: Construct, stageName: string | undefined): string {
  if (stageName === undefined || Token.isUnresolved(stageName)) {
    throw new StreamingConfigError({
      scope,
      property: 'api',
      value: stageName === undefined ? 'no deployment stage' : stageName,
      problem: 'has no literal stage name, which the protected-resource document\'s path must contain',
      fix: 'use an API with a deployment stage whose name is a literal (deployOptions.stageName)',
    });
  }
  return stageName;
}

export function checkThrottle(scope: Construct, throttling: apigateway.ThrottleSettings): apigateway.ThrottleSettings {
  const check = (property: string, value: number | undefined) => {
    if (value !== undefined && !Token.isUnresolved(value) && !(Number.isFinite(value) && value >= 0)) {
      throw new StreamingConfigError({ scope, property: `throttling.${property}`, value, problem: 'is not a number of requests (0 or more)', fix: `pass ${property} of 0 or more, or leave it unset` });
    }
  };
  check('rateLimit', throttling.rateLimit);
  check('burstLimit', throttling.burstLimit);
  return throttling;
}

/** Scopes must be plain OAuth scope tokens; Cognito needs at least one (see McpCognitoAuthOptions). */
export function checkAuth(scope: Construct, auth: McpAuth): void {
  if (auth.kind === 'cognito' && auth.scopes.length === 0) {
    throw new StreamingConfigError({
      scope,
      property: 'auth.scopes',
      value: [],
      problem: 'is empty: without scopes API Gateway\'s Cognito authorizer wants an ID token, and MCP clients send access tokens',
      fix: "list the resource server scopes of the app client, e.g. McpAuth.cognito(pool, { scopes: ['mcp/tools'] })",
    });
  }
  for (const s of auth.scopes) {
    if (!Token.isUnresolved(s) && !/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(s)) {
      throw new StreamingConfigError({ scope, property: 'auth.scopes', value: s, problem: 'is not an OAuth scope (no spaces, quotes or backslashes)', fix: "pass scopes such as 'mcp/tools'" });
    }
  }
  if (auth.kind === 'jwt') {
    const issuer = auth._issuer;
    if (!issuer || (!Token.isUnresolved(issuer) && !/^https:\/\/\S+$/.test(issuer))) {
      throw new StreamingConfigError({ scope, property: 'auth.issuer', value: issuer, problem: 'is not an https URL', fix: "pass the authorization server's issuer URL (the iss of its tokens)" });
    }
    const audience = auth._audience;
    if (!audience || (!Token.isUnresolved(audience) && /\s/.test(audience))) {
      throw new StreamingConfigError({ scope, property: 'auth.audience', value: audience, problem: 'is empty or has spaces', fix: 'pass the aud your authorization server puts in tokens for this server (usually its URL)' });
    }
  }
}
