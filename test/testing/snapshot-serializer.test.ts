import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { format } from 'pretty-format';
import { StreamingFunction, StreamingRestApi } from '../../src';
import { streamingSnapshotSerializer } from '../../testing';
import { QUIET_BUNDLING } from '../support/stacks';

// The serializer users add to their own snapshot tests: two builds whose handler code differs
// print the same snapshot, while everything else in the template still shows.

const ENTRY = path.join(__dirname, '..', 'fixtures', 'stream-handler.ts');

/** A stack with a bundled streaming function and an inline function, whose code depends on `body`. */
function template(body: string): Record<string, any> {
  const stack = new Stack(new App(), 'Users', { env: { account: '123456789012', region: 'eu-west-1' } });
  const api = new StreamingRestApi(stack, 'Api');
  api.addStreamingLambda('/chat', new StreamingFunction(stack, 'Chat', { entry: ENTRY, bundling: { ...QUIET_BUNDLING, banner: `/* ${body} */` } }), { httpMethod: 'POST' });
  new lambda.Function(stack, 'Inline', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline(`exports.handler = async () => ${JSON.stringify(body)};`) });
  return Template.fromStack(stack).toJSON();
}

const print = (value: unknown) => format(value, { plugins: [streamingSnapshotSerializer] });

test('templates that differ only in bundled and inline code print the same', () => {
  // GIVEN
  const first = template('one');
  const second = template('two');
  // THEN: without the serializer, the asset hash and the inline code show the change
  expect(format(first)).not.toEqual(format(second));
  // WHEN / THEN: with it, the snapshot does not churn
  expect(print(first)).toEqual(print(second));
  expect(print(first)).toContain('"S3Key": "[ASSET HASH].zip"');
  expect(print(first)).toContain('"ZipFile": "[INLINE CODE]"');
  expect(print(first)).not.toMatch(/[a-f0-9]{64}/);
});

test('everything else still shows: a change that matters changes the snapshot', () => {
  const base = template('same');
  const changed = JSON.parse(JSON.stringify(base));
  const method = Object.values<any>(changed.Resources).find((r) => r.Type === 'AWS::ApiGateway::Method');
  method.Properties.Integration.ResponseTransferMode = 'BUFFERED';
  expect(print(changed)).not.toEqual(print(base));
  expect(print(base)).toContain('"ResponseTransferMode": "STREAM"');
});

test('masks hashes inside longer strings and leaves other hex alone', () => {
  const hash = 'a'.repeat(64);
  expect(print({ path: `asset.${hash}`, image: `123.dkr.ecr.eu-west-1.amazonaws.com/repo:${hash}`, short: 'deadbeef' }))
    .toBe('Object {\n  "image": "123.dkr.ecr.eu-west-1.amazonaws.com/repo:[ASSET HASH]",\n  "path": "asset.[ASSET HASH]",\n  "short": "deadbeef",\n}');
});
