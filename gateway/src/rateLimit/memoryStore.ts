import { LruCache } from '@attention-mesh/platform';
import type { BucketStore } from './bucketStore.js';
import { type Bucket, charge } from './tokenBucket.js';

/**
 * Buckets in this process, for one gateway: at most `maxBuckets`, the least recently used forgotten
 * first (a forgotten bucket starts full again, so the bound costs at most one extra burst to a client
 * idle long enough to be evicted by a flood of others).
 */
export function createMemoryStore(opts: { maxBuckets: number; now?: () => number }): BucketStore {
  const buckets = new LruCache<string, Bucket>(opts.maxBuckets);
  const now = opts.now ?? Date.now;
  return {
    async charge(key, policy, cost, mode) {
      const { bucket, result } = charge(buckets.get(key), policy, cost, now(), mode);
      buckets.set(key, bucket);
      return result;
    },
  };
}
