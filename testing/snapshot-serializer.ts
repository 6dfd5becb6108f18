/**
 * A Jest snapshot serializer for CloudFormation templates (`Template.fromStack(stack).toJSON()`)
 * whose snapshots should not change on every build:
 *
 * - asset hashes (64 hex digits: S3 keys, `asset.<hash>` paths, Docker image tags) become
 *   `[ASSET HASH]`: they change whenever bundled code, a dependency or the CDK version changes;
 * - inline Lambda code (`Code.ZipFile`, written by `lambda.Code.fromInline` and by CDK's own
 *   custom resources) becomes `[INLINE CODE]`: it changes with the CDK version.
 *
 * Use it in a test file with `expect.addSnapshotSerializer(streamingSnapshotSerializer)`, or for
 * every test with Jest's `snapshotSerializers: ['cdk-streaming-rest-api/testing/snapshot-serializer']`.
 */

/** What Jest calls to print a value inside a serializer (pretty-format's `Printer`; `Config` and `Refs` are passed through). */
type Printer = (value: unknown, config: any, indentation: string, depth: number, refs: any) => string;

const ASSET_HASH = /\b[a-f0-9]{64}\b/g;
const ASSET_HASH_MASK = '[ASSET HASH]';
const INLINE_CODE_MASK = '[INLINE CODE]';

function hasAssetHash(value: string): boolean {
  ASSET_HASH.lastIndex = 0;
  return ASSET_HASH.test(value);
}

function hasInlineCode(value: object): value is { ZipFile: string } {
  const zipFile = (value as { ZipFile?: unknown }).ZipFile;
  return typeof zipFile === 'string' && zipFile !== INLINE_CODE_MASK;
}

/** Masks the asset hashes in a string. */
function maskAssetHashes(value: string): string {
  return value.replace(ASSET_HASH, ASSET_HASH_MASK);
}

const serializer = {
  test(value: unknown): boolean {
    if (typeof value === 'string') return hasAssetHash(value);
    return value !== null && typeof value === 'object' && !Array.isArray(value) && hasInlineCode(value);
  },
  serialize(value: unknown, config: any, indentation: string, depth: number, refs: any, printer: Printer): string {
    const masked = typeof value === 'string'
      ? maskAssetHashes(value)
      : { ...(value as object), ZipFile: INLINE_CODE_MASK };
    // The printer prints the masked value as Jest would have printed the original.
    return printer(masked, config, indentation, depth, refs);
  },
};

export = serializer;
