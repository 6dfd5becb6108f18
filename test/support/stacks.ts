import { App, Aspects, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { StreamingValidator, StreamingValidatorProps } from '../../src';

/** The account and region of test stacks that need an environment. */
export const TEST_ENV = { account: '123456789012', region: 'us-east-1' };

/** Options of `newStack`. */
export interface NewStackOptions {
  /** The stack's id. Default `TestStack`. */
  readonly id?: string;
  /** The stack's region; `null` for an environment-agnostic stack. Default `us-east-1` (account 123456789012). */
  readonly region?: string | null;
  /** Apply `StreamingValidator` to the whole app (with these props). Default: not applied. */
  readonly validator?: StreamingValidatorProps | boolean;
  /** An app to add the stack to. Default: a new app. */
  readonly app?: App;
}

/**
 * Bundling options for the `NodejsFunction`s (`StreamingFunction`s) tests synthesize: esbuild reports
 * warnings and errors only, not its per-bundle summary on stderr.
 */
export const QUIET_BUNDLING: nodejs.BundlingOptions = { logLevel: nodejs.LogLevel.WARNING };

/**
 * App context that skips asset bundling (`cdk synth --exclusively` does the same for other stacks):
 * for tests that check templates (resource specification, cdk-nag rules), not what a bundle holds.
 * The synth is quicker and esbuild prints nothing.
 */
export const NO_BUNDLING = { [cxapi.BUNDLING_STACKS]: [] };

/** A fresh app and stack for one test. */
export function newStack(options: NewStackOptions = {}): { app: App; stack: Stack } {
  const app = options.app ?? new App();
  if (options.validator) {
    Aspects.of(app).add(new StreamingValidator(options.validator === true ? {} : options.validator));
  }
  const env = options.region === null ? undefined : { ...TEST_ENV, region: options.region ?? TEST_ENV.region };
  const stack = new Stack(app, options.id ?? 'TestStack', env ? { env } : {});
  return { app, stack };
}

/** A small inline Node.js function (no bundling, so tests stay fast); Lambda's default timeout unless given. */
export function inlineFunction(stack: Stack, id = 'Fn', props: Partial<lambda.FunctionProps> = {}): lambda.Function {
  return new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => {};'),
    ...props,
  });
}

/** `inlineFunction` with the 15-minute timeout a streamed route wants. */
export function streamingInlineFunction(stack: Stack, id = 'Fn', props: Partial<lambda.FunctionProps> = {}): lambda.Function {
  return inlineFunction(stack, id, { timeout: Duration.minutes(15), ...props });
}

/** The synthesis error message, or undefined when synthesis succeeds. */
export function synthError(app: App): string | undefined {
  try {
    app.synth();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** The stack's synthesized template as JSON. */
export function templateOf(stack: Stack): any {
  return Template.fromStack(stack).toJSON();
}

/** The warnings of `stack` whose text contains `id`. */
export function warnings(stack: Stack, id: string): string[] {
  return Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp(`.*${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*`))
    .map((w) => String(w.entry.data));
}
