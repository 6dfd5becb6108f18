import { App, Duration, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { StreamingRestApi } from '../../src';
import { newStack, streamingInlineFunction } from '../support/stacks';

export { synthError, warnings } from '../support/stacks';

/** A stack whose app applies the validator app-wide. */
export function validatedStack(): { app: App; stack: Stack } {
  return newStack({ id: 'V', validator: true });
}

export function fn(stack: Stack, id = 'Fn', props: Partial<lambda.FunctionProps> = {}): lambda.Function {
  return streamingInlineFunction(stack, id, props);
}

/** The four ways a streamed method can be defined. */
export type Path = 'StreamingRestApi' | 'RestApi' | 'CfnMethod' | 'SpecRestApi';

/** Integration settings a test adds, in L2 (camelCase) terms. */
export interface Extra {
  readonly integrationResponses?: apigateway.IntegrationResponse[];
  readonly cacheKeyParameters?: string[];
  readonly cacheNamespace?: string;
  readonly timeoutInMillis?: number;
  /** CfnMethod and OpenAPI only (the L2 refuses STREAM on other types). */
  readonly type?: string;
  /** CfnMethod and OpenAPI only. */
  readonly uri?: string;
}

/** A streamed Lambda method defined through `path`, with extra integration settings. */
export interface MethodOptions {
  readonly integration?: Extra;
  readonly apiProps?: apigateway.RestApiProps;
  readonly handler?: lambda.IFunction;
}

export function streamedMethod(stack: Stack, path: Path, extra: MethodOptions = {}): void {
  const handler = extra.handler ?? fn(stack);
  const apiProps = { endpointTypes: [apigateway.EndpointType.REGIONAL], ...extra.apiProps };
  const x = extra.integration ?? {};
  const streamingUri = `arn:aws:apigateway:us-east-1:lambda:path/2021-11-15/functions/${handler.functionArn}/response-streaming-invocations`;
  const l2Integration = () => new apigateway.LambdaIntegration(handler, {
    responseTransferMode: apigateway.ResponseTransferMode.STREAM,
    timeout: Duration.millis(x.timeoutInMillis ?? 900000),
    integrationResponses: x.integrationResponses,
    cacheKeyParameters: x.cacheKeyParameters,
    cacheNamespace: x.cacheNamespace,
  });
  const cfnIntegration = {
    type: x.type ?? 'AWS_PROXY',
    integrationHttpMethod: 'POST',
    responseTransferMode: 'STREAM',
    timeoutInMillis: x.timeoutInMillis ?? 900000,
    uri: x.uri ?? streamingUri,
    integrationResponses: x.integrationResponses,
    cacheKeyParameters: x.cacheKeyParameters,
    cacheNamespace: x.cacheNamespace,
  };
  switch (path) {
    case 'StreamingRestApi':
      new StreamingRestApi(stack, 'Api', apiProps).root.addResource('chat').addMethod('POST', l2Integration());
      break;
    case 'RestApi':
      new apigateway.RestApi(stack, 'Api', apiProps).root.addResource('chat').addMethod('POST', l2Integration());
      break;
    case 'CfnMethod': {
      const api = new apigateway.RestApi(stack, 'Api', apiProps);
      api.root.addMethod('GET'); // the L2 needs one method to deploy
      new apigateway.CfnMethod(stack, 'Raw', {
        restApiId: api.restApiId,
        resourceId: api.root.addResource('chat').resourceId,
        httpMethod: 'POST',
        authorizationType: 'NONE',
        integration: cfnIntegration,
      });
      break;
    }
    case 'SpecRestApi': {
      const { integrationResponses, integrationHttpMethod, type, ...rest } = cfnIntegration;
      const integration = { ...rest, type: type.toLowerCase(), httpMethod: integrationHttpMethod, responses: integrationResponses && { default: { statusCode: '200' } } };
      new apigateway.SpecRestApi(stack, 'Api', {
        ...apiProps,
        apiDefinition: apigateway.ApiDefinition.fromInline({
          openapi: '3.0.1',
          info: { title: 'spec', version: '1' },
          paths: { '/chat': { post: { 'x-amazon-apigateway-integration': JSON.parse(JSON.stringify(integration)) } } },
        }),
      });
      break;
    }
  }
}
