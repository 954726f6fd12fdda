import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/core/backend.js';
import { createRng } from '../../src/core/random.js';
import { evaluateEngagement } from '../../src/engagement/evaluate.js';
import { renderReport } from '../../src/engagement/report.js';
import { HOUR_MS, type UserHistory } from '../../src/engagement/types.js';

beforeAll(async () => {
  await selectBackend({ force: 'wasm' });
});

function log(users: number, hours: number): UserHistory[] {
  const rng = createRng(5);
  const start = Date.UTC(2024, 0, 1);
  return Array.from({ length: users }, () => {
    const habit = rng.int(24);
    const events: { at: number }[] = [];
    for (let h = 0; h < hours; h++) {
      if (rng.next() < (h % 24 === habit ? 0.7 : 0.02))
        events.push({ at: start + h * HOUR_MS + rng.int(HOUR_MS) });
    }
    return { events };
  });
}

describe('evaluateEngagement', () => {
  it('tunes on folds inside the training window, then scores model and baselines on the test hours', async () => {
    const histories = log(150, 96);
    const result = await evaluateEngagement(histories, {
      trainHours: 72,
      testHours: 24,
      folds: [{ cutoffHours: 48, hours: 24 }],
      candidates: [
        { name: 'a', lr: 0.01, model: { dim: 8, heads: 2, hidden: 8 } },
        { name: 'b', lr: 0.001, model: { dim: 8, heads: 2, hidden: 8 } },
      ],
      maxEpochs: 2,
      maxExamples: 4_000,
      hourBaselineStrengths: [1, 4],
    });
    expect(result.validation.candidates).toHaveLength(2);
    expect(result.validation.candidates[0]!.folds[0]!.epochs).toHaveLength(2);
    expect(result.validation.epochs).toBeGreaterThanOrEqual(1);
    expect(result.training.epochs).toHaveLength(result.validation.epochs);
    expect(result.test.pairs).toBe(result.test.users * 24);
    expect(result.test.model.auc).toBeGreaterThan(result.test.baseline.auc);
    const html = renderReport({
      title: 'test <report>',
      table: { header: ['predictor', 'AUC'], rows: [['model', result.test.model.auc.toFixed(3)]] },
      notes: ['a & b'],
      lossCurve: result.training.curve,
      validationCurves: result.validation.candidates.map((c) => ({
        name: c.candidate.name,
        logLoss: c.meanLogLoss,
      })),
      roc: [{ name: 'model', color: '#000', points: result.test.model.roc }],
      calibration: [{ name: 'model', color: '#000', bins: result.test.model.calibration }],
    });
    expect(html.match(/<svg /g)).toHaveLength(4);
    expect(html).toContain('test &lt;report&gt;');
    expect(html).not.toMatch(/<script|<link|src=/);
    result.model.dispose();
  });
});
