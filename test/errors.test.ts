import { Duration } from 'aws-cdk-lib';
import { StreamingErrors, StreamingRestApi } from '../src';
import { inlineFunction, newStack } from './support/stacks';
import { STREAMING_CONFIG_ERROR_SYMBOL } from '../src/private/errors';

function thrownBy(action: () => void): unknown {
  try {
    action();
  } catch (e) {
    return e;
  }
  throw new Error('nothing was thrown');
}

describe('StreamingErrors.isStreamingConfigError', () => {
  test('recognises the errors the library throws', () => {
    const { stack } = newStack();
    const api = new StreamingRestApi(stack, 'Api');
    const error = thrownBy(() => api.addStreamingLambda('/chat', inlineFunction(stack, 'Fn'), { timeout: Duration.minutes(20) }));
    expect(StreamingErrors.isStreamingConfigError(error)).toBe(true);
    expect((error as Error).message).toMatch(/^\[TestStack\/Api\] route '\/chat' timeout: /);
  });

  test('recognises the brand of another copy of the library, and nothing else', () => {
    const foreign = Object.assign(new Error('x'), { [Symbol.for('cdk-streaming-rest-api.StreamingConfigError')]: true });
    expect(STREAMING_CONFIG_ERROR_SYMBOL).toBe(Symbol.for('cdk-streaming-rest-api.StreamingConfigError'));
    expect(StreamingErrors.isStreamingConfigError(foreign)).toBe(true);
    const named = Object.assign(new Error('x'), { name: 'StreamingConfigError' });
    for (const other of [named, new Error('x'), null, undefined, 'StreamingConfigError', 42, {}]) {
      expect(StreamingErrors.isStreamingConfigError(other)).toBe(false);
    }
  });
});
