/**
 * What guards an API as a whole that the local gateway does not emulate, named at start and in
 * `routes` so that nothing passes silently: a resource policy (`Policy`), an AWS WAF web ACL
 * associated with one of its stages, mutual TLS on a custom domain that maps to it. They decide
 * by where a request comes from (VPC endpoint, source IP, client certificate, WAF rules), which has
 * no local counterpart: locally the API is served as if they were absent.
 */
import { logicalIdOf, referencedIds, TemplateResource } from '../../src/private/template';

/** The API-wide guards of the REST API `apiId` that are not emulated, in words. */
export function notEmulatedGuards(apiId: string, resources: Record<string, TemplateResource>): string[] {
  const guards: string[] = [];
  if (resources[apiId]?.Properties?.Policy !== undefined) guards.push('a resource policy');
  const stages = new Set(Object.entries(resources)
    .filter(([, r]) => (r.Type === 'AWS::ApiGateway::Stage' || r.Type === 'AWS::ApiGateway::Deployment') && logicalIdOf(r.Properties?.RestApiId) === apiId)
    .map(([id]) => id));
  const mentionsApi = (value: unknown) => referencedIds(value).some((id) => id === apiId || stages.has(id));
  if (Object.values(resources).some((r) => r.Type === 'AWS::WAFv2::WebACLAssociation' && mentionsApi(r.Properties?.ResourceArn))) guards.push('an AWS WAF web ACL');
  const mtlsDomains = new Set(Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::ApiGateway::DomainName' && r.Properties?.MutualTlsAuthentication !== undefined).map(([id]) => id));
  const mapped = Object.values(resources).some((r) => r.Type === 'AWS::ApiGateway::BasePathMapping'
    && logicalIdOf(r.Properties?.RestApiId) === apiId && referencedIds(r.Properties?.DomainName).some((id) => mtlsDomains.has(id)));
  if (mapped) guards.push('mutual TLS on its custom domain');
  return guards;
}
