import { describe, expect, it } from 'vitest';
import { capsAllow, countWithin, emptyExposureHistory, recordExposure } from '../../src/decision/index.js';

describe('frequency caps', () => {
  const caps = [
    { scope: 'AD' as const, max: 2, windowMs: 1000 },
    { scope: 'CAMPAIGN' as const, max: 3, windowMs: 5000 },
  ];

  it('blocks at exactly max within the window and allows again once the oldest is windowMs old', () => {
    let h = emptyExposureHistory();
    h = recordExposure(h, 'a1', 'c1', 100, 5000);
    expect(capsAllow(caps, 'AD', h, 'a1', 200)).toBe(true);
    h = recordExposure(h, 'a1', 'c1', 200, 5000);
    expect(countWithin(h.ads.a1, 300, 1000)).toBe(2);
    expect(capsAllow(caps, 'AD', h, 'a1', 300)).toBe(false);
    expect(capsAllow(caps, 'AD', h, 'a1', 1099)).toBe(false);
    expect(capsAllow(caps, 'AD', h, 'a1', 1100)).toBe(true);
    expect(capsAllow(caps, 'AD', h, 'a2', 300)).toBe(true);
    h = recordExposure(h, 'a2', 'c1', 300, 5000);
    expect(capsAllow(caps, 'CAMPAIGN', h, 'c1', 400)).toBe(false);
    expect(capsAllow(caps, 'CAMPAIGN', h, 'c1', 5100)).toBe(true);
    expect(capsAllow(caps, 'CAMPAIGN', h, 'c2', 400)).toBe(true);
    expect(capsAllow([], 'CAMPAIGN', h, 'c1', 400)).toBe(true);
    expect(capsAllow(caps, 'AD', undefined, 'a1', 400)).toBe(true);
  });

  it('prunes exposures older than the longest window and leaves its input unchanged', () => {
    const h1 = recordExposure(undefined, 'a1', 'c1', 100, 1000);
    const h2 = recordExposure(h1, 'a2', 'c2', 1100, 1000);
    expect(h1).toEqual({ ads: { a1: [100] }, campaigns: { c1: [100] } });
    expect(h2).toEqual({ ads: { a2: [1100] }, campaigns: { c2: [1100] } });
    const h3 = recordExposure(h2, 'a2', 'c2', 1050, 1000);
    expect(h3.ads.a2).toEqual([1050, 1100]);
  });
});
