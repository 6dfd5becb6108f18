import { awscdk } from 'projen';

/**
 * Build wiring for `lambda-assets/` (owned by the lambda-assets work): tasks, package entries, ignore rules.
 */
export function configureLambdaAssets(_project: awscdk.AwsCdkConstructLibrary): void {
  // nothing yet
}
