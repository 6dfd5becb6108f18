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
import { AccessLogEntry, LocalStreamingGateway } from '../../../local-gateway';
import { StreamingFunction, StreamingRestApi } from '../../../src';

export interface HandlerGateway {
  /** The API's base URL (no trailing slash). */
  readonly url: string;
  /** The access-log entries so far (one per request the gateway answered). */
  readonly requests: AccessLogEntry[];
  /**
   * Another gateway over the same assembly, with an access log of its own: for tests that run side
   * by side and count their own requests. Closed with this one.
   */
  another(): Promise<HandlerGateway>;
  close(): Promise<void>;
}

export async function startHandlerGateway(entry: string): Promise<HandlerGateway> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'handler-clients-'));
  // The asset metadata (which the aws-cdk CLI turns on) tells the gateway where the function's code is.
  const app = new App({ outdir: out, context: { 'aws:cdk:enable-asset-metadata': true } });
  const stack = new Stack(app, 'Handler', { env: { account: '123456789012', region: 'us-east-1' } });
  const api = new StreamingRestApi(stack, 'Api');
  api.addStreamingLambda('/events', new StreamingFunction(stack, 'Events', { entry, bundling: { logLevel: LogLevel.ERROR } }), { httpMethod: 'GET' });
  app.synth();

  const others: HandlerGateway[] = [];
  const serve = async (): Promise<HandlerGateway> => {
    const requests: AccessLogEntry[] = [];
    const gateway = LocalStreamingGateway.fromAssembly(out, {
      port: 0,
      environment: { NODE_NO_WARNINGS: '1' },
      accessLog: (logged) => requests.push(logged),
      log: () => undefined,
    });
    const url = (await gateway.start()).replace(/\/$/, '');
    return {
      url,
      requests,
      another: async () => {
        const other = await serve();
        others.push(other);
        return other;
      },
      close: () => gateway.stop(),
    };
  };
  const first = await serve();
  return {
    ...first,
    close: async () => {
      await Promise.all(others.splice(0).map((other) => other.close()));
      await first.close();
      fs.rmSync(out, { recursive: true, force: true });
    },
  };
}
