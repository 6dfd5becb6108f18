// An unbundled asset that imports the AWS SDK as the Node.js runtime provides it.
import { BedrockRuntimeClient, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';

const client = new BedrockRuntimeClient({ region: process.env.AWS_REGION ?? 'us-east-1', endpoint: process.env.BEDROCK_ENDPOINT_URL });

export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
  const { prompt } = JSON.parse(event.body ?? '{}');
  const response = await client.send(new ConverseStreamCommand({
    modelId: process.env.MODEL_ID,
    messages: [{ role: 'user', content: [{ text: prompt ?? 'hello' }] }],
  }));
  const stream = awslambda.HttpResponseStream.from(responseStream, { statusCode: 200, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  for await (const item of response.stream) {
    const text = item.contentBlockDelta?.delta?.text;
    if (text) stream.write(text);
  }
  stream.end();
});
