import { describe, expect, it } from 'vitest';
import { BloomFilter } from '../src/bloomFilter.js';

describe('BloomFilter', () => {
  it('never forgets a key and rarely claims one it was not given', () => {
    const bloom = new BloomFilter(10_000, 0.01);
    for (let i = 0; i < 10_000; i++) bloom.add(`view-${i}`);
    for (let i = 0; i < 10_000; i++) expect(bloom.mightContain(`view-${i}`)).toBe(true);
    let false_ = 0;
    for (let i = 0; i < 10_000; i++) if (bloom.mightContain(`other-${i}`)) false_++;
    expect(false_ / 10_000).toBeLessThan(0.03);
  });

  it('degrades without false negatives when overfilled', () => {
    const bloom = new BloomFilter(100, 0.01);
    for (let i = 0; i < 5_000; i++) bloom.add(`k${i}`);
    for (let i = 0; i < 5_000; i++) expect(bloom.mightContain(`k${i}`)).toBe(true);
  });
});
