/**
 * The Lambda authorizers of an assembly (AWS::ApiGateway::Authorizer of type TOKEN or REQUEST),
 * as the gateway runs them: their function, identity sources, validation expression and result
 * TTL (300 s unless set, as API Gateway has it).
 */
import { functionOfUri, refOf, TemplateResource } from '../../src/private/template';
import { functionOf } from '../assembly-assets';
import type { AuthorizerSpec, CognitoSpec, RouteFunction } from '../route';

/** The authorizer `logicalId` names, when it is a Lambda authorizer whose function is a local asset. */
export function lambdaAuthorizerOf(
  logicalId: string, resources: Record<string, TemplateResource>, assemblyDir: string, functionName: (id: string) => string,
): AuthorizerSpec | undefined {
  const props = resources[logicalId]?.Properties ?? {};
  const type = typeof props.Type === 'string' ? props.Type.toUpperCase() : undefined;
  if (type !== 'TOKEN' && type !== 'REQUEST') return undefined;
  const functionId = functionOfUri(props.AuthorizerUri, resources).functionId;
  if (!functionId) return undefined;
  const fn: RouteFunction = functionOf(functionName(functionId), resources[functionId], assemblyDir);
  if ((!fn.assetDir && !fn.inlineCode) || !fn.runtime.startsWith('nodejs')) return undefined;
  const sources = typeof props.IdentitySource === 'string' ? props.IdentitySource : type === 'TOKEN' ? 'method.request.header.Authorization' : '';
  const ttl = props.AuthorizerResultTtlInSeconds;
  return {
    logicalId,
    type,
    function: fn,
    identitySources: sources.split(',').map((s: string) => s.trim()).filter(Boolean),
    validationExpression: typeof props.IdentityValidationExpression === 'string' ? props.IdentityValidationExpression : undefined,
    ttlSeconds: typeof ttl === 'number' ? ttl : typeof ttl === 'string' && /^\d+$/.test(ttl) ? Number(ttl) : 300,
  };
}

/** The Cognito user pool authorizer `logicalId` names, when its pools are resources of the assembly (ids as `idOf` names them). */
export function cognitoAuthorizerOf(
  logicalId: string, resources: Record<string, TemplateResource>, idOf: (id: string) => string,
): CognitoSpec | undefined {
  const props = resources[logicalId]?.Properties ?? {};
  if (String(props.Type).toUpperCase() !== 'COGNITO_USER_POOLS' || !Array.isArray(props.ProviderARNs)) return undefined;
  const poolIds = props.ProviderARNs.map((arn: any) => arn?.['Fn::GetAtt']?.[0]).filter((id: unknown): id is string => typeof id === 'string' && resources[id]?.Type === 'AWS::Cognito::UserPool');
  if (poolIds.length === 0 || poolIds.length !== props.ProviderARNs.length) return undefined;
  const clientsOf = (pool: string) => Object.keys(resources).filter((id) => resources[id].Type === 'AWS::Cognito::UserPoolClient' && refOf(resources[id].Properties?.UserPoolId) === pool);
  const ttl = props.AuthorizerResultTtlInSeconds;
  return {
    logicalId,
    pools: poolIds.map((id: string) => ({ id: idOf(id), clientIds: clientsOf(id).map(idOf) })),
    identitySource: typeof props.IdentitySource === 'string' ? props.IdentitySource : 'method.request.header.Authorization',
    ttlSeconds: typeof ttl === 'number' ? ttl : 300,
  };
}
