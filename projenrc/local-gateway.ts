import { awscdk } from 'projen';

/**
 * Build wiring for `local-gateway/` (owned by the local-gateway work): tasks, package entries, ignore rules.
 */
export function configureLocalGateway(_project: awscdk.AwsCdkConstructLibrary): void {
  // nothing yet
}
