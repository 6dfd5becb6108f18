import { answerFor, authorizerResult, AuthorizerResult, evaluatePolicy, methodArn } from '../../../local-gateway/auth/policy';

// Authorizers written the way AWS's documentation and blueprints write them, run through the
// validate-then-evaluate path the gateway takes (a cached answer re-evaluated per route).

interface TokenEvent { type: 'TOKEN'; authorizationToken: string; methodArn: string }

// The Node.js example of the API Gateway developer guide ("generatePolicy").
function generatePolicy(principalId: string, effect?: string, resource?: string) {
  const authResponse: Record<string, unknown> = { principalId };
  if (effect && resource) {
    authResponse.policyDocument = {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }],
    };
  }
  authResponse.context = { stringKey: 'stringval', numberKey: 123, booleanKey: true };
  return authResponse;
}

async function docsAuthorizer(event: TokenEvent) {
  switch (event.authorizationToken) {
    case 'allow': return generatePolicy('user', 'Allow', event.methodArn);
    case 'deny': return generatePolicy('user', 'Deny', event.methodArn);
    case 'unauthorized': throw new Error('Unauthorized');
    default: return generatePolicy('user'); // no policy: a configuration error
  }
}

const arnOf = (method: string, path: string) => methodArn({ region: 'eu-west-1', accountId: '111122223333', apiId: 'r4nd0m', stage: 'prod', method, path });

function parse(value: unknown): AuthorizerResult {
  const result = authorizerResult(value);
  if ('malformed' in result) throw new Error(result.malformed);
  return result;
}

describe('the developer guide\'s Node.js authorizer', () => {
  test('"allow" allows the method it was asked about, with its context', async () => {
    const arn = arnOf('GET', '/chat');
    const result = parse(await docsAuthorizer({ type: 'TOKEN', authorizationToken: 'allow', methodArn: arn }));
    expect(evaluatePolicy(result.policy, arn)).toBe('allow');
    expect(result.context).toEqual({ stringKey: 'stringval', numberKey: 123, booleanKey: true });
  });

  test('"deny" is an explicit deny (403 with the explicit-deny message)', async () => {
    const arn = arnOf('GET', '/chat');
    const result = parse(await docsAuthorizer({ type: 'TOKEN', authorizationToken: 'deny', methodArn: arn }));
    const decision = evaluatePolicy(result.policy, arn);
    expect(decision).toBe('explicit-deny');
    expect(answerFor(decision)?.message).toMatch(/with an explicit deny$/);
  });

  test('any other token yields no policyDocument: malformed (500)', async () => {
    const arn = arnOf('GET', '/chat');
    expect(authorizerResult(await docsAuthorizer({ type: 'TOKEN', authorizationToken: 'what', methodArn: arn })))
      .toEqual({ malformed: 'policyDocument must be an object' });
  });

  test('a policy cached for one method denies the next route (the real-world surprise)', async () => {
    // GIVEN the answer for GET /chat, cached by token
    const first = arnOf('GET', '/chat');
    const cached = parse(await docsAuthorizer({ type: 'TOKEN', authorizationToken: 'allow', methodArn: first }));
    // WHEN the same token calls another route within the cache TTL
    const decision = evaluatePolicy(cached.policy, arnOf('POST', '/chat/stream'));
    // THEN
    expect(evaluatePolicy(cached.policy, first)).toBe('allow');
    expect(decision).toBe('implicit-deny');
    expect(answerFor(decision)?.message).toBe('User is not authorized to access this resource');
  });
});

describe('the common wildcard policies', () => {
  test('arn:aws:execute-api:*:*:*/*/* allows every method of every API and stage', () => {
    const policy = parse(generatePolicy('user', 'Allow', 'arn:aws:execute-api:*:*:*/*/*')).policy;
    for (const arn of [arnOf('GET', '/'), arnOf('POST', '/chat/stream'), arnOf('DELETE', '/a/b/c')]) {
      expect(evaluatePolicy(policy, arn)).toBe('allow');
    }
  });

  test('a stage-wide policy built from methodArn (apiId/stage/*) allows the stage only', () => {
    const [base] = arnOf('GET', '/chat').split('/');
    const policy = parse(generatePolicy('user', 'Allow', `${base}/prod/*`)).policy;
    expect(evaluatePolicy(policy, arnOf('PUT', '/x/y'))).toBe('allow');
    expect(evaluatePolicy(policy, arnOf('PUT', '/x/y').replace('/prod/', '/dev/'))).toBe('implicit-deny');
  });

  test('the blueprint AuthPolicy style: allow GET on everything, deny DELETE', () => {
    const policy = parse({
      principalId: 'admin',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: ['arn:aws:execute-api:eu-west-1:111122223333:r4nd0m/prod/GET/*'] },
          { Action: 'execute-api:Invoke', Effect: 'Deny', Resource: ['arn:aws:execute-api:eu-west-1:111122223333:r4nd0m/prod/DELETE/*'] },
        ],
      },
    }).policy;
    expect(evaluatePolicy(policy, arnOf('GET', '/pets'))).toBe('allow');
    expect(evaluatePolicy(policy, arnOf('DELETE', '/pets/1'))).toBe('explicit-deny');
    expect(evaluatePolicy(policy, arnOf('POST', '/pets'))).toBe('implicit-deny');
  });
});
