/**
 * Reads the REST API methods of a synthesized cloud assembly (for the demo's table).
 */
import * as fs from 'fs';
import * as path from 'path';

export interface Route {
  readonly stack: string;
  readonly path: string;
  readonly httpMethod: string;
  readonly integrationType: string;
  readonly transferMode: string;
  readonly timeout: string;
  readonly uriKind: string;
}

interface CfnResource {
  readonly Type: string;
  readonly Properties?: any;
}

export function listRoutes(assemblyDir: string): Route[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(assemblyDir, 'manifest.json'), 'utf8'));
  const routes: Route[] = [];
  for (const [stack, artifact] of Object.entries<any>(manifest.artifacts ?? {})) {
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    const template = JSON.parse(fs.readFileSync(path.join(assemblyDir, artifact.properties.templateFile), 'utf8'));
    routes.push(...routesOf(stack, template.Resources ?? {}));
  }
  return routes.sort((a, b) => a.path.localeCompare(b.path) || a.httpMethod.localeCompare(b.httpMethod));
}

function routesOf(stack: string, resources: { [id: string]: CfnResource }): Route[] {
  const pathOf = (ref: any): string => {
    if (ref?.Ref && resources[ref.Ref]?.Type === 'AWS::ApiGateway::Resource') {
      const props = resources[ref.Ref].Properties;
      const parent = pathOf(props.ParentId);
      return `${parent === '/' ? '' : parent}/${props.PathPart}`;
    }
    return '/';
  };
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::ApiGateway::Method')
    .map((r) => {
      const integration = r.Properties.Integration ?? {};
      return {
        stack,
        path: pathOf(r.Properties.ResourceId),
        httpMethod: String(r.Properties.HttpMethod),
        integrationType: String(integration.Type ?? '-'),
        transferMode: String(integration.ResponseTransferMode ?? 'BUFFERED'),
        timeout: integration.TimeoutInMillis === undefined ? 'default' : `${integration.TimeoutInMillis / 1000} s`,
        uriKind: uriKind(integration.Uri),
      };
    });
}

function uriKind(uri: unknown): string {
  const text = JSON.stringify(uri ?? '');
  if (text.includes('/response-streaming-invocations')) return 'Lambda streaming (2021-11-15)';
  if (text.includes('2015-03-31')) return 'Lambda classic (2015-03-31)';
  if (/^"https?:/.test(text)) return 'HTTP URL';
  return uri === undefined ? '-' : 'other';
}
