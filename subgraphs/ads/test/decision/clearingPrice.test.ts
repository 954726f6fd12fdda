import { describe, expect, it } from 'vitest';
import { clearingPrice, ecpmOf } from '../../src/decision/index.js';

const cpm = (bidMicros: number, quality = 1) => ({ bidType: 'CPM' as const, bidMicros, pCtr: 0.01, quality });
const cpc = (bidMicros: number, pCtr: number, quality = 1) => ({
  bidType: 'CPC' as const,
  bidMicros,
  pCtr,
  quality,
});

describe('clearingPrice', () => {
  it('computes eCPM as the CPM bid or CPC bid × pCTR × 1000', () => {
    expect(ecpmOf('CPM', 2_000_000, 0.5)).toBe(2_000_000);
    expect(ecpmOf('CPC', 500_000, 0.01)).toBe(5_000_000);
  });

  it('second price: a CPM winner pays the runner-up + 1 micro, or the floor when higher', () => {
    expect(clearingPrice(cpm(2_000_000), 1_500_000, 0, 'SECOND_PRICE')).toEqual({
      clearingCpmMicros: 1_500_001,
      chargeMicros: 1_500,
    });
    expect(clearingPrice(cpm(2_000_000), 1_500_000, 1_800_000, 'SECOND_PRICE').clearingCpmMicros).toBe(
      1_800_000,
    );
    // Alone: the floor; never above its own bid; at least 1 micro charged.
    expect(clearingPrice(cpm(2_000_000), null, 700_000, 'SECOND_PRICE').chargeMicros).toBe(700);
    expect(clearingPrice(cpm(2_000_000), 5_000_000, 0, 'SECOND_PRICE').clearingCpmMicros).toBe(2_000_000);
    expect(clearingPrice(cpm(2_000_000), null, 0, 'SECOND_PRICE')).toEqual({
      clearingCpmMicros: 1,
      chargeMicros: 1,
    });
  });

  it('second price: a CPC winner pays the runner-up eCPM converted back to a CPC, never above its bid', () => {
    // eCPM 5,000,000 against a CPM runner-up at 3,000,000: CPC = 3,000,001 / (0.01 × 1000), rounded up.
    const p = clearingPrice(cpc(500_000, 0.01), 3_000_000, 0, 'SECOND_PRICE');
    expect(p.chargeMicros).toBe(300_001);
    expect(p.clearingCpmMicros).toBeGreaterThanOrEqual(3_000_001);
    // The floor as reserve, converted the same way.
    expect(clearingPrice(cpc(500_000, 0.01), 1_000_000, 4_000_000, 'SECOND_PRICE').chargeMicros).toBe(
      400_000,
    );
    expect(clearingPrice(cpc(500_000, 0.01), 9_000_000, 0, 'SECOND_PRICE').chargeMicros).toBe(500_000);
  });

  it('second price: a CPM winner against a CPC runner-up, and quality-adjusted scores', () => {
    expect(clearingPrice(cpm(4_000_000), ecpmOf('CPC', 300_000, 0.01), 0, 'SECOND_PRICE').chargeMicros).toBe(
      3_000,
    );
    // Half the quality: it must bid twice the runner-up's score to win, and pays that.
    expect(clearingPrice(cpm(4_000_000, 0.5), 1_000_000, 0, 'SECOND_PRICE').clearingCpmMicros).toBe(
      2_000_001,
    );
  });

  it('first price: the winner pays its own bid', () => {
    expect(clearingPrice(cpm(2_000_000), 1_000_000, 500_000, 'FIRST_PRICE')).toEqual({
      clearingCpmMicros: 2_000_000,
      chargeMicros: 2_000,
    });
    const p = clearingPrice(cpc(500_000, 0.02), 1_000_000, 0, 'FIRST_PRICE');
    expect(p.chargeMicros).toBe(500_000);
    expect(p.clearingCpmMicros).toBe(10_000_000);
  });
});
