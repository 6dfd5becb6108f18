import { Duration, Token } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { BedrockChatModel } from './bedrock-chat-model';
import { checkGuardrail, checkProtocol, checkWholeNumber } from './chat-checks';
import { ChatGuardrailOptions, ChatGuardrailStreamProcessing } from './chat-guardrail';
import { ChatProtocol } from './chat-protocol';
import { bundledHandlerCode } from '../private/assets';
import { StreamingConfigError } from '../private/errors';
import { checkStreamingTimeout } from '../private/timeouts';
import { StreamingRestApi } from '../streaming-rest-api';

/**
 * Properties of a `StreamingBedrockChat`.
 */
export interface StreamingBedrockChatProps {
  /** The model to talk to. No default: the model decides the cost. */
  readonly model: BedrockChatModel;

  /**
   * The API to add the chat route to.
   *
   * @default - a new `StreamingRestApi` named `Api` under this construct
   */
  readonly api?: StreamingRestApi;

  /**
   * The protocol the chat speaks to its clients: its own simple one, OpenAI Chat Completions, or
   * the Vercel AI SDK UI message stream.
   *
   * @default ChatProtocol.simple()
   */
  readonly protocol?: ChatProtocol;

  /**
   * The route's path. With `ChatProtocol.openAiChatCompletions()` it must end with
   * `/chat/completions` (the SDKs append that to their `baseURL`).
   *
   * @default - '/v1/chat/completions' for `ChatProtocol.openAiChatCompletions()`, else '/chat'
   */
  readonly path?: string;

  /**
   * The system prompt sent with every conversation.
   *
   * @default - no system prompt
   */
  readonly systemPrompt?: string;

  /**
   * The most tokens one answer may have (inference config `maxTokens`).
   *
   * @default 1024
   */
  readonly maxTokens?: number;

  /**
   * The sampling temperature, 0 to 1.
   *
   * @default - the model's default
   */
  readonly temperature?: number;

  /**
   * A Bedrock guardrail applied to every conversation (the function may apply this guardrail only).
   *
   * @default - no guardrail
   */
  readonly guardrail?: ChatGuardrailOptions;

  /**
   * The authorizer of the chat route.
   *
   * @default - no authorizer (cdk-nag AwsSolutions-APIG4 will say so)
   */
  readonly authorizer?: apigateway.IAuthorizer;

  /**
   * The largest request body accepted, in bytes; larger bodies get a 400 before any model call.
   *
   * @default 32768
   */
  readonly maxRequestBytes?: number;

  /**
   * The most messages one request may carry.
   *
   * @default 50
   */
  readonly maxMessages?: number;

  /**
   * Also answer `GET <path>?message=...` (a single-turn conversation), so browsers can read the
   * answer with `EventSource`, which can only GET. Only with `ChatProtocol.simple()`.
   *
   * @default - true with `ChatProtocol.simple()`, else false
   */
  readonly eventSource?: boolean;

  /**
   * The origin whose browser pages may read the answers (`access-control-allow-origin`), e.g.
   * `https://app.example.com`, or `*`.
   *
   * @default - no CORS header: only same-origin pages and non-browser clients
   */
  readonly allowOrigin?: string;

  /**
   * How long one answer may stream (function and integration timeout).
   *
   * @default Duration.minutes(5)
   */
  readonly timeout?: Duration;

  /**
   * How long the function's log group (`logGroup`) keeps its logs.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * A chat API on Amazon Bedrock that answers word by word: a streamed `POST` route whose handler
 * calls Bedrock `ConverseStream` and sends Server-Sent Events in the chosen `protocol`.
 *
 * With `ChatProtocol.simple()` (the default), request: `POST {"messages":[{"role":"user","content":"Hello"}]}`
 * (roles alternate, first and last `user`), or `GET ?message=Hello` for `EventSource`. Response
 * (`text/event-stream`): one `event: delta` per text delta with `data: {"text":"..."}`, then
 * `event: done` with the stop reason and token usage; an error after the stream began is an
 * `event: error`. `ChatProtocol.openAiChatCompletions()` speaks what the `openai` SDKs read, and
 * `ChatProtocol.aiSdkUiMessageStream()` what the AI SDK's `useChat` reads. Bad requests get a JSON
 * 400 before any model call; a client that disconnects or a timeout aborts the model call.
 *
 * The function may only call `bedrock:InvokeModelWithResponseStream` on the chosen model (and, for
 * an inference profile, on the profile and its regions' foundation model).
 *
 * @example
 * const chat = new StreamingBedrockChat(this, 'Chat', {
 *   model: BedrockChatModel.foundationModel('amazon.nova-lite-v1:0'),
 *   systemPrompt: 'You are a concise assistant.',
 * });
 */
export class StreamingBedrockChat extends Construct {
  /** The API the chat route is on. */
  public readonly api: StreamingRestApi;

