import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/core/backend.js';
import { createRng } from '../../src/core/random.js';
import { evaluateCtr } from '../../src/ctr/evaluate.js';
import { renderCtrReport } from '../../src/ctr/report.js';
import type { CtrDataset } from '../../src/ctr/types.js';

beforeAll(async () => {
  await selectBackend({ force: 'wasm' });
});

/** Clicks driven by the parity of two fields (an interaction), plus a field that carries nothing. */
function xorDataset(n: number, seed: number): CtrDataset {
  const rng = createRng(seed);
  const rows = [];
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const a = rng.int(4);
    const b = rng.int(4);
    labels[i] = rng.next() < ((a + b) % 2 === 0 ? 0.8 : 0.2) ? 1 : 0;
    rows.push({ a: `a${a}`, b: `b${b}`, noise: rng.int(20) });
  }
  return {
    fields: [
      { name: 'a', kind: 'categorical' },
      { name: 'b', kind: 'categorical' },
      { name: 'noise', kind: 'numeric' },
    ],
    rows,
    labels,
  };
}

describe('evaluateCtr', () => {
  it('picks the winner on validation, scores the test split once, and reports both side by side', async () => {
    const before = tf.memory().numTensors;
    const lines: string[] = [];
    const evaluation = await evaluateCtr(xorDataset(2500, 4), {
      seed: 5,
      minCount: 2,
      epochs: 8,
      candidates: [
        { name: 'logreg l2=0.001', kind: 'logreg', lr: 0.01, l2: 1e-3, dropout: 0 },
        {
          name: 'autoint small',
          kind: 'autoint',
          model: { embeddingDim: 8, layers: 2, heads: 2, headDim: 4 },
          lr: 0.01,
          l2: 0,
          dropout: 0,
        },
      ],
      log: (line) => lines.push(line),
    });
    expect(evaluation.split).toMatchObject({ seed: 5, rows: 2500, train: 2000, validation: 250, test: 250 });
    expect(lines[0]).toMatch(/^split \(seed 5\): 2000 train/);
    const { logreg, autoint } = evaluation.kinds;
    expect(autoint!.validation.logLoss).toBeLessThan(logreg!.validation.logLoss);
    expect(evaluation.winner).toBe('autoint');
    expect(autoint!.test.auc).toBeGreaterThan(logreg!.test.auc + 0.15);
    expect(evaluation.baseRate.test.auc).toBe(0.5);
    expect(evaluation.baseRate.test.meanPrediction).toBeCloseTo(evaluation.split.trainRate, 5);

    const html = renderCtrReport('t', evaluation, { header: ['predictor'], rows: [[autoint!.test.name]] }, [
      'a note',
    ]);
    expect(html).toContain('ROC on the test split.');
    expect(html).toContain('a note');
    expect(html).not.toContain('test hours');

    logreg!.result.model.dispose();
    autoint!.result.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
