import { awscdk } from 'projen';

/**
 * Handlers the library's patterns deploy, by bundle name: each entry under `lambda-assets/handlers/`
 * is bundled by esbuild into `assets/handlers/<name>/index.js`: build output, not committed,
 * shipped in the npm package (the constructs load it with `lambda.Code.fromAsset`). One bundle per
 * chat protocol, so each function carries only its protocol.
 */
export const PATTERN_HANDLERS: Record<string, string> = {
  'bedrock-chat': 'lambda-assets/handlers/bedrock-chat/index.ts',
  'bedrock-chat-openai': 'lambda-assets/handlers/bedrock-chat/openai.ts',
  'bedrock-chat-ui-message-stream': 'lambda-assets/handlers/bedrock-chat/ui-message-stream.ts',
};

export function configureHandlerBundles(project: awscdk.AwsCdkConstructLibrary): void {
  const bundle = project.addTask('bundle:handlers', {
    description: 'Bundle the handlers the patterns deploy into assets/handlers/',
  });
  for (const [name, entry] of Object.entries(PATTERN_HANDLERS)) {
    bundle.exec([
      'esbuild',
      entry,
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
