import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks, HIPAASecurityChecks, NagPack, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { StreamingExampleStack } from '../../examples/stack';
import { BedrockChatModel, StreamingBedrockChat, StreamingFunction, StreamingRestApi, StreamingWebAppFunction } from '../../src';
import { newStack, NO_BUNDLING, QUIET_BUNDLING } from '../support/stacks';

// cdk-nag (v3, a validation plugin) on the library's constructs with default props and on the
// example app. What the library can meet (access logging, JSON logs, execution logging,
// throttling, request validation, current runtimes, least-privilege IAM) has no finding; what is
// the user's decision (authorization, WAF, AWS managed policies) is acknowledged with the README's
// recipe; the cache rules that streaming makes impossible have their own README recipe.

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'stream-handler.ts');
const README = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');

/** The rules the README's recipe acknowledges as the user's decisions (same ids, same order). */
const USER_DECISIONS = [
  'AwsSolutions-APIG3',
  'AwsSolutions-APIG4',
  'AwsSolutions-COG4',
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
];

/** The README's recipe for the user's decisions (kept in step: a test below reads the README). */
function acknowledgeUserDecisions(stack: Stack): void {
  Validations.of(stack).acknowledge(
    { id: 'AwsSolutions-APIG3', reason: 'WAF is associated outside this stack' },
    { id: 'AwsSolutions-APIG4', reason: 'the routes are public on purpose; add an authorizer per route otherwise' },
    { id: 'AwsSolutions-COG4', reason: 'no Cognito user pool: the routes are public, or use an IAM or Lambda authorizer' },
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason: 'the AWS managed policy API Gateway documents for its CloudWatch logging role',
    },
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'the AWS managed policy that lets a function write its own logs',
    },
  );
}

const CACHE_RULES = ['HIPAA.Security-APIGWCacheEnabledAndEncrypted', 'NIST.800.53.R5-APIGWCacheEnabledAndEncrypted', 'PCI.DSS.321-APIGWCacheEnabledAndEncrypted'];

/** The README's recipe for the cache rules that streaming makes impossible. */
function acknowledgeStreamingCache(api: apigateway.RestApi): void {
  const reason = 'streamed methods cannot be cached (API Gateway response streaming); StreamingValidator rejects caching on them';
  Validations.of(api.deploymentStage).acknowledge(
    { id: 'HIPAA.Security-APIGWCacheEnabledAndEncrypted', reason },
    { id: 'NIST.800.53.R5-APIGWCacheEnabledAndEncrypted', reason },
    { id: 'PCI.DSS.321-APIGWCacheEnabledAndEncrypted', reason },
  );
}

function nagStack(): Stack {
  return newStack({ id: 'Nag' }).stack;
}

/** Rule ids a pack reports on `stack`, with the construct paths, sorted. */
function findings(pack: NagPack, stack: Stack): Record<string, string[]> {
  const report = pack.validateScope(stack);
  return Object.fromEntries(report.violations.map((v) => [v.ruleName, v.violatingResources.map((r) => r.constructPath ?? '').sort()]));
}

interface Scenario {
  readonly stack: Stack;
  /** Rules acknowledged on one construct, as the README says for it. */
  readonly own?: { rule: string; acknowledge: () => void };
}

const scenarios: Array<[string, () => Scenario]> = [
  ['StreamingRestApi with a StreamingFunction route and an HTTP proxy route', () => {
    const stack = nagStack();
    const api = new StreamingRestApi(stack, 'Api');
    api.addStreamingLambda('/chat', new StreamingFunction(stack, 'Fn', { entry: FIXTURE, bundling: QUIET_BUNDLING }));
    api.addStreamingHttpProxy('/proxy/{proxy+}', 'https://backend.example.com/{proxy}');
    api.addStreamingMetrics().addTimeToFirstByteAlarm('SlowFirstByte', { threshold: Duration.seconds(2) });
    return { stack };
  }],
  ['StreamingBedrockChat with the API it creates', () => {
    const stack = nagStack();
    new StreamingBedrockChat(stack, 'Chat', { model: BedrockChatModel.foundationModel('amazon.nova-lite-v1:0') });
    return { stack };
  }],
  ['StreamingWebAppFunction on a StreamingRestApi', () => {
    const stack = nagStack();
    const api = new StreamingRestApi(stack, 'Api');
    const web = new StreamingWebAppFunction(stack, 'Web', { code: lambda.Code.fromInline('app = None') });
    api.addStreamingLambda('/{proxy+}', web);
    // The README: the Python version is your app's; pin it, and acknowledge L1 on the function.
    return { stack, own: { rule: 'AwsSolutions-L1', acknowledge: () => Validations.of(web).acknowledge({ id: 'AwsSolutions-L1', reason: 'the Python version the app is tested on' }) } };
  }],
  ['the example app', () => {
    return { stack: new StreamingExampleStack(new App({ context: NO_BUNDLING }), 'StreamingExample') };
  }],
];

