import { describe, expect, it } from 'vitest';
import { type Bucket, charge, decisionOf, tokensAt } from '../src/rateLimit/tokenBucket.js';

const policy = { capacity: 10, windowMs: 60_000 }; // one token every 6 s

describe('token bucket', () => {
  it('starts full and refuses once empty, without booking the refusal', () => {
    let bucket: Bucket | undefined;
    let now = 1_000;
    for (let i = 0; i < 10; i++) {
      const step = charge(bucket, policy, 1, now);
      expect(step.result.allowed).toBe(true);
      bucket = step.bucket;
    }
    expect(bucket?.tokens).toBe(0);
    const refused = charge(bucket, policy, 1, now);
    expect(refused.result).toEqual({ allowed: false, tokens: 0 });
    expect(decisionOf(refused.result, policy, 1)).toEqual({
      allowed: false,
      remaining: 0,
      resetSeconds: 60,
      retryAfterSeconds: 6,
    });
    now += 6_000;
    expect(tokensAt(bucket, policy, now)).toBeCloseTo(1);
    expect(charge(bucket, policy, 1, now).result.allowed).toBe(true);
  });

  it('refills at capacity per window, never beyond capacity', () => {
    const empty = { tokens: 0, updatedAt: 0 };
    expect(tokensAt(empty, policy, 30_000)).toBeCloseTo(5);
    expect(tokensAt(empty, policy, 600_000)).toBe(10);
    // A clock that went back refills nothing.
    expect(tokensAt({ tokens: 3, updatedAt: 5_000 }, policy, 1_000)).toBe(3);
  });

  it('charges a cost above the balance only when it fits, and a cost above capacity as the whole bucket', () => {
    const half = { tokens: 5, updatedAt: 0 };
    expect(charge(half, policy, 6, 0).result).toEqual({ allowed: false, tokens: 5 });
    expect(decisionOf({ allowed: false, tokens: 5 }, policy, 6).retryAfterSeconds).toBe(6);
    const full = charge(undefined, policy, 1_000, 0);
    expect(full.result).toEqual({ allowed: true, tokens: 0 });
  });

  it('books a forced correction as debt (bounded by one bucket) or gives tokens back (up to capacity)', () => {
    const start = { tokens: 2, updatedAt: 0 };
    expect(charge(start, policy, 5, 0, 'force').result).toEqual({ allowed: true, tokens: -3 });
    expect(charge(start, policy, 50, 0, 'force').result.tokens).toBe(-8);
    expect(charge({ tokens: -10, updatedAt: 0 }, policy, 10, 0, 'force').result.tokens).toBe(-10);
    expect(charge(start, policy, -4, 0, 'force').result.tokens).toBe(6);
    expect(charge(start, policy, -40, 0, 'force').result.tokens).toBe(10);
    // In debt: refused until refilled past the debt.
    const debt = { tokens: -3, updatedAt: 0 };
    expect(charge(debt, policy, 1, 18_000).result.allowed).toBe(false);
    expect(charge(debt, policy, 1, 24_000).result.allowed).toBe(true);
    expect(decisionOf({ allowed: true, tokens: -3 }, policy, 1)).toMatchObject({
      remaining: 0,
      resetSeconds: 78,
    });
  });
});
