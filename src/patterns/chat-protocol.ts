/**
 * Options of `ChatProtocol.openAiChatCompletions()`.
 */
export interface OpenAiChatCompletionsOptions {
  /**
   * The `model` values a request may name. The answer always comes from the construct's `model`;
   * a request naming another value gets OpenAI's 404 `model_not_found`. Useful when clients must
   * send a model name (the `openai` SDKs do): list the names you tell them to use.
   *
   * @default - any `model` value is accepted (and echoed in the chunks)
   */
  readonly allowedModels?: string[];
}

/**
 * The wire protocol a `StreamingBedrockChat` speaks to its clients. Whichever it is, Bedrock
 * `ConverseStream` answers, with the construct's model, system prompt and inference settings.
 */
export class ChatProtocol {
  /**
   * The chat's own protocol: `POST {"messages":[{"role":"user","content":"Hi"}]}` (or
   * `GET ?message=Hi` for `EventSource`), answered with SSE `event: delta` `{"text"}`, then
   * `event: done` with the stop reason and usage, or `event: error`. The stream ends so that a
   * reconnecting `EventSource` is answered 204 and stops.
   */
  public static simple(): ChatProtocol {
    return new ChatProtocol('simple', 'bedrock-chat', '/chat', true, []);
  }

  /**
   * OpenAI Chat Completions: `POST <path>` (ending in `/chat/completions`) with `messages`,
   * `stream: true` and `stream_options.include_usage`, answered with `chat.completion.chunk`
   * events, a final chunk with `finish_reason`, a usage chunk, `data: [DONE]`, and OpenAI-shaped
   * errors. The `openai` SDKs work with `baseURL` set to the API's URL plus the path's prefix
   * (`https://…/prod/v1` for the default path).
   */
  public static openAiChatCompletions(options: OpenAiChatCompletionsOptions = {}): ChatProtocol {
    return new ChatProtocol('openAiChatCompletions', 'bedrock-chat-openai', '/v1/chat/completions', false, options.allowedModels ?? []);
  }

  /**
   * The Vercel AI SDK UI message stream, what `useChat` (with `DefaultChatTransport`) reads: `POST`
   * with `messages` made of parts, answered with SSE parts `start`, `text-start`, `text-delta`,
   * `text-end`, `finish`, then `[DONE]`, with the header `x-vercel-ai-ui-message-stream: v1`.
   */
  public static aiSdkUiMessageStream(): ChatProtocol {
    return new ChatProtocol('aiSdkUiMessageStream', 'bedrock-chat-ui-message-stream', '/chat', false, []);
  }

  /** The protocol's name, as its factory is named (e.g. `openAiChatCompletions`). */
  public readonly name: string;

  /** @internal The handler bundle under assets/handlers/. */
  public readonly _bundle: string;

  /** @internal The route's path when the construct's `path` is not given. */
  public readonly _defaultPath: string;

  /** @internal Whether the protocol can answer `GET ?message=` for `EventSource`. */
  public readonly _eventSource: boolean;

  /** @internal The `model` values a request may name (none: any). */
  public readonly _allowedModels: string[];

  private constructor(name: string, bundle: string, defaultPath: string, eventSource: boolean, allowedModels: string[]) {
    this.name = name;
    this._bundle = bundle;
    this._defaultPath = defaultPath;
    this._eventSource = eventSource;
    this._allowedModels = [...allowedModels];
  }
}
