/**
 * Lambda proxy integration URIs: which invocation they use, and which function they name.
 * Dependency-free.
 */
import { logicalIdOf, refOf, referencedIds, textOf } from './intrinsics';
import { TemplateResource } from './types';

/** The path segment of the response-streaming invocation (STREAM). */
export const STREAMING_INVOCATION_PATH = '2021-11-15/functions/';
/** The end of a response-streaming invocation URI. */
export const STREAMING_INVOCATION_SUFFIX = '/response-streaming-invocations';
/** The path segment of the classic (buffered) invocation. */
export const CLASSIC_INVOCATION_PATH = '2015-03-31/functions/';

/**
 * `streaming` for `.../2021-11-15/functions/<arn>/response-streaming-invocations`, `classic` for
 * `.../2015-03-31/functions/<arn>/invocations`, undefined for anything else. Works on literal
 * strings and on `Fn::Join`/`Fn::Sub` intrinsics (their literal parts are searched).
 */
export function lambdaUriKind(uri: unknown): 'streaming' | 'classic' | undefined {
  const text = textOf(uri);
  if (text.includes(STREAMING_INVOCATION_SUFFIX)) return 'streaming';
  if (text.includes(CLASSIC_INVOCATION_PATH) || /\/invocations(\W|$)/.test(text)) return 'classic';
  return undefined;
}

/** True for a response-streaming Lambda invocation URI. */
export function isStreamingLambdaUri(uri: unknown): boolean {
  return lambdaUriKind(uri) === 'streaming';
}

/** True for the classic Lambda invocation URI, which API Gateway rejects with STREAM. */
export function isClassicLambdaUri(uri: unknown): boolean {
  return lambdaUriKind(uri) === 'classic';
}

/** The function a Lambda proxy URI points to. */
export interface UriFunction {
  /** Logical id of the `AWS::Lambda::Function` in the template, when the URI names one. */
  readonly functionId?: string;
  /** Logical id of the `AWS::Lambda::Version` or `AWS::Lambda::Alias` the URI names, if any. */
  readonly qualifierId?: string;
  /** True when the URI is a literal ARN with a version or alias qualifier (`:function:name:qualifier`). */
  readonly literalQualified: boolean;
}

/** Follows the URI's `Ref`/`Fn::GetAtt`s to a function of `resources` (through a Version or Alias). */
export function functionOfUri(uri: unknown, resources: { readonly [id: string]: TemplateResource }): UriFunction {
  const literalQualified = typeof uri === 'string' && /:function:[^/:]+:[^/]+\/response-streaming-invocations/.test(uri);
  let functionId: string | undefined;
  let qualifierId: string | undefined;
  for (const id of referencedIds(uri)) {
    const resource = resources[id];
    if (resource?.Type === 'AWS::Lambda::Function') {
      functionId ??= id;
    } else if (resource?.Type === 'AWS::Lambda::Version' || resource?.Type === 'AWS::Lambda::Alias') {
      qualifierId ??= id;
      const target = logicalIdOf(resource.Properties?.FunctionName);
      if (target && resources[target]?.Type === 'AWS::Lambda::Function') functionId ??= target;
      const version = refOf(resource.Properties?.FunctionVersion);
      const versionFn = version ? logicalIdOf(resources[version]?.Properties?.FunctionName) : undefined;
      if (versionFn && resources[versionFn]?.Type === 'AWS::Lambda::Function') functionId ??= versionFn;
    }
  }
  return { functionId, qualifierId, literalQualified };
}
