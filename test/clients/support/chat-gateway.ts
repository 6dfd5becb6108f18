/**
 * One CDK app with a StreamingBedrockChat per protocol, synthesized into a temporary cloud
 * assembly and served by the local gateway (its public entry) against the local Bedrock stand-in:
 * what the client tests talk to.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { AssemblyGateway, serveAssembly } from './assembly-gateways';
import { FakeBedrock, startFakeBedrock } from '../../../local-gateway';
import { BedrockChatModel, ChatProtocol, StreamingBedrockChat, StreamingRestApi } from '../../../src';

export interface ChatGateway extends AssemblyGateway {
  readonly bedrock: FakeBedrock;
  /** Another gateway over the same assembly and Bedrock stand-in (see AssemblyGateway). */
  another(): Promise<ChatGateway>;
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
  const served = await serveAssembly(out, { BEDROCK_ENDPOINT_URL: bedrock.url }, async () => {
    await bedrock.close();
    fs.rmSync(out, { recursive: true, force: true });
  });
  return withBedrock(served, bedrock);
}

/** A gateway (and the others it makes) with the Bedrock stand-in they share. */
function withBedrock(served: AssemblyGateway, bedrock: FakeBedrock): ChatGateway {
  return { ...served, bedrock, another: async () => withBedrock(await served.another(), bedrock) };
}
