// A small CDK app for the reload tests, in plain JavaScript so its synth command is `node app.js`.
// ROUTES (comma-separated paths) and the handler folder are what the tests edit.
const fs = require('fs');
const path = require('path');
const { App, Stack } = require('aws-cdk-lib');
const apigateway = require('aws-cdk-lib/aws-apigateway');
const lambda = require('aws-cdk-lib/aws-lambda');

const app = new App();
const stack = new Stack(app, 'WatchApp');
const fn = new lambda.Function(stack, 'Hello', {
  runtime: lambda.Runtime.NODEJS_22_X,
  code: lambda.Code.fromAsset(path.join(__dirname, 'handler')),
  handler: 'index.handler',
});
const api = new apigateway.RestApi(stack, 'Api', { restApiName: 'watch-app', deployOptions: { stageName: 'prod' } });
for (const route of fs.readFileSync(path.join(__dirname, 'routes.txt'), 'utf8').trim().split(',')) {
  api.root.addResource(route).addMethod('GET', new apigateway.LambdaIntegration(fn, { responseTransferMode: apigateway.ResponseTransferMode.STREAM }));
}
app.synth();