describe.each(scenarios)('AwsSolutions on %s', (_name, build) => {
  test('reports nothing but the user\'s decisions; with the README recipe, nothing at all', () => {
    // GIVEN
    const { stack, own } = build();
    // WHEN
    const before = findings(new AwsSolutionsChecks(), stack);
    // THEN
    expect(Object.keys(before).length).toBeGreaterThan(0);
    for (const rule of Object.keys(before)) expect([...USER_DECISIONS, own?.rule]).toContain(rule);

    acknowledgeUserDecisions(stack);
    own?.acknowledge();
    expect(findings(new AwsSolutionsChecks(), stack)).toEqual({});
  });
});

test('the same route on a plain RestApi fails the rules the library meets (the checks can fail)', () => {
  // GIVEN
  const stack = nagStack();
  const api = new apigateway.RestApi(stack, 'Api');
  api.root.addResource('chat').addMethod('ANY', new apigateway.LambdaIntegration(new StreamingFunction(stack, 'Fn', { entry: FIXTURE, bundling: QUIET_BUNDLING }), {
    responseTransferMode: apigateway.ResponseTransferMode.STREAM,
  }));
  acknowledgeUserDecisions(stack);
  // WHEN
  const rules = Object.keys(findings(new AwsSolutionsChecks(), stack));
  // THEN: access logging, request validation, execution logging
  expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-APIG1', 'AwsSolutions-APIG2', 'AwsSolutions-APIG6']));
});

describe.each([new HIPAASecurityChecks(), new NIST80053R5Checks(), new PCIDSS321Checks()])('$name', (pack) => {
  const cacheRule = CACHE_RULES.find((r) => r.startsWith(pack.readPackName))!;

  test('reports the cache rule that streaming makes impossible; the README recipe acknowledges it and nothing else', () => {
    // GIVEN
    const stack = nagStack();
    const api = new StreamingRestApi(stack, 'Api');
    api.addStreamingLambda('/chat', new StreamingFunction(stack, 'Fn', { entry: FIXTURE, bundling: QUIET_BUNDLING }));
    const before = findings(pack, stack);
    expect(before[cacheRule]).toEqual(['Nag/Api/DeploymentStage.prod/Resource']);
    // WHEN
    acknowledgeStreamingCache(api);
    const after = findings(pack, stack);
    // THEN
    expect(after[cacheRule]).toBeUndefined();
    const { [cacheRule]: _gone, ...rest } = before;
    expect(after).toEqual(rest);
  });
});

test('the README shows both recipes with the same rule ids', () => {
  const section = README.slice(README.indexOf('## cdk-nag'));
  expect(section.length).toBeLessThan(README.length);
  for (const id of [...USER_DECISIONS, ...CACHE_RULES, 'AwsSolutions-L1']) expect(section).toContain(`'${id}'`);
});

test('as users run it: the pack as an app validation plugin fails synth until the recipe is applied', () => {
  const synth = (acknowledge: boolean) => {
    const app = new App();
    Validations.of(app).addPlugins(new AwsSolutionsChecks());
    const stack = new Stack(app, 'Nag', { env: { account: '123456789012', region: 'us-east-1' } });
    new StreamingRestApi(stack, 'Api').addStreamingHttpProxy('/proxy/{proxy+}', 'https://backend.example.com/{proxy}');
    if (acknowledge) acknowledgeUserDecisions(stack);
    return () => app.synth();
  };
  expect(synth(false)).toThrow(/AwsSolutions-APIG4/);
  expect(synth(true)).not.toThrow();
});
