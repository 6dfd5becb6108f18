/**
 * One CDK app with a StreamingBedrockChat per protocol, synthesized into a temporary cloud
 * assembly and served by the local gateway (its public entry) against the local Bedrock stand-in:
 * what the client tests talk to.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { AccessLogEntry, FakeBedrock, LocalStreamingGateway, startFakeBedrock } from '../../../local-gateway';
import { BedrockChatModel, ChatProtocol, StreamingBedrockChat, StreamingRestApi } from '../../../src';

export interface ChatGateway {
  /** The API's base URL (no trailing slash). */
  readonly url: string;
  readonly bedrock: FakeBedrock;
  /** The access-log entries so far (one per request the gateway answered). */
  readonly requests: AccessLogEntry[];
  /**
   * Another gateway over the same assembly and Bedrock stand-in, with an access log of its own:
   * for tests that run side by side and count their own requests. Closed with this one.
   */
  another(): Promise<ChatGateway>;
  close(): Promise<void>;
}

/** The `model` values the OpenAI route accepts. */
export const ALLOWED_MODELS = ['nova-lite', 'gpt-4o-mini'];

export async function startChatGateway(options: { delayMs?: number } = {}): Promise<ChatGateway> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-clients-'));
  // The asset metadata (which the aws-cdk CLI turns on) tells the gateway where each function's code is.
  const app = new App({ outdir: out, context: { 'aws:cdk:enable-asset-metadata': true } });
  const stack = new Stack(app, 'Chat', { env: { account: '123456789012', region: 'us-east-1' } });
  const api = new StreamingRestApi(stack, 'Api');
  const model = BedrockChatModel.foundationModel('amazon.nova-lite-v1:0');
  new StreamingBedrockChat(stack, 'Simple', { api, model, allowOrigin: '*' });
  new StreamingBedrockChat(stack, 'OpenAi', { api, model, protocol: ChatProtocol.openAiChatCompletions({ allowedModels: ALLOWED_MODELS }), allowOrigin: '*' });
  new StreamingBedrockChat(stack, 'AiSdk', { api, model, protocol: ChatProtocol.aiSdkUiMessageStream(), path: '/api/chat', allowOrigin: '*' });
  app.synth();

  const bedrock = await startFakeBedrock({ delayMs: options.delayMs ?? 10 });
  const others: ChatGateway[] = [];
  const serve = async (): Promise<ChatGateway> => {
    const requests: AccessLogEntry[] = [];
    const gateway = LocalStreamingGateway.fromAssembly(out, {
      port: 0,
      environment: { BEDROCK_ENDPOINT_URL: bedrock.url, NODE_NO_WARNINGS: '1' },
      accessLog: (entry) => requests.push(entry),
      log: () => undefined,
    });
    const url = (await gateway.start()).replace(/\/$/, '');
    return {
      url,
      bedrock,
      requests,
      another: async () => {
        const other = await serve();
        others.push(other);
        return other;
      },
      close: () => gateway.stop(),
    };
  };
  const first = await serve();
  return {
    ...first,
    close: async () => {
      await Promise.all(others.splice(0).map((other) => other.close()));
      await first.close();
      await bedrock.close();
      fs.rmSync(out, { recursive: true, force: true });
    },
  };
}
