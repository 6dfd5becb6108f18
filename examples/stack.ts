/**
 * The example app's stack: a StreamingRestApi with streamed Lambda routes, a Bedrock chat, a
 * streamed HTTP proxy route and a remote MCP server for agents behind a Cognito user pool.
 * `app.ts` synthesizes it; the tests (cdk-nag, integ, the local gateway's) reuse it.
 */
import * as path from 'path';
import { Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { McpExample } from './mcp';
import { BedrockChatModel, StreamingBedrockChat, StreamingFunction, StreamingRestApi } from '../src';

const HANDLERS = path.join(__dirname, 'handlers');

export class StreamingExampleStack extends Stack {
  public readonly api: StreamingRestApi;
  public readonly mcp: McpExample;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);

    this.api = new StreamingRestApi(this, 'Api', {
      description: 'cdk-streaming-rest-api example',
    });

    // Server-sent events, one token at a time.
    const tokens = new StreamingFunction(this, 'SseTokens', { entry: path.join(HANDLERS, 'sse-tokens.ts') });
    this.api.addStreamingLambda('/chat', tokens, { httpMethod: 'POST' });
    this.api.addStreamingLambda('/chat', tokens, { httpMethod: 'GET' });

    // A large generated download (more than API Gateway's 10 MB buffered limit).
    const download = new StreamingFunction(this, 'LargeDownload', { entry: path.join(HANDLERS, 'large-download.ts') });
    this.api.addStreamingLambda('/download', download, { httpMethod: 'GET' });

    // A long job reporting progress.
    const job = new StreamingFunction(this, 'LongJob', { entry: path.join(HANDLERS, 'long-job.ts') });
    this.api.addStreamingLambda('/jobs/{id}', job, { httpMethod: 'POST' });

    // A chat on Amazon Bedrock, answering word by word (the local gateway uses a Bedrock stand-in).
    new StreamingBedrockChat(this, 'Chat', {
      api: this.api,
      path: '/assistant',
      model: BedrockChatModel.foundationModel('amazon.nova-lite-v1:0'),
      systemPrompt: 'You are a concise assistant.',
      allowOrigin: '*', // the example's browser clients are local pages
    });

    // A streamed HTTP proxy to a backend that streams too.
    this.api.addStreamingHttpProxy('/proxy/{proxy+}', 'https://backend.example.com/{proxy}');

    // A remote MCP server (POST /mcp) whose tools stream progress, for agents with a Cognito token.
    this.mcp = new McpExample(this, 'Mcp', { api: this.api, entry: path.join(HANDLERS, 'mcp-tools.ts') });
  }
}
