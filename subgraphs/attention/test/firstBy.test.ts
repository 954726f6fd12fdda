import { describe, expect, it } from 'vitest';
import { firstBy } from '../src/analytics/firstBy.js';

describe('firstBy', () => {
  it('gives what a full sort then a slice gives, ties included', () => {
    let seed = 3;
    const rnd = () => {
      seed = (seed * 16_807) % 2_147_483_647;
      return seed / 2_147_483_647;
    };
    const rows = Array.from({ length: 2000 }, (_, i) => ({ key: `k${i}`, value: Math.floor(rnd() * 20) }));
    const compare = (a: (typeof rows)[number], b: (typeof rows)[number]) =>
      b.value - a.value || a.key.localeCompare(b.key);
    for (const k of [1, 7, 100, 2000, 5000])
      expect(firstBy(rows, k, compare)).toEqual([...rows].sort(compare).slice(0, k));
    expect(firstBy(rows, 0, compare)).toEqual([]);
    expect(firstBy([], 5, compare)).toEqual([]);
  });
});
