/**
 * What a `StreamingFunction` records in the cloud assembly (construct metadata on its
 * `AWS::Lambda::Function`, in `manifest.json`, not in the template) so that the local gateway's
 * `serve --watch` can rebuild the function's code with esbuild on its own, without a synth.
 */
import * as fs from 'fs';
import * as path from 'path';
// Types only: the local gateway imports this module, and must not load aws-cdk-lib.
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';

/** The metadata type (the key of the entry in the manifest). */
export const REBUILD_SPEC_METADATA = 'cdk-streaming-rest-api:rebuild';

/** esbuild options, as NodejsFunction would pass them; paths are absolute. */
export interface RebuildSpec {
  readonly version: 1;
  readonly entry: string;
  readonly projectRoot: string;
  readonly format: 'cjs' | 'esm';
  readonly target: string;
  readonly minify: boolean;
  readonly sourceMap: boolean;
  readonly sourceMapMode?: string;
  readonly sourcesContent?: boolean;
  readonly externalModules: string[];
  readonly tsconfig?: string;
  readonly define?: Record<string, string>;
  readonly loader?: Record<string, string>;
  readonly mainFields?: string[];
  readonly banner?: string;
  readonly footer?: string;
  readonly charset?: string;
  readonly keepNames?: boolean;
  readonly inject?: string[];
  /**
   * The bundling options the gateway cannot honour on its own (it runs a synth for an edit of
   * this function instead), e.g. `commandHooks`, `nodeModules`, Docker bundling.
   */
  readonly cannot: string[];
}

/** The options that only a synth (NodejsFunction's own bundling) can carry out. */
const SYNTH_ONLY: Array<keyof nodejs.BundlingOptions> = ['commandHooks', 'nodeModules', 'forceDockerBundling', 'dockerImage', 'preCompilation', 'esbuildArgs'];

/** The spec of a function bundled from `entry` with `bundling`, as NodejsFunction bundles it. */
export function rebuildSpec(
  entry: string, runtime: lambda.Runtime, bundling: nodejs.BundlingOptions, projectRoot: string | undefined, sdkV2: boolean,
): RebuildSpec {
  const resolved = path.resolve(entry);
  const format = String(bundling.format) === 'esm' ? 'esm' : 'cjs'; // (nodejs.OutputFormat.ESM)
  return {
    version: 1,
    entry: resolved,
    projectRoot: path.resolve(projectRoot ?? lockFileDir() ?? path.dirname(resolved)),
    format,
    target: bundling.target ?? `node${/nodejs(\d+)/.exec(runtime.name)?.[1] ?? '20'}`,
    minify: bundling.minify ?? false,
    sourceMap: bundling.sourceMap ?? false,
    sourceMapMode: bundling.sourceMapMode,
    sourcesContent: bundling.sourcesContent,
    externalModules: bundling.externalModules ?? (bundling.bundleAwsSDK ? [] : sdkV2 ? ['aws-sdk'] : ['@aws-sdk/*']),
    tsconfig: bundling.tsconfig ? path.resolve(bundling.tsconfig) : undefined,
    define: bundling.define,
    loader: bundling.loader,
    mainFields: bundling.mainFields,
    banner: bundling.banner,
    footer: bundling.footer,
    charset: bundling.charset,
    keepNames: bundling.keepNames,
    inject: bundling.inject?.map((file) => path.resolve(file)),
    cannot: SYNTH_ONLY.filter((option) => bundling[option] !== undefined && bundling[option] !== false),
  };
}

/** Where NodejsFunction finds the project root by default: the folder of the lock file above the working folder. */
function lockFileDir(): string | undefined {
  for (let dir = process.cwd(); ; dir = path.dirname(dir)) {
    if (['package-lock.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lockb', 'bun.lock'].some((f) => fs.existsSync(path.join(dir, f)))) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}
