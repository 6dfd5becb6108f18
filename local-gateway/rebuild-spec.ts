/**
 * What the assembly records of the functions the gateway can rebuild on its own (hot reloads):
 * each `StreamingFunction`'s rebuild spec (construct metadata), and the esbuild options it means.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { BuildOptions } from 'esbuild';
import type { Route } from './route';
import { REBUILD_SPEC_METADATA, RebuildSpec } from '../src/private/rebuild-spec';

/** The rebuild specs of an assembly's functions, by `<stack>/<logical id>` (nested assemblies too). */
export function readRebuildSpecs(dir: string, found = new Map<string, RebuildSpec>()): Map<string, RebuildSpec> {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  for (const [stack, artifact] of Object.entries<any>(manifest.artifacts ?? {})) {
    if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) {
      readRebuildSpecs(path.join(dir, artifact.properties.directoryName), found);
      continue;
    }
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    // (older CDK versions write construct metadata into the manifest, newer ones into a file beside it)
    const file = artifact.additionalMetadataFile ? path.join(dir, artifact.additionalMetadataFile) : undefined;
    const metadata: Record<string, Array<{ type: string; data: any }>> = artifact.metadata ?? (file && fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {});
    for (const entries of Object.values(metadata)) {
      const logicalId = entries.find((e) => e.type === 'aws:cdk:logicalId')?.data;
      const spec = entries.find((e) => e.type === REBUILD_SPEC_METADATA)?.data;
      if (typeof logicalId === 'string' && spec?.version === 1) found.set(`${stack}/${logicalId}`, spec);
    }
  }
  return found;
}

/** The key of a route's function among the specs (its id names its stack when there are several). */
export function specKey(route: Route): string {
  const id = route.function!.logicalId;
  return id.includes('/') ? id : `${route.stack}/${id}`;
}

/** NodejsFunction's esbuild options for a spec (aws-lambda-nodejs/lib/bundling.ts). */
export function esbuildOptions(spec: RebuildSpec): BuildOptions {
  const sourcemap = !spec.sourceMap ? false : spec.sourceMapMode === 'inline' ? 'inline' : spec.sourceMapMode === 'both' ? 'both' : spec.sourceMapMode === 'eof' ? 'external' : 'linked';
  return {
    entryPoints: [spec.entry],
    absWorkingDir: spec.projectRoot,
    bundle: true,
    platform: 'node',
    format: spec.format,
    target: spec.target,
    minify: spec.minify,
    sourcemap,
    sourcesContent: spec.sourcesContent,
    external: spec.externalModules,
    tsconfig: spec.tsconfig,
    define: spec.define,
    loader: spec.loader as BuildOptions['loader'],
    mainFields: spec.mainFields,
    banner: spec.banner ? { js: spec.banner } : undefined,
    footer: spec.footer ? { js: spec.footer } : undefined,
    charset: spec.charset as BuildOptions['charset'],
    keepNames: spec.keepNames,
    inject: spec.inject,
    logLevel: 'silent',
  };
}
