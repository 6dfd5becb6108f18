import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { BedrockChatModel, ChatGuardrailStreamProcessing, ChatProtocol, StreamingBedrockChat, StreamingRestApi } from '../../src';
import { inlineFunction, newStack } from '../support/stacks';

const MODEL = BedrockChatModel.foundationModel('amazon.nova-lite-v1:0');

describe('StreamingBedrockChat', () => {
  test('a streamed POST /chat on a new StreamingRestApi, with the model settings in the environment', () => {
    // GIVEN
    const { stack } = newStack();
    // WHEN
    const chat = new StreamingBedrockChat(stack, 'Chat', { model: MODEL, systemPrompt: 'Be brief', temperature: 0.3, maxTokens: 200 });
    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      Integration: { Type: 'AWS_PROXY', ResponseTransferMode: 'STREAM', TimeoutInMillis: 300000 },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Timeout: 300,
      Environment: {
        Variables: {
          MODEL_ID: 'amazon.nova-lite-v1:0',
          SYSTEM_PROMPT: 'Be brief',
          TEMPERATURE: '0.3',
          MAX_TOKENS: '200',
          MAX_REQUEST_BYTES: '32768',
          MAX_MESSAGES: '50',
        },
      },
    });
    expect(chat.method.resource.path).toBe('/chat');
    expect(chat.api).toBeInstanceOf(StreamingRestApi);
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET',
      RequestParameters: { 'method.request.querystring.message': true },
      Integration: { ResponseTransferMode: 'STREAM' },
    });
  });

  test('eventSource: false leaves only POST; allowOrigin reaches the handler', () => {
    const { stack } = newStack();
    new StreamingBedrockChat(stack, 'Chat', { model: MODEL, eventSource: false, allowOrigin: 'https://app.example.com' });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ApiGateway::Method', 1);
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ ALLOW_ORIGIN: 'https://app.example.com' }) } });
  });

  test('IAM: only InvokeModelWithResponseStream, only on the foundation model', () => {
    const { stack } = newStack();
    new StreamingBedrockChat(stack, 'Chat', { model: MODEL });
    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
    const statements = Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toEqual([{
      Action: 'bedrock:InvokeModelWithResponseStream',
      Effect: 'Allow',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0']] },
    }]);
  });

  test('IAM for an inference profile: the profile and the model in its regions, nothing wildcarded', () => {
    // GIVEN
    const { stack } = newStack();
    const model = BedrockChatModel.inferenceProfile('us.anthropic.claude-3-5-haiku-20241022-v1:0', {
      foundationModelId: 'anthropic.claude-3-5-haiku-20241022-v1:0',
      regions: ['us-east-1', 'us-west-2'],
    });
    // WHEN
    new StreamingBedrockChat(stack, 'Chat', { model });
    // THEN
    const statement = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))[0].Properties.PolicyDocument.Statement[0];
    expect(statement.Action).toBe('bedrock:InvokeModelWithResponseStream');
    const resources = JSON.stringify(statement.Resource);
    expect(resources).toContain(':bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0');
    expect(resources).toContain(':bedrock:us-east-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0');
    expect(resources).toContain(':bedrock:us-west-2::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0');
    expect(resources).not.toContain('*');
    expect(statement.Resource).toHaveLength(3);
  });

  test('an existing API, a path, an authorizer and a timeout', () => {
    // GIVEN
    const { stack } = newStack();
    const api = new StreamingRestApi(stack, 'Api');
    const authorizer = new apigateway.TokenAuthorizer(stack, 'Auth', { handler: inlineFunction(stack, 'AuthFn') });
    // WHEN
    const chat = new StreamingBedrockChat(stack, 'Chat', { model: MODEL, api, path: '/v1/assistant', authorizer, timeout: Duration.minutes(10) });
    // THEN
    expect(chat.api).toBe(api);
    expect(chat.method.resource.path).toBe('/v1/assistant');
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    template.hasResourceProperties('AWS::ApiGateway::Method', { AuthorizationType: 'CUSTOM', Integration: { TimeoutInMillis: 600000 } });
    template.hasResourceProperties('AWS::Lambda::Function', { Timeout: 600, Environment: { Variables: Match.objectLike({ MODEL_ID: 'amazon.nova-lite-v1:0' }) } });
  });

  test.each([
    ['maxTokens', { maxTokens: 0 }, /maxTokens: 0 is not a whole number from 1/],
    ['maxTokens', { maxTokens: 1.5 }, /maxTokens: 1.5 is not a whole number/],
    ['temperature', { temperature: 1.5 }, /temperature: 1.5 is outside 0 to 1/],
    ['maxRequestBytes', { maxRequestBytes: 10_000_000 }, /maxRequestBytes: 10000000 is not a whole number from 2 to 6000000/],
    ['maxMessages', { maxMessages: 0 }, /maxMessages: 0 is not a whole number from 1/],
    ['timeout', { timeout: Duration.minutes(20) }, /timeout: '20 minutes' is outside the range a streamed method accepts/],
  ])('a bad %s is rejected with the construct path', (_name, props, message) => {
    const { stack } = newStack();
    expect(() => new StreamingBedrockChat(stack, 'Chat', { model: MODEL, ...props })).toThrow(message);
    expect(() => new StreamingBedrockChat(newStack().stack, 'Chat', { model: MODEL, ...props })).toThrow(/\[TestStack\/Chat\]/);
  });

  test.each([
    [BedrockChatModel.foundationModel('not a model'), /\[TestStack\/Chat\] model: 'not a model' is not a Bedrock model id/],
    [BedrockChatModel.inferenceProfile('us.m-v1:0', { foundationModelId: 'm-v1:0', regions: [] }), /model.regions: \[\] is empty/],
    [BedrockChatModel.inferenceProfile('us.m-v1:0', { foundationModelId: '??', regions: ['us-east-1'] }), /model.foundationModelId: '\?\?' is not a Bedrock model id/],
  ])('a bad model is rejected', (model, message) => {
    const { stack } = newStack();
    expect(() => new StreamingBedrockChat(stack, 'Chat', { model })).toThrow(message);
  });

  test('exposes every part it creates: methods, function, log group, model grant', () => {
    // GIVEN
    const { stack } = newStack();
    // WHEN
    const chat = new StreamingBedrockChat(stack, 'Chat', { model: MODEL, logRetention: logs.RetentionDays.ONE_WEEK });
    // THEN
    expect(chat.methods.map((m) => m.httpMethod)).toEqual(['POST', 'GET']);
    expect(chat.eventSourceMethod?.httpMethod).toBe('GET');
    expect(chat.handler).toBe(chat.function);
    expect(chat.modelGrant.success).toBe(true);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
    template.hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: Match.objectLike({ LogGroup: { Ref: stack.getLogicalId(chat.logGroup.node.defaultChild as logs.CfnLogGroup) } }),
    });
    expect(new StreamingBedrockChat(stack, 'Other', { model: MODEL, eventSource: false }).methods).toHaveLength(1);
  });
});

