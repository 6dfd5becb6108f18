/**
 * One handler file behind a StreamingRestApi (`GET /events`, bundled by StreamingFunction with
 * esbuild), synthesized into a temporary cloud assembly and served by the local gateway: what a
 * client test talks to when the handler is not one of the library's patterns.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { LogLevel } from 'aws-cdk-lib/aws-lambda-nodejs';
import { AssemblyGateway, serveAssembly } from './assembly-gateways';
import { StreamingFunction, StreamingRestApi } from '../../../src';

export type HandlerGateway = AssemblyGateway;

export async function startHandlerGateway(entry: string): Promise<HandlerGateway> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'handler-clients-'));
  // The asset metadata (which the aws-cdk CLI turns on) tells the gateway where the function's code is.
  const app = new App({ outdir: out, context: { 'aws:cdk:enable-asset-metadata': true } });
  const stack = new Stack(app, 'Handler', { env: { account: '123456789012', region: 'us-east-1' } });
  const api = new StreamingRestApi(stack, 'Api');
  api.addStreamingLambda('/events', new StreamingFunction(stack, 'Events', { entry, bundling: { logLevel: LogLevel.ERROR } }), { httpMethod: 'GET' });
  app.synth();

  return serveAssembly(out, {}, () => fs.rmSync(out, { recursive: true, force: true }));
}
