/**
 * Stages of a REST API and the method settings API Gateway applies to one method. Dependency-free.
 */
import { logicalIdOf } from './intrinsics';
import { MethodSettingModel, StageModel, TemplateResource } from './types';

/** The stage of an `AWS::ApiGateway::Stage` or of a Deployment's `StageDescription`; undefined otherwise. */
export function stageOf(logicalId: string, resource: TemplateResource): StageModel | undefined {
  const props = resource.Properties ?? {};
  if (resource.Type === 'AWS::ApiGateway::Stage') {
    return {
      logicalId,
      kind: 'Stage',
      apiLogicalId: logicalIdOf(props.RestApiId),
      restApiId: props.RestApiId,
      stageName: props.StageName,
      cacheClusterEnabled: props.CacheClusterEnabled,
      methodSettings: settingsOf(props.MethodSettings),
    };
  }
  if (resource.Type === 'AWS::ApiGateway::Deployment' && props.StageDescription && typeof props.StageDescription === 'object') {
    const description = props.StageDescription;
    const methodSettings = settingsOf(description.MethodSettings);
    if (description.CachingEnabled !== undefined) {
      methodSettings.push({
        resourcePath: '/*',
        httpMethod: '*',
        cachingEnabled: description.CachingEnabled,
        raw: { CachingEnabled: description.CachingEnabled },
        index: -1,
      });
    }
    return {
      logicalId,
      kind: 'Deployment',
      apiLogicalId: logicalIdOf(props.RestApiId),
      restApiId: props.RestApiId,
      stageName: props.StageName,
      cacheClusterEnabled: description.CacheClusterEnabled,
      methodSettings,
    };
  }
  return undefined;
}

function settingsOf(value: unknown): MethodSettingModel[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((raw, index) => (raw && typeof raw === 'object' ? [{
    resourcePath: raw.ResourcePath,
    httpMethod: raw.HttpMethod,
    cachingEnabled: raw.CachingEnabled,
    raw,
    index,
  }] : []));
}

/** A resource path as `MethodSettings` write it: `/chat/{id}` becomes `/~1chat~1{id}`; `/` stays `/`. */
export function encodeSettingsPath(path: string): string {
  return path === '/' ? '/' : `/${path.replace(/\//g, '~1')}`;
}

/**
 * The method setting that decides `key` (a `MethodSettingModel` field, e.g. `cachingEnabled`)
 * for one method, as API Gateway applies them: the most specific setting that says anything
 * about `key` wins (this path and verb, this path and `*`, `/*` and this verb, `/*` and `*`).
 */
export function effectiveSetting(stage: StageModel, path: string, httpMethod: string, key: 'cachingEnabled'): MethodSettingModel | undefined {
  const encoded = encodeSettingsPath(path);
  const candidates: Array<[string, string]> = [[encoded, httpMethod], [encoded, '*'], ['/*', httpMethod], ['/*', '*']];
  for (const [resourcePath, verb] of candidates) {
    const found = stage.methodSettings.find((s) => s.resourcePath === resourcePath && s.httpMethod === verb && s[key] !== undefined);
    if (found) return found;
  }
  return undefined;
}
