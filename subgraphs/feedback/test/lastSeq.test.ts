import { describe, expect, it } from 'vitest';
import { lastSeq } from '../src/history/userFeedbackIndex.js';

describe('lastSeq', () => {
  it('finds the end of a gapless list by few exact lookups', async () => {
    for (const n of [0, 1, 2, 7, 8, 1000, 200_000]) {
      let lookups = 0;
      const exists = async (s: number) => {
        lookups++;
        return s >= 1 && s <= n;
      };
      expect(await lastSeq(exists)).toBe(n);
      expect(lookups).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(n + 2)) + 2);
    }
  });

  it('starts from a known entry', async () => {
    expect(await lastSeq(async (s) => s <= 57, 50)).toBe(57);
    expect(await lastSeq(async (s) => s <= 50, 50)).toBe(50);
  });
});
