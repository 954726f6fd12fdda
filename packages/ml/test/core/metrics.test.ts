import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/random.js';
import { auc, brierScore, calibrationBins, logLoss, rocCurve } from '../../src/core/training/metrics.js';

/** AUC by definition: P(score_pos > score_neg) + 0.5 P(tie), over all pairs. */
function pairwiseAuc(labels: number[], scores: number[]): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 1) continue;
    for (let j = 0; j < labels.length; j++) {
      if (labels[j] !== 0) continue;
      pairs++;
      if (scores[i]! > scores[j]!) wins++;
      else if (scores[i] === scores[j]) wins += 0.5;
    }
  }
  return wins / pairs;
}

describe('auc', () => {
  it('is 1 for a perfect ranking, 0 for a reversed one, 0.5 when all scores tie', () => {
    expect(auc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])).toBe(1);
    expect(auc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9])).toBe(0);
    expect(auc([0, 1, 0, 1], [0.3, 0.3, 0.3, 0.3])).toBe(0.5);
  });

  it('matches known values, ties counting one half', () => {
    expect(auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(0.75, 12);
    // Pairs (pos, neg): (0.5, 0.5) tie = 0.5, (0.5, 0.2) = 1, (0.9, 0.5) = 1, (0.9, 0.2) = 1 -> 3.5 / 4.
    expect(auc([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9])).toBeCloseTo(0.875, 12);
  });

  it('equals the pairwise definition on random data with many ties', () => {
    const rng = createRng(7);
    const labels = Array.from({ length: 400 }, () => (rng.next() < 0.3 ? 1 : 0));
    const scores = labels.map((y) => Math.round((rng.next() + 0.3 * y) * 8) / 8);
    expect(auc(labels, scores)).toBeCloseTo(pairwiseAuc(labels, scores), 12);
  });

  it('is NaN with one class only and rejects mismatched lengths', () => {
    expect(auc([1, 1], [0.2, 0.4])).toBeNaN();
    expect(() => auc([1, 0], [0.2])).toThrow(/2 labels but 1 scores/);
  });
});

describe('logLoss', () => {
  it('is the mean negative log-likelihood', () => {
    expect(logLoss([1, 0], [0.8, 0.3])).toBeCloseTo(-(Math.log(0.8) + Math.log(0.7)) / 2, 12);
  });

  it('clips probabilities so certain mistakes stay finite', () => {
    expect(logLoss([1], [0])).toBeCloseTo(-Math.log(1e-7), 6);
    expect(logLoss([0], [1], 1e-3)).toBeCloseTo(-Math.log(1e-3), 9);
    expect(logLoss([1, 0], [1, 0])).toBeLessThan(1e-6);
  });
});

describe('curves', () => {
  it('brier, ROC end points and calibration bins', () => {
    expect(brierScore([1, 0], [0.5, 0.5])).toBeCloseTo(0.25, 12);
    const roc = rocCurve([0, 1, 0, 1], [0.1, 0.9, 0.2, 0.8]);
    expect(roc[0]).toEqual({ fpr: 0, tpr: 0 });
    expect(roc[roc.length - 1]).toEqual({ fpr: 1, tpr: 1 });
    expect(roc).toContainEqual({ fpr: 0, tpr: 1 });
    // Two large tie blocks: the point between them must survive thinning.
    const tied = rocCurve(
      [1, 1, 1, 0, 0, 1, 0, 0, 0, 0],
      [0.9, 0.9, 0.9, 0.9, 0.9, 0.1, 0.1, 0.1, 0.1, 0.1],
      2,
    );
    expect(tied).toEqual([
      { fpr: 0, tpr: 0 },
      { fpr: 2 / 6, tpr: 3 / 4 },
      { fpr: 1, tpr: 1 },
    ]);
    const bins = calibrationBins([0, 0, 1, 1], [0.1, 0.2, 0.7, 0.9], 2);
    expect(bins.map((b) => b.count)).toEqual([2, 2]);
    expect(bins[0]!.predicted).toBeCloseTo(0.15, 12);
    expect(bins[1]!.observed).toBe(1);
  });
});
