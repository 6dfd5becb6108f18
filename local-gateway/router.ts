/**
 * Routing: finds the route for a method and path the way API Gateway does. Literal segments win
 * over `{name}`, which wins over `{name+}`; a method wins over `ANY`.
 *
 * A route is served where the deployed API serves it, under its stage (`/prod/chat`, the URL the
 * stack outputs), and at the root (`/chat`). With several APIs each also has a prefix of its own
 * (`/<api name>/prod/chat`, `/<api name>/chat`); at the root the first API that has the path wins.
 */
import type { Route } from './assembly';

export interface RouteMatch {
  readonly route: Route;
  readonly pathParameters: Record<string, string> | null;
  /** The request path within the API (no prefix, no stage): the event's `path`. */
  readonly path: string;
  /** The stage the path named, or the route's first stage when it was served at the root. */
  readonly stage: string;
}

export function matchRoute(routes: readonly Route[], method: string, pathname: string): RouteMatch | undefined {
  for (const [candidates, apiPath, stage] of candidatesOf(routes, pathname)) {
    const found = bestMatch(candidates, method, apiPath);
    if (found) return { ...found, stage: stage ?? found.route.stageName };
  }
  return undefined;
}

const stagesOf = (route: Route): readonly string[] => route.stageNames ?? [route.stageName];

/** Where a set of routes can be served: each stage with its routes. */
type Stages = Array<[stage: string, routes: readonly Route[]]>;

interface RouteIndex {
  /** Each API prefix with its routes and their stages. */
  readonly prefixes: Array<[prefix: string, routes: readonly Route[], stages: Stages]>;
  readonly stages: Stages;
}

/** The prefixes and stages of a route table, worked out once per table (not per request). */
const indexes = new WeakMap<readonly Route[], RouteIndex>();

function indexOf(routes: readonly Route[]): RouteIndex {
  let index = indexes.get(routes);
  if (index) return index;
  const stagesIn = (subset: readonly Route[]): Stages =>
    [...new Set(subset.flatMap(stagesOf))].map((stage) => [stage, subset.filter((r) => stagesOf(r).includes(stage))]);
  const prefixes = [...new Set(routes.map((r) => r.prefix).filter((p): p is string => !!p))].map((prefix): [string, readonly Route[], Stages] => {
    const api = routes.filter((r) => r.prefix === prefix);
    return [prefix, api, stagesIn(api)];
  });
  index = { prefixes, stages: stagesIn(routes) };
  indexes.set(routes, index);
  return index;
}

/** Where to look, in order: under an API's prefix (with, then without the stage), under a stage, at the root. */
function candidatesOf(routes: readonly Route[], pathname: string): Array<[readonly Route[], string, string?]> {
  const out: Array<[readonly Route[], string, string?]> = [];
  const under = (prefix: string, path: string) => (path === prefix ? '/' : path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : undefined);
  const byStage = (stages: Stages, path: string) => {
    for (const [stage, subset] of stages) {
      const rest = under(`/${stage}`, path);
      if (rest !== undefined) out.push([subset, rest, stage]);
    }
  };
  const index = indexOf(routes);
  for (const [prefix, api, stages] of index.prefixes) {
    const rest = under(prefix, pathname);
    if (rest === undefined) continue;
    byStage(stages, rest);
    out.push([api, rest]);
  }
  byStage(index.stages, pathname);
  out.push([routes, pathname]);
  return out;
}

function bestMatch(routes: readonly Route[], method: string, pathname: string): Omit<RouteMatch, 'stage'> | undefined {
  let segments: string[];
  try {
    segments = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return undefined;
  }
  let best: { route: Route; params: Record<string, string>; score: number } | undefined;
  for (const route of routes) {
    if (route.httpMethod !== method && route.httpMethod !== 'ANY') continue;
    const matched = matchPath(patternOf(route), segments);
    if (!matched) continue;
    const score = matched.score + (route.httpMethod === method ? 0.5 : 0);
    if (!best || score > best.score) best = { route, params: matched.params, score };
  }
  return best && { route: best.route, pathParameters: Object.keys(best.params).length ? best.params : null, path: pathname };
}

/** A route's path segment: a literal, `{name}` or `{name+}` (greedy: the rest of the path). */
type Segment = { readonly literal: string } | { readonly param: string; readonly greedy: boolean };

const patterns = new WeakMap<Route, readonly Segment[]>();

/** A route's path segments (parsed once per route). */
function patternOf(route: Route): readonly Segment[] {
  let pattern = patterns.get(route);
  if (!pattern) {
    pattern = route.path.split('/').filter(Boolean).map((segment): Segment => {
      const param = /^\{(.+?)(\+?)\}$/.exec(segment);
      return param ? { param: param[1], greedy: param[2] === '+' } : { literal: segment };
    });
    patterns.set(route, pattern);
  }
  return pattern;
}

function matchPath(pattern: readonly Segment[], segments: string[]): { params: Record<string, string>; score: number } | undefined {
  const params: Record<string, string> = {};
  let score = 0;
  for (let i = 0; i < pattern.length; i++) {
    if (i >= segments.length) return undefined;
    const segment = pattern[i];
    if ('literal' in segment) {
      if (segment.literal !== segments[i]) return undefined;
      score += 100;
    } else if (segment.greedy) {
      params[segment.param] = segments.slice(i).join('/');
      return { params, score: score + 1 };
    } else {
      params[segment.param] = segments[i];
      score += 10;
    }
  }
  return pattern.length === segments.length ? { params, score } : undefined;
}
