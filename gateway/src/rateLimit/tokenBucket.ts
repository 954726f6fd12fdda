/** A budget: `capacity` units, refilled continuously at `capacity` per `windowMs` (a token bucket). */
export interface BucketPolicy {
  capacity: number;
  windowMs: number;
}

/** A bucket's stored state: its tokens at `updatedAt` (ms). */
export interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** What one charge came to. */
export interface BucketResult {
  allowed: boolean;
  /** Tokens left after the charge (negative after a correction beyond the balance: a debt). */
  tokens: number;
}

/** What a client is told about one budget (the `RateLimit` header, `retryAfter`). */
export interface Decision {
  allowed: boolean;
  /** Whole units left. */
  remaining: number;
  /** Seconds until the bucket is full again. */
  resetSeconds: number;
  /** Seconds until this charge would pass (0 when it passed). */
  retryAfterSeconds: number;
}

/** How a charge treats a short balance: `take` refuses it; `force` (a correction) books it as debt. */
export type ChargeMode = 'take' | 'force';

/**
 * A charge never asks for more than the whole bucket, so an operation that costs more than a budget
 * still passes once the bucket is full (and empties it), rather than never.
 */
export const chargeOf = (cost: number, policy: BucketPolicy): number => Math.min(cost, policy.capacity);

/** The tokens a bucket holds at `now`. */
export function tokensAt(bucket: Bucket | undefined, policy: BucketPolicy, now: number): number {
  if (!bucket) return policy.capacity;
  const elapsed = Math.max(0, now - bucket.updatedAt);
  return Math.min(policy.capacity, bucket.tokens + (elapsed * policy.capacity) / policy.windowMs);
}

/**
 * Charges `cost` tokens (negative: gives some back): `take` only when the bucket holds them, `force`
 * always, with a debt bounded by one bucket. The same arithmetic as the Redis store's script.
 */
export function charge(
  bucket: Bucket | undefined,
  policy: BucketPolicy,
  cost: number,
  now: number,
  mode: ChargeMode = 'take',
): { bucket: Bucket; result: BucketResult } {
  const available = tokensAt(bucket, policy, now);
  const amount = chargeOf(cost, policy);
  const allowed = mode === 'force' || available >= amount;
  const tokens = allowed
    ? Math.min(policy.capacity, Math.max(-policy.capacity, available - amount))
    : available;
  return { bucket: { tokens, updatedAt: now }, result: { allowed, tokens } };
}

/** The client's view of a charge's result. */
export function decisionOf(result: BucketResult, policy: BucketPolicy, cost: number): Decision {
  const perSecond = (policy.capacity * 1000) / policy.windowMs;
  const missing = chargeOf(cost, policy) - result.tokens;
  return {
    allowed: result.allowed,
    remaining: Math.max(0, Math.floor(result.tokens)),
    resetSeconds: Math.max(0, Math.ceil((policy.capacity - result.tokens) / perSecond)),
    retryAfterSeconds: result.allowed ? 0 : Math.max(1, Math.ceil(missing / perSecond)),
  };
}
