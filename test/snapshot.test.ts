import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { StreamingFunction, StreamingRestApi } from '../src';
import { newStack, QUIET_BUNDLING } from './support/stacks';

// Whole-stack snapshots: a change to any default shows up here in review.
// Asset hashes are masked by test/support/asset-hash-serializer.ts.

test('a StreamingRestApi with a bundled streaming function and an HTTP proxy route', () => {
  // GIVEN
  const { stack } = newStack();
  const fn = new StreamingFunction(stack, 'Tokens', { entry: path.join(__dirname, 'fixtures', 'stream-handler.ts'), bundling: QUIET_BUNDLING });
  // WHEN
  const api = new StreamingRestApi(stack, 'Api');
  api.addStreamingLambda('/v1/chat/{id}', fn, { httpMethod: 'POST' });
  api.addStreamingHttpProxy('/files/{proxy+}', 'https://files.example.com/{proxy}', { httpMethod: 'GET', timeout: Duration.minutes(5) });
  // THEN
  expect(Template.fromStack(stack).toJSON()).toMatchSnapshot();
});

test('a StreamingRestApi with only user-chosen logging', () => {
  const { stack } = newStack();
  const api = new StreamingRestApi(stack, 'Api', { deploy: false, streamingTimeout: Duration.minutes(1) });
  api.addStreamingHttpProxy('/events', 'http://events.example.com/');
  expect(Template.fromStack(stack).toJSON()).toMatchSnapshot();
});

test('the asset-hash serializer masks hashes', () => {
  expect({ key: `${'a1'.repeat(32)}.zip` }).toMatchInlineSnapshot(`
{
  "key": "[ASSET HASH].zip",
}
`);
});
