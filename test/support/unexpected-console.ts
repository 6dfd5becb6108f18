/**
 * Jest setup (every suite, after the test framework): a test that writes to `console.error` or
 * `console.warn` fails, with what it wrote. Passing suites print nothing; a warning a test expects
 * is captured and asserted (`jest.spyOn(console, 'error').mockImplementation(...)`, which replaces
 * this wrapper until `jest.restoreAllMocks()`), never left on the console for a reader to take for
 * a failure. What was written is still printed, so the failure shows where it came from.
 */
import { format } from 'util';

const unexpected: string[] = [];

for (const level of ['error', 'warn'] as const) {
  const original = console[level];
  console[level] = function unexpectedConsole(this: Console, ...args: unknown[]): void {
    unexpected.push(`console.${level}: ${format(...args)}`);
    original.apply(this, args);
  };
}

afterEach(() => {
  const seen = unexpected.splice(0);
  if (seen.length > 0) {
    throw new Error(`the test wrote to the console (spy on it and assert what it writes if that is expected):\n${seen.join('\n')}`);
  }
});
