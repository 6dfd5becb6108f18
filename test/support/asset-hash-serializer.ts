/**
 * Jest snapshot serializer: masks asset hashes so snapshots do not change when
 * bundled code or the CDK version changes an asset's content hash.
 */
const ASSET_HASH = /[a-f0-9]{64}/g;

function hasHash(value: unknown): value is string {
  if (typeof value !== 'string') {
    return false;
  }
  ASSET_HASH.lastIndex = 0;
  return ASSET_HASH.test(value);
}

export = {
  test: hasHash,
  serialize: (value: string): string => JSON.stringify(value.replace(ASSET_HASH, '[ASSET HASH]')),
};
