import { awscdk } from 'projen';

/**
 * Handlers the library's patterns deploy. Each `lambda-assets/handlers/<name>/index.ts` is bundled
 * by esbuild into `assets/handlers/<name>/index.js`: build output, not committed, shipped in the
 * npm package (the constructs load it with `lambda.Code.fromAsset`).
 */
export const PATTERN_HANDLERS = ['bedrock-chat'];

export function configureHandlerBundles(project: awscdk.AwsCdkConstructLibrary): void {
  const bundle = project.addTask('bundle:handlers', {
    description: 'Bundle the handlers the patterns deploy into assets/handlers/',
  });
  for (const name of PATTERN_HANDLERS) {
    bundle.exec([
      'esbuild',
      `lambda-assets/handlers/${name}/index.ts`,
      '--bundle',
      '--platform=node',
      '--target=node22',
      '--format=cjs',
      '--minify',
      '--legal-comments=none',
      '--log-level=warning',
      `--outfile=assets/handlers/${name}/index.js`,
    ].join(' '));
  }
  // Compiled constructs and the tests both need the bundles.
  project.preCompileTask.spawn(bundle);
  project.testTask.prependSpawn(bundle);
  project.gitignore.exclude('/assets/');
}
