/** Resource paths of streamed routes: their checks, and the parameters shared with a backend URL. */
import { Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { StreamingConfigError } from './errors';

const LITERAL_SEGMENT = /^[A-Za-z0-9._\-:@~!$&'()*,;=]+$/;
const PARAMETER_SEGMENT = /^\{[A-Za-z0-9._-]+\+?\}$/;

/** Throws unless `path` is `/` or `/segment[/segment...]` with valid segments. */
export function checkResourcePath(scope: Construct, path: string): void {
  if (Token.isUnresolved(path)) {
    throw new StreamingConfigError({
      scope,
      property: 'path',
      value: path,
      problem: 'is a token, but the resource tree is built at synth time',
      fix: 'pass a literal path such as \'/chat\'',
    });
  }
  if (path === '/') {
    return;
  }
  const segments = path.split('/');
  const bad = (problem: string, fix: string) => new StreamingConfigError({ scope, property: 'path', value: path, problem, fix });
  if (!path.startsWith('/')) {
    throw bad('does not start with \'/\'', `write '/${path}'`);
  }
  if (path.endsWith('/')) {
    throw bad('ends with \'/\'', `write '${path.replace(/\/+$/, '')}'`);
  }
  segments.slice(1).forEach((segment, index, all) => {
    if (segment === '') {
      throw bad('has an empty segment (\'//\')', 'remove the doubled slash');
    }
    if (!LITERAL_SEGMENT.test(segment) && !PARAMETER_SEGMENT.test(segment)) {
      throw bad(`has an invalid segment '${segment}'`, 'use letters, digits and ._-:, or a parameter like {id} or {proxy+}');
    }
    if (segment.endsWith('+}') && index !== all.length - 1) {
      throw bad(`has the greedy parameter '${segment}' before the last segment`, 'put the {name+} parameter last');
    }
  });
}

/** Names of the `{name}`/`{name+}` path parameters of `path` that the URL also uses as `{name}`. */
export function sharedPathParameters(path: string, url: string): string[] {
  const inPath = [...path.matchAll(/\{([A-Za-z0-9._-]+)\+?\}/g)].map((m) => m[1]);
  return inPath.filter((name) => url.includes(`{${name}}`));
}

export function nonEmpty<T>(map: { [key: string]: T }): { [key: string]: T } | undefined {
  return Object.keys(map).length > 0 ? map : undefined;
}
