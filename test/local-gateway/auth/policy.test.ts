import {
  AUTH_ANSWERS, answerFor, authorizerResult, AuthorizerResult, evaluatePolicy, methodArn, PolicyDocument, wildcardMatch,
} from '../../../local-gateway/auth/policy';

// Each shape rule and each evaluation rule with a compliant and a non-compliant case, then
// authorizers written the way AWS's blueprints write them.

const ARN = methodArn({ region: 'us-east-1', accountId: '123456789012', apiId: 'abc123', stage: 'prod', method: 'GET', path: '/pets/42' });
const statement = (overrides: Record<string, unknown> = {}) => ({ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: ARN, ...overrides });
const answer = (overrides: Record<string, unknown> = {}, s: unknown = [statement()]) => ({
  principalId: 'user-1', policyDocument: { Version: '2012-10-17', Statement: s }, ...overrides,
});

function valid(value: unknown): AuthorizerResult {
  const result = authorizerResult(value);
  if ('malformed' in result) throw new Error(`expected a valid answer, got: ${result.malformed}`);
  return result;
}
const policyOf = (...statements: object[]): PolicyDocument => valid(answer({}, statements)).policy;

describe('methodArn', () => {
  test('is arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}', () => {
    expect(ARN).toBe('arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets/42');
  });
  test('the root path ends with the method and a slash; other partitions are kept', () => {
    expect(methodArn({ region: 'cn-north-1', accountId: '1', apiId: 'a', stage: 's', method: 'post', path: '/', partition: 'aws-cn' }))
      .toBe('arn:aws-cn:execute-api:cn-north-1:1:a/s/POST/');
  });
});

describe('authorizerResult: the shape of the answer', () => {
  test.each<[string, unknown, RegExp]>([
    ['not an object', 'Allow', /JSON object/],
    ['null (a handler that returned nothing)', null, /JSON object/],
    ['no principalId', { policyDocument: answer().policyDocument }, /principalId/],
    ['a numeric principalId', answer({ principalId: 42 }), /principalId/],
    ['no policyDocument', { principalId: 'u' }, /policyDocument must be an object/],
    ['no Version', { principalId: 'u', policyDocument: { Statement: [statement()] } }, /Version/],
    ['no Statement', { principalId: 'u', policyDocument: { Version: '2012-10-17' } }, /Statement must be/],
    ['lowercase statement key', { principalId: 'u', policyDocument: { Version: '2012-10-17', statement: [statement()] } }, /Statement must be/],
    ['Effect in lowercase', answer({}, [statement({ Effect: 'allow' })]), /Effect must be "Allow" or "Deny", got "allow"/],
    ['lowercase effect key', answer({}, [{ Action: 'execute-api:Invoke', effect: 'Allow', Resource: ARN }]), /Effect/],
    ['no Action', answer({}, [{ Effect: 'Allow', Resource: ARN }]), /exactly one of Action and NotAction/],
    ['Action and NotAction', answer({}, [statement({ NotAction: 's3:*' })]), /exactly one of Action/],
    ['an empty Resource list', answer({}, [statement({ Resource: [] })]), /Resource must be a string or a non-empty array/],
    ['a number in Resource', answer({}, [statement({ Resource: [ARN, 7] })]), /Resource must be/],
    ['a statement that is a string', answer({}, ['Allow']), /Statement\[0\] must be an object/],
    ['an object in context', answer({ context: { user: { id: 1 } } }), /context.user must be a string, number or boolean/],
    ['an array in context', answer({ context: { roles: ['a'] } }), /context.roles/],
    ['null in context', answer({ context: { who: null } }), /context.who/],
    ['a context that is an array', answer({ context: ['a'] }), /context must be an object/],
    ['a numeric usageIdentifierKey', answer({ usageIdentifierKey: 1234 }), /usageIdentifierKey/],
  ])('malformed: %s', (_name, value, message) => {
    const result = authorizerResult(value);
    expect(result).toEqual({ malformed: expect.stringMatching(message) });
  });

  test('valid: the documented example, with string, number and boolean context values and a usage key', () => {
    const result = valid(answer({ context: { stringKey: 'value', numberKey: 1, booleanKey: true }, usageIdentifierKey: 'key-1' }));
    expect(result).toEqual({
      principalId: 'user-1',
      policy: { version: '2012-10-17', statements: [{ effect: 'Allow', action: { not: false, patterns: ['execute-api:Invoke'] }, resource: { not: false, patterns: [ARN] }, conditional: false }] },
      context: { stringKey: 'value', numberKey: 1, booleanKey: true },
      usageIdentifierKey: 'key-1',
    });
  });

  test('valid: Statement as a single object, Action and Resource as arrays', () => {
    const result = valid(answer({}, { Action: ['execute-api:Invoke'], Effect: 'Deny', Resource: [ARN, '*'] }));
    expect(result.policy.statements).toHaveLength(1);
    expect(result.policy.statements[0]).toMatchObject({ effect: 'Deny', resource: { patterns: [ARN, '*'] } });
    expect(result).not.toHaveProperty('context');
  });

  test('valid: an empty Statement list parses (and denies implicitly)', () => {
    expect(evaluatePolicy(valid(answer({}, [])).policy, ARN)).toBe('implicit-deny');
  });
});