describe('BedrockChatModel.grantInvokeStream', () => {
  test('grants only InvokeModelWithResponseStream on the model to any grantee, as an iam.Grant', () => {
    // GIVEN
    const { stack } = newStack();
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    // WHEN
    const grant = MODEL.grantInvokeStream(role);
    // THEN
    expect(grant.success).toBe(true);
    const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toEqual([{
      Action: 'bedrock:InvokeModelWithResponseStream',
      Effect: 'Allow',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0']] },
    }]);
  });

  test('a bad model id is named with the scope passed', () => {
    const { stack } = newStack();
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    expect(() => BedrockChatModel.foundationModel('bad id').grantInvokeStream(role)).toThrow(/\[TestStack\/Role\] model: 'bad id' is not a Bedrock model id/);
  });
});

describe('StreamingBedrockChat protocols', () => {
  /** The asset folder of the stack's function code (its bundle), from the template's metadata. */
  function functionCode(template: Template): string[] {
    return Object.values(template.findResources('AWS::Lambda::Function')).map((f) => JSON.stringify(f.Properties.Code));
  }

  test('OpenAI Chat Completions: POST /v1/chat/completions only, its own bundle, the allow-list in the environment', () => {
    // GIVEN
    const { stack } = newStack();
    // WHEN
    const chat = new StreamingBedrockChat(stack, 'Chat', {
      model: MODEL, protocol: ChatProtocol.openAiChatCompletions({ allowedModels: ['nova-lite', 'gpt-4o-mini'] }),
    });
    // THEN
    expect(chat.method.resource.path).toBe('/v1/chat/completions');
    expect(chat.methods).toHaveLength(1);
    expect(chat.eventSourceMethod).toBeUndefined();
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ApiGateway::Method', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ MODEL_ID: 'amazon.nova-lite-v1:0', ALLOWED_MODELS: 'nova-lite,gpt-4o-mini' }) },
    });
    expect(ChatProtocol.openAiChatCompletions().name).toBe('openAiChatCompletions');
  });

  test('each protocol deploys its own handler bundle; the simple one keeps GET for EventSource', () => {
    const codes = [ChatProtocol.simple(), ChatProtocol.openAiChatCompletions(), ChatProtocol.aiSdkUiMessageStream()].map((protocol) => {
      const { stack } = newStack();
      const chat = new StreamingBedrockChat(stack, 'Chat', { model: MODEL, protocol });
      return { code: functionCode(Template.fromStack(stack))[0], methods: chat.methods.map((m) => m.httpMethod), path: chat.method.resource.path };
    });
    expect(new Set(codes.map((c) => c.code)).size).toBe(3);
    expect(codes.map((c) => c.methods)).toEqual([['POST', 'GET'], ['POST'], ['POST']]);
    expect(codes.map((c) => c.path)).toEqual(['/chat', '/v1/chat/completions', '/chat']);
  });

  test.each([
    [{ protocol: ChatProtocol.aiSdkUiMessageStream(), eventSource: true }, /eventSource: true is not available with ChatProtocol.aiSdkUiMessageStream\(\)/],
    [{ protocol: ChatProtocol.openAiChatCompletions(), path: '/v1/chat' }, /\[TestStack\/Chat\] path: '\/v1\/chat' does not end with \/chat\/completions/],
    [{ protocol: ChatProtocol.openAiChatCompletions({ allowedModels: ['a,b'] }) }, /protocol.allowedModels: 'a,b' is not a model name/],
  ])('a protocol setting that cannot work is rejected with the construct path (%#)', (props, message) => {
    const { stack } = newStack();
    expect(() => new StreamingBedrockChat(stack, 'Chat', { model: MODEL, ...props })).toThrow(message);
  });
});

