/**
 * Jest setup (every suite): drops the one progress line aws-cdk-lib writes to the test process's
 * stderr each time it bundles an asset during a synth (`Bundling asset <path>...`, written with
 * `process.stderr.write` by `AssetStaging`, with no option to turn it off). Every other write to
 * stderr goes through unchanged, so an unexpected warning or error still shows. (esbuild's own
 * output during `NodejsFunction` bundling is turned off where tests bundle: `bundling.logLevel`.)
 */
const BUNDLING_PROGRESS = /^Bundling asset [^\n]*\.\.\.\n$/;

const write = process.stderr.write;
process.stderr.write = function quietBundlingProgress(this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
  if (typeof chunk === 'string' && BUNDLING_PROGRESS.test(chunk)) {
    const callback = rest.find((r): r is () => void => typeof r === 'function');
    if (callback) process.nextTick(callback);
    return true;
  }
  return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
} as typeof process.stderr.write;
