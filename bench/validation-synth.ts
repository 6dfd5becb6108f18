/**
 * Synth time with the validation: an app with 100 streamed routes across 10 functions, built
 * with a plain aws-cdk-lib RestApi (STREAM set by hand) with and without StreamingValidator, and
 * with StreamingRestApi (validator applied), alternating in the same run. The target: validator on
 * vs off <= 1.05 (ratio of median synth times). StreamingRestApi vs plain is printed for reference
 * (it also creates access logs, a request validator, the CloudWatch role).
 * Run: npx ts-node --transpile-only --project bench/tsconfig.json bench/validation-synth.ts
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Aspects, Duration, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { StreamingRestApi, StreamingValidator } from '../src';

const ROUTES = 100;
const FUNCTIONS = 10;
const RUNS = Number(process.env.RUNS ?? 21);

function functions(stack: Stack): lambda.Function[] {
  return Array.from({ length: FUNCTIONS }, (_, i) => new lambda.Function(stack, `Fn${i}`, {
    runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('x'), timeout: Duration.minutes(15),
  }));
}

function withStreamingRestApi(stack: Stack): void {
  const fns = functions(stack);
  const api = new StreamingRestApi(stack, 'Api');
  for (let i = 0; i < ROUTES; i++) api.addStreamingLambda(`/r${i}`, fns[i % FUNCTIONS], { httpMethod: 'POST' });
}

function withPlainRestApi(stack: Stack): void {
  const fns = functions(stack);
  const api = new apigateway.RestApi(stack, 'Api', { endpointTypes: [apigateway.EndpointType.REGIONAL] });
  for (let i = 0; i < ROUTES; i++) {
    api.root.addResource(`r${i}`).addMethod('POST', new apigateway.LambdaIntegration(fns[i % FUNCTIONS], {
      responseTransferMode: apigateway.ResponseTransferMode.STREAM, timeout: Duration.minutes(15),
    }));
  }
}

function withPlainRestApiValidated(stack: Stack): void {
  withPlainRestApi(stack);
  Aspects.of(stack).add(new StreamingValidator());
}

function synthMs(build: (stack: Stack) => void): number {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-synth-'));
  const started = performance.now();
  const app = new App({ outdir });
  build(new Stack(app, 'Bench'));
  app.synth();
  const ms = performance.now() - started;
  fs.rmSync(outdir, { recursive: true, force: true });
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ours: number[] = [];
const plain: number[] = [];
const plainValidated: number[] = [];
synthMs(withStreamingRestApi);
synthMs(withPlainRestApi);
synthMs(withPlainRestApiValidated); // warm up all three
for (let i = 0; i < RUNS; i++) {
  ours.push(synthMs(withStreamingRestApi));
  plain.push(synthMs(withPlainRestApi));
  plainValidated.push(synthMs(withPlainRestApiValidated));
}
const min = (xs: number[]) => Math.min(...xs);
const ratio = median(plainValidated) / median(plain);
console.log(`${ROUTES} streamed routes, ${FUNCTIONS} functions, ${RUNS} alternating runs:`);
console.log(`plain RestApi (STREAM by hand): median ${median(plain).toFixed(1)} ms`);
console.log(`plain RestApi + StreamingValidator: median ${median(plainValidated).toFixed(1)} ms`);
console.log(`StreamingRestApi (validated): median ${median(ours).toFixed(1)} ms (vs plain: ratio ${(median(ours) / median(plain)).toFixed(3)}, for reference)`);
console.log(`validator on vs off, fastest runs (least disturbed by other load): ratio ${(min(plainValidated) / min(plain)).toFixed(3)}`);
console.log(`validator on vs off: ratio ${ratio.toFixed(3)} (target <= 1.05) -> ${ratio <= 1.05 ? 'within target' : 'OVER TARGET'}`);
