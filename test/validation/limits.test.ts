import * as srcLimits from '../../src/private/limits';
import * as wireLimits from '../../wire/limits';

// jsii compiles src/ alone and the gateway never imports the constructs, so the limits live in
// two files; this test keeps the values both know equal.

describe('src/private/limits.ts and wire/limits.ts agree', () => {
  const numeric = (m: object) => Object.entries(m).filter(([, v]) => typeof v === 'number') as Array<[string, number]>;
  const wire = new Map(numeric(wireLimits));
  const shared = numeric(srcLimits).filter(([name]) => wire.has(name));

  test('the timeouts both sides use are declared on both sides', () => {
    expect(shared.map(([name]) => name).sort()).toEqual(expect.arrayContaining([
      'EDGE_IDLE_TIMEOUT_MS', 'MAX_BUFFERED_TIMEOUT_MS', 'MAX_STREAMING_TIMEOUT_MS', 'REGIONAL_IDLE_TIMEOUT_MS',
    ]));
  });

  test.each(numeric(srcLimits).filter(([name]) => wire.has(name)))('%s has the same value', (name, value) => {
    expect(value).toBe(wire.get(name));
  });

  test('the values are the documented ones', () => {
    expect(srcLimits.MAX_BUFFERED_TIMEOUT_MS).toBe(29_000);
    expect(srcLimits.MAX_STREAMING_TIMEOUT_MS).toBe(15 * 60_000);
    expect(srcLimits.EDGE_IDLE_TIMEOUT_MS).toBe(30_000);
    expect(srcLimits.REGIONAL_IDLE_TIMEOUT_MS).toBe(5 * 60_000);
    expect(srcLimits.humanMs(srcLimits.EDGE_IDLE_TIMEOUT_MS)).toBe('30 seconds');
    expect(srcLimits.humanMs(srcLimits.REGIONAL_IDLE_TIMEOUT_MS)).toBe('5 minutes');
    expect(srcLimits.humanMs(29_001)).toBe('29001 ms');
  });
});
