/**
 * A CDK app split the way larger apps are: the functions in one stack, the REST API in another
 * (a cross-stack reference), and part of the API's methods in a nested stack. Two stacks with the
 * same construct ids show that their functions stay apart. Synthesized by the gateway tests.
 */
import * as path from 'path';
import { App, NestedStack, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

const HANDLERS = path.join(__dirname, 'handlers');

class FunctionsStack extends Stack {
  public readonly echo: lambda.Function;
  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.echo = new lambda.Function(this, 'Echo', {
      runtime: lambda.Runtime.NODEJS_22_X,
      code: lambda.Code.fromAsset(path.join(HANDLERS, 'esm-named')),
      handler: 'index.echo',
    });
  }
}

// As aws-cdk's README splits an API across stacks: the nested stack sees the API by its ids.
class MethodsStack extends NestedStack {
  public readonly method: apigateway.Method;
  constructor(scope: Construct, id: string, restApiId: string, rootResourceId: string, fn: lambda.IFunction) {
    super(scope, id);
    const api = apigateway.RestApi.fromRestApiAttributes(this, 'Api', { restApiId, rootResourceId });
    this.method = api.root.addResource('nested').addMethod('POST', new apigateway.LambdaIntegration(fn, {
      responseTransferMode: apigateway.ResponseTransferMode.STREAM,
    }));
  }
}

class ApiStack extends Stack {
  constructor(scope: Construct, id: string, fn: lambda.IFunction) {
    super(scope, id);
    const api = new apigateway.RestApi(this, 'Api', { restApiName: `${id}-api`, deploy: false });
    api.root.addResource('echo').addMethod('POST', new apigateway.LambdaIntegration(fn, { responseTransferMode: apigateway.ResponseTransferMode.STREAM }));
    const methods = new MethodsStack(this, 'Methods', api.restApiId, api.restApiRootResourceId, fn);
    const deployment = new apigateway.Deployment(this, 'Deployment', { api });
    deployment.node.addDependency(methods);
    new apigateway.Stage(this, 'Stage', { deployment, stageName: 'live' });
  }
}

/** Synthesizes the app into `outdir`; returns the assembly directory. */
export function synthMultiStackApp(outdir: string): string {
  const app = new App({ outdir });
  const functions = new FunctionsStack(app, 'Functions');
  new ApiStack(app, 'Api', functions.echo);
  return app.synth().directory;
}
