import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/core/backend.js';
import { gatherRows } from '../../src/core/ops.js';
import { createRng } from '../../src/core/random.js';
import { latestVersion, saveVersion } from '../../src/core/registry.js';
import { auc } from '../../src/core/training/metrics.js';
import { FeatureEncoder } from '../../src/ctr/encoder.js';
import { CtrModel, loadCtrModel } from '../../src/ctr/model.js';
import { trainCtrModel } from '../../src/ctr/train.js';
import { CTR_MODEL_NAME, type CtrFields, type FieldSpec } from '../../src/ctr/types.js';

const dir = mkdtempSync(join(tmpdir(), 'ml-ctr-model-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await selectBackend({ force: 'wasm' });
});

const FIELDS: FieldSpec[] = [
  { name: 'a', kind: 'categorical' },
  { name: 'b', kind: 'categorical' },
  { name: 'noise', kind: 'categorical' },
  { name: 'count', kind: 'numeric' },
];

/**
 * Rows over fields a, b (4 values each), a noise field and a count. `xor`: clicks are likely when the
 * parities of a and b agree, an interaction with no main effect (every value of a alone clicks half the
 * time), so a model additive in the fields cannot rank it. Otherwise the click logit is additive in a and b.
 */
function synthetic(n: number, seed: number, xor: boolean): { rows: CtrFields[]; labels: Uint8Array } {
  const rng = createRng(seed);
  const rows: CtrFields[] = [];
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const a = rng.int(4);
    const b = rng.int(4);
    const p = xor ? ((a + b) % 2 === 0 ? 0.85 : 0.15) : 1 / (1 + Math.exp(-(1.2 * a - 1.2 * b)));
    labels[i] = rng.next() < p ? 1 : 0;
    rows.push({ a: `a${a}`, b: `b${b}`, noise: `n${rng.int(10)}`, count: rng.int(50) });
  }
  return { rows, labels };
}

const SMALL = { embeddingDim: 8, layers: 2, heads: 2, headDim: 4 };

async function fitBoth(xor: boolean) {
  const train = synthetic(2000, 1, xor);
  const validation = synthetic(400, 2, xor);
  const test = synthetic(1000, 3, xor);
  const encoder = FeatureEncoder.fit(train.rows, FIELDS, 2);
  const enc = (d: typeof train) => ({ ids: encoder.encode(d.rows), labels: d.labels });
  const common = { epochs: 12, patience: 3, batchSize: 128, lr: 0.01, seed: 3 };
  const lr = await trainCtrModel(encoder, enc(train), enc(validation), {
    ...common,
    model: { kind: 'logreg' },
  });
  const ai = await trainCtrModel(encoder, enc(train), enc(validation), {
    ...common,
    model: { kind: 'autoint', ...SMALL },
  });
  const scores = {
    logreg: auc(test.labels, await lr.model.predict(test.rows)),
    autoint: auc(test.labels, await ai.model.predict(test.rows)),
  };
  lr.model.dispose();
  ai.model.dispose();
  return scores;
}

describe('CTR models on synthetic clicks', () => {
  it('AutoInt learns a field interaction that logistic regression cannot', async () => {
    const scores = await fitBoth(true);
    // The oracle ranks at AUC 0.85; an additive model is near chance.
    expect(scores.logreg).toBeLessThan(0.6);
    expect(scores.autoint).toBeGreaterThan(0.8);
  });

  it('both learn additive field effects', async () => {
    const scores = await fitBoth(false);
    expect(scores.logreg).toBeGreaterThan(0.75);
    expect(scores.autoint).toBeGreaterThan(0.75);
  });
});

describe('CtrModel', () => {
  const data = synthetic(300, 9, true);
  const encoder = FeatureEncoder.fit(data.rows, FIELDS, 1);

  it('scatters embedding gradients back to the looked-up rows, duplicates added', () => {
    const table = tf.variable(tf.randomNormal([5, 3]));
    const ids = tf.tensor1d([1, 3, 1], 'int32');
    const { grads, value } = tf.variableGrads(
      () =>
        tf.sum(
          tf.mul(gatherRows(table as tf.Tensor2D, ids), tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8, 9], [3, 3])),
        ) as tf.Scalar,
      [table],
    );
    expect(Array.from(grads[table.name]!.dataSync())).toEqual([
      0, 0, 0, 8, 10, 12, 0, 0, 0, 4, 5, 6, 0, 0, 0,
    ]);
    tf.dispose([table, ids, value, grads[table.name]!]);
  });

  for (const kind of ['autoint', 'logreg'] as const) {
    it(`${kind}: predicts in one pass without leaking tensors, and round-trips through save/load`, async () => {
      const model = CtrModel.create(encoder, { kind, ...SMALL, seed: 4, predictBatchSize: 128 });
      expect(model.kind).toBe(kind);
      expect(model.fields).toEqual(['a', 'b', 'noise', 'count']);
      // Untrained logreg weights are zero: give it some so the round trip is not trivially equal.
      if (kind === 'logreg') {
        const [w] = model.trainableVariables();
        tf.tidy(() => w!.assign(tf.randomNormal(w!.shape, 0, 1, 'float32', 5)));
      }
      const first = await model.predict(data.rows);
      expect(first).toHaveLength(300);
      expect(first.every((p) => p > 0 && p < 1)).toBe(true);
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) await model.predict(data.rows);
      expect(tf.memory().numTensors).toBe(before);

      // One row alone, with an unseen value and a missing field, gets the same probability as in a batch.
      const odd = { a: 'never-seen', b: 'b1', count: null };
      const together = await model.predict([...data.rows.slice(0, 5), odd]);
      const alone = await model.predict([odd]);
      expect(alone[0]).toBeCloseTo(together[5]!, 5);

      const path = join(dir, kind);
      await model.save(path);
      const loaded = await loadCtrModel(path);
      expect(loaded.kind).toBe(kind);
      expect(Array.from(await loaded.predict(data.rows))).toEqual(Array.from(first));
      loaded.dispose();
      model.dispose();
      expect(tf.memory().numTensors).toBe(before - model.trainableVariables().length);
      await expect(model.predict(data.rows)).rejects.toThrow(/disposed/);
    });
  }

  it('loadCtrModel serves the newest registry version', async () => {
    const root = join(dir, 'registry');
    expect(await latestVersion(root, CTR_MODEL_NAME)).toBeUndefined();
    const model = CtrModel.create(encoder, { kind: 'autoint', ...SMALL, seed: 8 });
    const expected = await model.predict(data.rows.slice(0, 20));
    await saveVersion(root, CTR_MODEL_NAME, async (d) => {
      await model.save(d);
      return { kind: 'autoint' };
    });
    model.dispose();
    const latest = await loadCtrModel((await latestVersion(root, CTR_MODEL_NAME))!.dir);
    expect(latest.kind).toBe('autoint');
    expect(Array.from(await latest.predict(data.rows.slice(0, 20)))).toEqual(Array.from(expected));
    latest.dispose();
  });
});
