/**
 * Integration test (needs an AWS account): deploys a StreamingRestApi with a streamed Lambda route,
 * calls it over HTTPS and checks the streamed body, then checks that the access log recorded the
 * request as STREAMED. Both assertions wait and retry; one that never holds fails the deployment,
 * so the test runs with integ-runner or with the CDK CLI alone:
 *
 *   npx integ-runner --directory test/integ --language typescript
 *   npx cdk deploy --all --require-approval never --app "npx ts-node --transpile-only test/integ/integ.streaming-rest-api.ts"
 *
 * Without an account, `npm test` synthesizes it and compares the templates with the committed
 * snapshot (test/integ/integ-snapshot.test.ts).
 */
import * as path from 'path';
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { LogLevel } from 'aws-cdk-lib/aws-lambda-nodejs';
import { StreamingFunction, StreamingRestApi } from '../../src';

const app = new App();
const stack = new Stack(app, 'StreamingRestApiInteg');

const api = new StreamingRestApi(stack, 'Api', { description: 'cdk-streaming-rest-api integration test' });
const tokens = new StreamingFunction(stack, 'Tokens', {
  entry: path.join(__dirname, '..', '..', 'examples', 'handlers', 'sse-tokens.ts'),
  // Source maps name the build machine's paths; without them the bundle is the same everywhere.
  bundling: { sourceMap: false, logLevel: LogLevel.WARNING },
});
api.addStreamingLambda('/chat', tokens, { httpMethod: 'GET' });

const integ = new IntegTest(app, 'StreamingRestApi', {
  testCases: [stack],
  diffAssets: false,
});

// The streamed route answers with the whole SSE stream: five tokens, then `done`.
const call = integ.assertions.httpApiCall(`${api.url}chat?words=5&delay=20`);
call.expect(ExpectedResult.objectLike({
  status: 200,
  body: Match.stringLikeRegexp('event: token[\\s\\S]*id: 4[\\s\\S]*event: done'),
}));
call.waitForAssertions({ totalTimeout: Duration.minutes(2), interval: Duration.seconds(10) });

// The access log (JSON, with the streaming fields) shows the request as streamed.
const logged = integ.assertions.awsApiCall('CloudWatchLogs', 'filterLogEvents', {
  logGroupName: api.accessLogGroup!.logGroupName,
  filterPattern: '{ $.responseTransferMode = "STREAMED" && $.resourcePath = "/chat" }',
});
logged.expect(ExpectedResult.objectLike({ events: Match.arrayWith([Match.objectLike({ message: Match.stringLikeRegexp('"timeToFirstContent"') })]) }));
logged.waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(15) });
call.next(logged);

app.synth();
