/**
 * Routing: finds the route for a method and path the way API Gateway does. Literal segments win
 * over `{name}`, which wins over `{name+}`; a method wins over `ANY`.
 */
import type { Route } from './assembly';

export interface RouteMatch {
  readonly route: Route;
  readonly pathParameters: Record<string, string> | null;
}

export function matchRoute(routes: readonly Route[], method: string, pathname: string): RouteMatch | undefined {
  let segments: string[];
  try {
    segments = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return undefined;
  }
  let best: { route: Route; params: Record<string, string>; score: number } | undefined;
  for (const route of routes) {
    if (route.httpMethod !== method && route.httpMethod !== 'ANY') continue;
    const matched = matchPath(route.path.split('/').filter(Boolean), segments);
    if (!matched) continue;
    const score = matched.score + (route.httpMethod === method ? 0.5 : 0);
    if (!best || score > best.score) best = { route, params: matched.params, score };
  }
  return best && { route: best.route, pathParameters: Object.keys(best.params).length ? best.params : null };
}

function matchPath(pattern: string[], segments: string[]): { params: Record<string, string>; score: number } | undefined {
  const params: Record<string, string> = {};
  let score = 0;
  for (let i = 0; i < pattern.length; i++) {
    const greedy = /^\{(.+)\+\}$/.exec(pattern[i]);
    if (greedy) {
      if (i >= segments.length) return undefined;
      params[greedy[1]] = segments.slice(i).join('/');
      return { params, score: score + 1 };
    }
    if (i >= segments.length) return undefined;
    const param = /^\{(.+)\}$/.exec(pattern[i]);
    if (param) {
      params[param[1]] = segments[i];
      score += 10;
    } else if (pattern[i] === segments[i]) {
      score += 100;
    } else {
      return undefined;
    }
  }
  return pattern.length === segments.length ? { params, score } : undefined;
}