describe('evaluatePolicy: IAM evaluation against the method ARN', () => {
  test('an Allow on the exact ARN allows; on another method it is an implicit deny', () => {
    const policy = policyOf(statement());
    expect(evaluatePolicy(policy, ARN)).toBe('allow');
    expect(evaluatePolicy(policy, ARN.replace('/GET/', '/DELETE/'))).toBe('implicit-deny');
  });

  test('a matching Deny wins over a matching Allow, whatever the order', () => {
    expect(evaluatePolicy(policyOf(statement(), statement({ Effect: 'Deny' })), ARN)).toBe('explicit-deny');
    expect(evaluatePolicy(policyOf(statement({ Effect: 'Deny' }), statement({ Resource: '*' })), ARN)).toBe('explicit-deny');
  });

  test('a Deny that does not match leaves the Allow in force', () => {
    const policy = policyOf(statement({ Resource: '*' }), statement({ Effect: 'Deny', Resource: ARN.replace('/GET/', '/DELETE/') }));
    expect(evaluatePolicy(policy, ARN)).toBe('allow');
  });

  test.each([
    ['execute-api:Invoke', 'allow'],
    ['execute-api:*', 'allow'],
    ['*', 'allow'],
    ['EXECUTE-API:invoke', 'allow'],
    ['execute-api:Inv*', 'allow'],
    ['execute-api:ManageConnections', 'implicit-deny'],
    ['s3:GetObject', 'implicit-deny'],
  ])('Action %s → %s (action names are case-insensitive)', (action, decision) => {
    expect(evaluatePolicy(policyOf(statement({ Action: action })), ARN)).toBe(decision);
  });

  test.each([
    ['*', 'allow'],
    ['arn:aws:execute-api:*:*:*/*/*', 'allow'],
    ['arn:aws:execute-api:us-east-1:123456789012:abc123/prod/*', 'allow'],
    ['arn:aws:execute-api:us-east-1:123456789012:abc123/prod/*/pets/*', 'allow'],
    ['arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets/4?', 'allow'],
    ['arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets/?', 'implicit-deny'],
    ['arn:aws:execute-api:us-east-1:123456789012:abc123/dev/*', 'implicit-deny'],
    ['arn:aws:execute-api:us-east-1:123456789012:abc123/prod/get/pets/42', 'implicit-deny'],
    ['arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets', 'implicit-deny'],
  ])('Resource %s → %s (ARNs are case-sensitive; * spans slashes)', (resource, decision) => {
    expect(evaluatePolicy(policyOf(statement({ Resource: resource })), ARN)).toBe(decision);
  });

  test('NotResource allows everything but the listed resources', () => {
    const policy = policyOf({ Action: 'execute-api:Invoke', Effect: 'Allow', NotResource: 'arn:aws:execute-api:*:*:*/*/DELETE/*' });
    expect(evaluatePolicy(policy, ARN)).toBe('allow');
    expect(evaluatePolicy(policy, ARN.replace('/GET/', '/DELETE/'))).toBe('implicit-deny');
  });

  test('a Condition is not evaluated locally and fails closed: its Allow never allows, its Deny always applies', () => {
    const condition = { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } };
    expect(evaluatePolicy(policyOf(statement({ Condition: condition })), ARN)).toBe('implicit-deny');
    expect(evaluatePolicy(policyOf(statement({ Resource: '*' }), statement({ Effect: 'Deny', Condition: condition })), ARN)).toBe('explicit-deny');
  });
});

describe('answers', () => {
  test('each decision maps to the body API Gateway sends', () => {
    expect(answerFor('allow')).toBeUndefined();
    expect(answerFor('explicit-deny')).toMatchObject({ status: 403, message: 'User is not authorized to access this resource with an explicit deny' });
    expect(answerFor('implicit-deny')).toMatchObject({ status: 403, message: 'User is not authorized to access this resource' });
    expect(AUTH_ANSWERS.unauthorized).toMatchObject({ status: 401, message: 'Unauthorized' });
    expect(JSON.stringify({ message: AUTH_ANSWERS.malformed.message })).toBe('{"message":null}');
    expect(AUTH_ANSWERS.malformed.status).toBe(500);
  });
});

describe('wildcardMatch', () => {
  test('stays fast on a pattern with many stars that cannot match', () => {
    const started = performance.now();
    expect(wildcardMatch('a*'.repeat(40) + 'b', 'a'.repeat(2000))).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });
  test('an empty pattern matches only the empty string; a lone star matches it too', () => {
    expect(wildcardMatch('', '')).toBe(true);
    expect(wildcardMatch('', 'a')).toBe(false);
    expect(wildcardMatch('*', '')).toBe(true);
    expect(wildcardMatch('?', '')).toBe(false);
  });
});
