import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/core/backend.js';
import { createRng } from '../../src/core/random.js';
import { TableAdam } from '../../src/sasrec/tableAdam.js';

beforeAll(async () => {
  await selectBackend({ force: 'wasm' });
});

const V = 12;
const D = 4;

function randomValues(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng.normal());
}

/** Four steps on a [V, D] table, each touching a few rows (rows 9-11 only on the first step). */
const STEPS = [
  [0, 3, 9, 10, 11],
  [1, 3, 5],
  [2, 3],
  [3, 4, 6],
];

function run(optimizer: (table: tf.Variable, rows: number[], grad: tf.Tensor2D) => void): Float32Array {
  const table = tf.variable(tf.tensor2d(randomValues(V * D, 1), [V, D]));
  STEPS.forEach((rows, s) => {
    const grad = tf.tensor2d(randomValues(rows.length * D, 10 + s), [rows.length, D]);
    optimizer(table, rows, grad);
    grad.dispose();
  });
  const out = table.dataSync() as Float32Array;
  table.dispose();
  return out;
}

describe('TableAdam on the item table', () => {
  it('dense: every row moves each step exactly as plain Adam on the scattered gradient', () => {
    const sparse = new TableAdam({ lr: 0.01, beta2: 0.98 });
    const ours = run((table, rows, grad) => {
      const r = tf.tensor1d(rows, 'int32');
      sparse.apply([], [], table, r, grad);
      r.dispose();
    });
    const adam = tf.train.adam(0.01, 0.9, 0.98, 1e-7);
    const reference = run((table, rows, grad) => {
      const full = tf.scatterND(tf.tensor2d(rows, [rows.length, 1], 'int32'), grad, [V, D]);
      adam.applyGradients([{ name: table.name, tensor: full }]);
      full.dispose();
    });
    for (let i = 0; i < V * D; i++) expect(ours[i]).toBeCloseTo(reference[i]!, 5);
    sparse.dispose();
    adam.dispose();
  });

  it('lazy: rows without a gradient in a step keep their values', () => {
    const initial = randomValues(V * D, 1);
    const lazy = new TableAdam({ lr: 0.01, beta2: 0.98, lazyTable: true });
    const after = run((table, rows, grad) => {
      const r = tf.tensor1d(rows, 'int32');
      lazy.apply([], [], table, r, grad);
      r.dispose();
    });
    // Rows 7 and 8 never had a gradient; rows 9-11 had one on the first step only, then stayed put,
    // where dense Adam keeps moving them by their momentum.
    for (const row of [7, 8]) {
      for (let d = 0; d < D; d++) expect(after[row * D + d]).toBe(initial[row * D + d]);
    }
    const dense = new TableAdam({ lr: 0.01, beta2: 0.98 });
    const moved = run((table, rows, grad) => {
      const r = tf.tensor1d(rows, 'int32');
      dense.apply([], [], table, r, grad);
      r.dispose();
    });
    const lazyStep = Math.abs(after[9 * D]! - initial[9 * D]!);
    const denseStep = Math.abs(moved[9 * D]! - initial[9 * D]!);
    expect(denseStep).toBeGreaterThan(2 * lazyStep);
    lazy.dispose();
    dense.dispose();
  });
});