describe('StreamingBedrockChat guardrail', () => {
  test('reaches the handler, and the function may apply that guardrail only', () => {
    // GIVEN
    const { stack } = newStack();
    // WHEN
    const chat = new StreamingBedrockChat(stack, 'Chat', {
      model: MODEL, guardrail: { guardrailId: 'abc123def456', version: '3', streamProcessing: ChatGuardrailStreamProcessing.ASYNC },
    });
    // THEN
    expect(chat.guardrailGrant?.success).toBe(true);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ GUARDRAIL_ID: 'abc123def456', GUARDRAIL_VERSION: '3', GUARDRAIL_STREAM_PROCESSING: 'async' }) },
    });
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements.map((st) => st.Action)).toEqual(['bedrock:InvokeModelWithResponseStream', 'bedrock:ApplyGuardrail']);
    expect(JSON.stringify(statements[1].Resource)).toContain(':bedrock:us-east-1:123456789012:guardrail/abc123def456');
  });

  test.each([
    [{ guardrailId: 'Not An Id', version: '1' }, /guardrail.guardrailId: 'Not An Id' is not a guardrail id or ARN/],
    [{ guardrailId: 'abc123', version: 'latest' }, /guardrail.version: 'latest' is not a guardrail version/],
  ])('a bad guardrail is rejected with the construct path (%#)', (guardrail, message) => {
    const { stack } = newStack();
    expect(() => new StreamingBedrockChat(stack, 'Chat', { model: MODEL, guardrail })).toThrow(message);
  });
});
