import { AuthorizerCache, cacheKey, identitySources, identityValues, tokenPassesValidation } from '../../../local-gateway/auth/identity';
import { authorizerResult, evaluatePolicy, methodArn } from '../../../local-gateway/auth/policy';

// When the authorizer is called, with what, and how long its answer is reused.

const request = {
  headers: { 'authorization': 'Bearer abc', 'X-Tenant': 'acme', 'x-empty': '' },
  queryStringParameters: { token: 't-1' },
  stageVariables: { flavour: 'blue' },
  context: { stage: 'prod' },
};

describe('identity sources', () => {
  test('the CloudFormation list is comma-separated, spaces allowed', () => {
    expect(identitySources('method.request.header.Authorization, method.request.querystring.token')).toEqual(['method.request.header.Authorization', 'method.request.querystring.token']);
    expect(identitySources(undefined)).toEqual([]);
    expect(identitySources('')).toEqual([]);
  });

  test('header names match in any case; each kind of source is read from its place', () => {
    const sources = 'method.request.header.Authorization,method.request.header.x-tenant,method.request.querystring.token,stageVariables.flavour,context.stage';
    expect(identityValues(sources, request)).toEqual({ values: ['Bearer abc', 'acme', 't-1', 'blue', 'prod'] });
  });

  test.each([
    ['a missing header', 'method.request.header.X-Api-Token'],
    ['an empty header', 'method.request.header.X-Empty'],
    ['a missing query parameter', 'method.request.querystring.other'],
    ['a missing stage variable', 'stageVariables.missing'],
    ['query names are case-sensitive', 'method.request.querystring.TOKEN'],
  ])('%s means 401 without calling the authorizer', (_name, source) => {
    expect(identityValues(`method.request.header.Authorization,${source}`, request)).toEqual({ missing: source });
  });

  test('no sources (a REQUEST authorizer without caching): no values, no 401', () => {
    expect(identityValues(undefined, request)).toEqual({ values: [] });
  });
});

describe('identityValidationExpression', () => {
  test('a matching token passes; a partial match does not', () => {
    expect(tokenPassesValidation('Bearer abc.def.ghi', '^Bearer [-0-9a-zA-Z._]*$')).toBe(true);
    expect(tokenPassesValidation('Bearer abc', 'Bearer [a-z]+')).toBe(true);
    expect(tokenPassesValidation('xBearer abc', 'Bearer [a-z]+')).toBe(false);
    expect(tokenPassesValidation('Basic abc', '^Bearer .*$')).toBe(false);
  });
  test('no expression: every token passes', () => {
    expect(tokenPassesValidation('anything', undefined)).toBe(true);
  });
});

describe('the result cache', () => {
  function cacheAt(start = 1_000_000) {
    const clock = { now: start };
    return { clock, cache: new AuthorizerCache<string>(() => clock.now) };
  }

  test('an entry lives resultsCacheTtl seconds', () => {
    const { clock, cache } = cacheAt();
    cache.set('k', 'answer', 300);
    clock.now += 299_999;
    expect(cache.get('k')).toBe('answer');
    clock.now += 1;
    expect(cache.get('k')).toBeUndefined();
  });

  test('a TTL of 0 disables caching', () => {
    const { cache } = cacheAt();
    cache.set('k', 'answer', 0);
    expect(cache.get('k')).toBeUndefined();
  });

  test('keys are the identity values, per authorizer; clear() forgets all', () => {
    const { cache } = cacheAt();
    cache.set(cacheKey('auth1', ['token-a']), 'a', 60);
    expect(cache.get(cacheKey('auth1', ['token-a']))).toBe('a');
    expect(cache.get(cacheKey('auth1', ['token-b']))).toBeUndefined();
    expect(cache.get(cacheKey('auth2', ['token-a']))).toBeUndefined();
    // values are kept apart: ['a,b'] is not ['a', 'b']
    expect(cacheKey('x', ['a,b'])).not.toBe(cacheKey('x', ['a', 'b']));
    cache.clear();
    expect(cache.get(cacheKey('auth1', ['token-a']))).toBeUndefined();
  });

  test('a cached answer is re-evaluated per method ARN', () => {
    const cache = new AuthorizerCache<ReturnType<typeof authorizerResult>>();
    const arn = (method: string) => methodArn({ region: 'us-east-1', accountId: '1', apiId: 'a', stage: 'prod', method, path: '/chat' });
    const key = cacheKey('auth1', ['Bearer abc']);
    cache.set(key, authorizerResult({ principalId: 'u', policyDocument: { Version: '2012-10-17', Statement: { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: arn('GET') } } }), 300);
    const cached = cache.get(key)!;
    if ('malformed' in cached) throw new Error(cached.malformed);
    expect([evaluatePolicy(cached.policy, arn('GET')), evaluatePolicy(cached.policy, arn('POST'))]).toEqual(['allow', 'implicit-deny']);
  });
});
