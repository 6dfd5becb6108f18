import * as fc from 'fast-check';
import { periodStart, QuotaLimit, ThrottleLimit, usageAnswer, UsageMeter } from '../../../local-gateway/auth/api-keys';

// The meter driven by a clock the test owns: no real time passes.

function meterAt(start = Date.UTC(2026, 11, 5, 12, 0, 0)) {
  const clock = { now: start };
  return { clock, meter: new UsageMeter(() => clock.now) };
}
const stage: ThrottleLimit = { key: 'stage:prod', rateLimit: 2, burstLimit: 3 };
const run = (meter: UsageMeter, n: number, request: Parameters<UsageMeter['check']>[0]) => Array.from({ length: n }, () => meter.check(request));

describe('throttling (token bucket)', () => {
  test('a burst of burstLimit passes at once; the next is throttled', () => {
    const { meter } = meterAt();
    expect(run(meter, 4, { throttles: [stage] })).toEqual(['ok', 'ok', 'ok', 'throttled']);
  });

  test('tokens come back at rateLimit per second, never beyond burstLimit', () => {
    const { clock, meter } = meterAt();
    run(meter, 3, { throttles: [stage] });
    clock.now += 499;
    expect(meter.check({ throttles: [stage] })).toBe('throttled');
    clock.now += 1; // 0.5 s at 2/s: one token
    expect(run(meter, 2, { throttles: [stage] })).toEqual(['ok', 'throttled']);
    clock.now += 60_000; // a minute idle refills to the burst, not to 120
    expect(run(meter, 4, { throttles: [stage] })).toEqual(['ok', 'ok', 'ok', 'throttled']);
  });

  test('a burstLimit of 0 refuses every request', () => {
    const { clock, meter } = meterAt();
    expect(meter.check({ throttles: [{ key: 'off', rateLimit: 100, burstLimit: 0 }] })).toBe('throttled');
    clock.now += 10_000;
    expect(meter.check({ throttles: [{ key: 'off', rateLimit: 100, burstLimit: 0 }] })).toBe('throttled');
  });

  test('buckets are per key: one API key\'s burst does not throttle another', () => {
    const { meter } = meterAt();
    const key = (id: string): ThrottleLimit => ({ key: `apikey:${id}`, rateLimit: 1, burstLimit: 1 });
    expect(meter.check({ throttles: [key('a')] })).toBe('ok');
    expect(meter.check({ throttles: [key('a')] })).toBe('throttled');
    expect(meter.check({ throttles: [key('b')] })).toBe('ok');
  });

  test('a request throttled by one layer takes no token from the others', () => {
    const { meter } = meterAt();
    const method: ThrottleLimit = { key: 'method:prod GET /chat', rateLimit: 0, burstLimit: 1 };
    expect(meter.check({ throttles: [stage, method] })).toBe('ok');
    expect(meter.check({ throttles: [stage, method] })).toBe('throttled');
    // the stage bucket still holds 2 of its 3 tokens
    expect(run(meter, 3, { throttles: [stage] })).toEqual(['ok', 'ok', 'throttled']);
  });

  test('changed settings (a reloaded template) start a full bucket', () => {
    const { meter } = meterAt();
    run(meter, 3, { throttles: [stage] });
    expect(meter.check({ throttles: [{ ...stage, burstLimit: 5 }] })).toBe('ok');
  });

  test('property: over any schedule, passes never exceed burst + rate × elapsed', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 20 }), fc.double({ min: 0, max: 50, noNaN: true }), fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 200 }),
      (burstLimit, rateLimit, gaps) => {
        const { clock, meter } = meterAt();
        const start = clock.now;
        let passed = 0;
        for (const gap of gaps) {
          clock.now += gap;
          if (meter.check({ throttles: [{ key: 'k', rateLimit, burstLimit }] }) === 'ok') passed++;
        }
        expect(passed).toBeLessThanOrEqual(burstLimit + Math.floor(rateLimit * (clock.now - start) / 1000 + 1e-6));
      },
    ));
  });
});

describe('quotas', () => {
  const daily: QuotaLimit = { key: 'apikey:a', limit: 2, period: 'DAY' };

  test('the limit per period, then quota-exceeded until the next period', () => {
    const { clock, meter } = meterAt(Date.UTC(2026, 11, 5, 23, 59, 0));
    expect(run(meter, 3, { quota: daily })).toEqual(['ok', 'ok', 'quota-exceeded']);
    expect(meter.remaining(daily)).toBe(0);
    clock.now = Date.UTC(2026, 11, 6, 0, 0, 0);
    expect(meter.remaining(daily)).toBe(2);
    expect(run(meter, 3, { quota: daily })).toEqual(['ok', 'ok', 'quota-exceeded']);
  });

  test('offset is subtracted from the first period only', () => {
    const { clock, meter } = meterAt();
    const quota: QuotaLimit = { ...daily, limit: 3, offset: 2 };
    expect(run(meter, 2, { quota })).toEqual(['ok', 'quota-exceeded']);
    clock.now += 86_400_000;
    expect(run(meter, 4, { quota })).toEqual(['ok', 'ok', 'ok', 'quota-exceeded']);
  });

  test('a throttled request is not counted against the quota', () => {
    const { clock, meter } = meterAt();
    const throttles = [{ key: 't', rateLimit: 1, burstLimit: 1 }];
    expect(run(meter, 3, { throttles, quota: daily })).toEqual(['ok', 'throttled', 'throttled']);
    clock.now += 1000;
    expect(meter.check({ throttles, quota: daily })).toBe('ok');
    expect(meter.remaining(daily)).toBe(0);
  });

  test.each([
    ['DAY', Date.UTC(2026, 11, 5, 13, 14, 15), Date.UTC(2026, 11, 5)],
    ['WEEK', Date.UTC(2026, 11, 5, 13, 14, 15), Date.UTC(2026, 10, 29)], // Saturday → the Sunday before
    ['WEEK', Date.UTC(2026, 10, 29, 0, 0, 0), Date.UTC(2026, 10, 29)],
    ['MONTH', Date.UTC(2026, 11, 31, 23, 59, 59), Date.UTC(2026, 11, 1)],
  ] as const)('%s period of %d starts at %d (UTC)', (period, now, start) => {
    expect(periodStart(period, now)).toBe(start);
  });

  test('a monthly quota resets on the first of the month, not 30 days later', () => {
    const { clock, meter } = meterAt(Date.UTC(2026, 0, 31, 12));
    const monthly: QuotaLimit = { key: 'm', limit: 1, period: 'MONTH' };
    expect(run(meter, 2, { quota: monthly })).toEqual(['ok', 'quota-exceeded']);
    clock.now = Date.UTC(2026, 1, 1, 0, 0, 1);
    expect(meter.check({ quota: monthly })).toBe('ok');
  });
});

test('answers: 429 Too Many Requests, 429 Limit Exceeded, nothing for ok', () => {
  expect(usageAnswer('throttled')).toMatchObject({ status: 429, message: 'Too Many Requests' });
  expect(usageAnswer('quota-exceeded')).toMatchObject({ status: 429, message: 'Limit Exceeded' });
  expect(usageAnswer('ok')).toBeUndefined();
});
