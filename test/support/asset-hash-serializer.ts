/**
 * Jest snapshot serializer for this project's own snapshots: the one users get from
 * `cdk-streaming-rest-api/testing` (asset hashes and inline Lambda code masked), so our snapshots
 * exercise it too.
 */
import serializer from '../../testing/snapshot-serializer';

export = serializer;
