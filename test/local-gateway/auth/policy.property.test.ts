import * as fc from 'fast-check';
import { evaluatePolicy, methodArn, PolicyDocument, PolicyStatement, wildcardMatch } from '../../../local-gateway/auth/policy';

// The evaluator against IAM's documented rules, on random policies and method ARNs.

const segment = fc.stringMatching(/^[a-z0-9]{1,6}$/);
const arn = fc.record({
  region: fc.constantFrom('us-east-1', 'eu-west-1'),
  accountId: fc.constantFrom('111122223333', '123456789012'),
  apiId: segment,
  stage: fc.constantFrom('prod', 'dev'),
  method: fc.constantFrom('GET', 'POST', 'DELETE', 'PUT'),
  path: fc.array(segment, { maxLength: 4 }).map((parts) => `/${parts.join('/')}`),
}).map(methodArn);

/** A pattern derived from an ARN: some characters replaced by `?`, some runs by `*`. */
const patternFrom = (text: string) => fc.array(fc.constantFrom('keep', 'keep', 'keep', '?', '*'), { minLength: text.length, maxLength: text.length })
  .map((edits) => edits.map((e, i) => (e === 'keep' ? text[i] : e)).join('').replace(/\*+/g, '*'));

const anyPattern = fc.oneof(arn, fc.constant('*'), arn.chain(patternFrom));
const statementArb: fc.Arbitrary<PolicyStatement> = fc.record({
  effect: fc.constantFrom<'Allow' | 'Deny'>('Allow', 'Deny'),
  action: fc.record({ not: fc.constant(false), patterns: fc.array(fc.constantFrom('execute-api:Invoke', 'execute-api:*', '*', 's3:GetObject'), { minLength: 1, maxLength: 2 }) }),
  resource: fc.record({ not: fc.boolean(), patterns: fc.array(anyPattern, { minLength: 1, maxLength: 3 }) }),
  conditional: fc.boolean(),
});
const policyArb = fc.array(statementArb, { maxLength: 5 }).map((statements): PolicyDocument => ({ version: '2012-10-17', statements }));

const denyAll = (target: string): PolicyStatement => ({ effect: 'Deny', action: { not: false, patterns: ['execute-api:Invoke'] }, resource: { not: false, patterns: [target] }, conditional: false });

test('a pattern derived from an ARN by ? and * always matches that ARN', () => {
  fc.assert(fc.property(arn.chain((a) => fc.tuple(fc.constant(a), patternFrom(a))), ([a, pattern]) => {
    expect(wildcardMatch(pattern, a)).toBe(true);
  }));
});

test('the matcher agrees with an anchored regular expression on random patterns', () => {
  const toRegExp = (p: string) => new RegExp(`^${p.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/]/g, '\\$&'))).join('')}$`, 's');
  fc.assert(fc.property(fc.stringMatching(/^[ab*?/]{0,8}$/), fc.stringMatching(/^[ab/]{0,10}$/), (pattern, text) => {
    expect(wildcardMatch(pattern, text)).toBe(toRegExp(pattern).test(text));
  }));
});

test('adding a Deny that matches the ARN never yields allow', () => {
  fc.assert(fc.property(policyArb, arn, (policy, a) => {
    const denied = { ...policy, statements: [...policy.statements, denyAll(a)] };
    expect(evaluatePolicy(denied, a)).toBe('explicit-deny');
  }));
});

test('a policy whose statements match nothing is an implicit deny', () => {
  fc.assert(fc.property(policyArb, arn, (policy, a) => {
    const elsewhere = a.replace(':execute-api:', ':execute-api-elsewhere:');
    const unrelated = { ...policy, statements: policy.statements.map((s) => ({ ...s, resource: { not: false, patterns: [elsewhere] } })) };
    expect(evaluatePolicy(unrelated, a)).toBe('implicit-deny');
  }));
});

test('an unconditional Allow on * allows every ARN unless a matching Deny is present', () => {
  fc.assert(fc.property(policyArb, arn, (policy, a) => {
    const allowAll: PolicyStatement = { effect: 'Allow', action: { not: false, patterns: ['execute-api:Invoke'] }, resource: { not: false, patterns: ['*'] }, conditional: false };
    const decision = evaluatePolicy({ ...policy, statements: [allowAll, ...policy.statements] }, a);
    const denyHits = evaluatePolicy({ ...policy, statements: policy.statements.filter((s) => s.effect === 'Deny') }, a) === 'explicit-deny';
    expect(decision).toBe(denyHits ? 'explicit-deny' : 'allow');
  }));
});

test('the decision does not depend on the order of the statements', () => {
  fc.assert(fc.property(policyArb, arn, (policy, a) => {
    const reversed = { ...policy, statements: [...policy.statements].reverse() };
    expect(evaluatePolicy(reversed, a)).toBe(evaluatePolicy(policy, a));
  }));
});

test('allow implies some unconditional Allow statement whose action covers execute-api:Invoke', () => {
  fc.assert(fc.property(policyArb, arn, (policy, a) => {
    fc.pre(evaluatePolicy(policy, a) === 'allow');
    expect(policy.statements.some((s) => s.effect === 'Allow' && !s.conditional && !s.action.patterns.every((p) => p === 's3:GetObject'))).toBe(true);
  }));
});
