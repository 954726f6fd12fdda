import type { BucketPolicy, BucketResult, ChargeMode } from './tokenBucket.js';

/** Where buckets live: this process (one gateway) or Redis (replicas share them). */
export interface BucketStore {
  /** Charges `cost` tokens of the bucket `key` (see `charge` in tokenBucket.ts). */
  charge(key: string, policy: BucketPolicy, cost: number, mode: ChargeMode): Promise<BucketResult>;
  /** Connects, when the store has something to connect to. */
  start?(): Promise<void>;
  close?(): Promise<void>;
}