  /** The chat route's POST method (`eventSource` adds a GET method on the same resource). */
  public readonly method: apigateway.Method;

  /** The chat route's GET method for `EventSource`, if `eventSource` is on. */
  public readonly eventSourceMethod?: apigateway.Method;

  /** Every method the construct added: the POST method, then the GET method if any. */
  public readonly methods: apigateway.Method[];

  /** The function that streams the answers. */
  public readonly function: lambda.Function;

  /**
   * The function that streams the answers.
   *
   * @deprecated use `function`
   */
  public readonly handler: lambda.Function;

  /** The function's log group, created by the construct with `logRetention`. */
  public readonly logGroup: logs.LogGroup;

  /** The grant of `bedrock:InvokeModelWithResponseStream` on the model to the function's role. */
  public readonly modelGrant: iam.Grant;

  /** The grant of `bedrock:ApplyGuardrail` on the guardrail, if `guardrail` is set. */
  public readonly guardrailGrant?: iam.Grant;

  constructor(scope: Construct, id: string, props: StreamingBedrockChatProps) {
    super(scope, id);
    const maxTokens = checkWholeNumber(this, 'maxTokens', props.maxTokens ?? 1024, 1, 1_000_000);
    const maxRequestBytes = checkWholeNumber(this, 'maxRequestBytes', props.maxRequestBytes ?? 32_768, 2, 6_000_000);
    const maxMessages = checkWholeNumber(this, 'maxMessages', props.maxMessages ?? 50, 1, 10_000);
    if (props.temperature !== undefined && !Token.isUnresolved(props.temperature) && !(props.temperature >= 0 && props.temperature <= 1)) {
      throw new StreamingConfigError({ scope: this, property: 'temperature', value: props.temperature, problem: 'is outside 0 to 1', fix: 'pass a temperature between 0 and 1' });
    }
    const timeout = checkStreamingTimeout(this, 'timeout', props.timeout ?? Duration.minutes(5));
    const protocol = props.protocol ?? ChatProtocol.simple();
    const path = props.path ?? protocol._defaultPath;
    const eventSource = props.eventSource ?? protocol._eventSource;
    checkProtocol(this, protocol, path, eventSource);
    props.model.resourceArns(this); // checks the model eagerly, naming this construct

    this.api = props.api ?? new StreamingRestApi(this, 'Api', { description: 'Streaming Bedrock chat' });
    const environment: { [key: string]: string } = {
      MODEL_ID: props.model.modelId,
      MAX_TOKENS: String(maxTokens),
      MAX_REQUEST_BYTES: String(maxRequestBytes),
      MAX_MESSAGES: String(maxMessages),
    };
    if (props.systemPrompt !== undefined) environment.SYSTEM_PROMPT = props.systemPrompt;
    if (props.temperature !== undefined) environment.TEMPERATURE = String(props.temperature);
    if (props.allowOrigin !== undefined) environment.ALLOW_ORIGIN = props.allowOrigin;
    if (protocol._allowedModels.length > 0) environment.ALLOWED_MODELS = protocol._allowedModels.join(',');
    const guardrailArn = props.guardrail ? checkGuardrail(this, props.guardrail) : undefined;
    if (props.guardrail) {
      environment.GUARDRAIL_ID = props.guardrail.guardrailId;
      environment.GUARDRAIL_VERSION = props.guardrail.version;
      environment.GUARDRAIL_STREAM_PROCESSING = props.guardrail.streamProcessing ?? ChatGuardrailStreamProcessing.SYNC;
    }

    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH });
    this.function = new lambda.Function(this, 'Handler', {
      code: bundledHandlerCode(protocol._bundle),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      timeout: Duration.seconds(Math.ceil(timeout.toMilliseconds() / 1000)),
      loggingFormat: lambda.LoggingFormat.JSON,
      environment,
      logGroup: this.logGroup,
    });
    this.handler = this.function;
    this.modelGrant = props.model.grantInvokeStream(this.function, this);
    if (guardrailArn) {
      this.guardrailGrant = iam.Grant.addToPrincipal({ grantee: this.function, actions: ['bedrock:ApplyGuardrail'], resourceArns: [guardrailArn] });
    }
    this.method = this.api.addStreamingLambda(path, this.function, {
      httpMethod: 'POST',
      timeout,
      authorizer: props.authorizer,
    });
    if (eventSource) {
      this.eventSourceMethod = this.api.addStreamingLambda(path, this.function, {
        httpMethod: 'GET',
        timeout,
        authorizer: props.authorizer,
        requestParameters: { 'method.request.querystring.message': true },
      });
    }
    this.methods = this.eventSourceMethod ? [this.method, this.eventSourceMethod] : [this.method];
  }
}
