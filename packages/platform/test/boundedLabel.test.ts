import { describe, expect, it } from 'vitest';
import { BoundedLabel, OTHER_LABEL } from '../src/metrics/boundedLabel.js';

describe('BoundedLabel', () => {
  it('keeps the first distinct names and reports every later one as __other', () => {
    const names = new BoundedLabel(2);
    expect(names.of('Profile')).toBe('Profile');
    expect(names.of('Feed')).toBe('Feed');
    expect(names.of('Third')).toBe(OTHER_LABEL);
    // A kept name stays kept; a refused one stays refused.
    expect(names.of('Profile')).toBe('Profile');
    expect(names.of('Third')).toBe(OTHER_LABEL);
  });

  it('refuses what is not a short name without spending a place on it', () => {
    const names = new BoundedLabel(1);
    expect(names.of('a"b')).toBe(OTHER_LABEL);
    expect(names.of('x'.repeat(65))).toBe(OTHER_LABEL);
    expect(names.of('')).toBe(OTHER_LABEL);
    expect(names.of('Ok_1')).toBe('Ok_1');
  });
});
