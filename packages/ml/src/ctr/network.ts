import * as tf from '@tensorflow/tfjs';
import { dense, gatherRows, matMul } from '../core/ops.js';
import type { Rng } from '../core/random.js';
import type { CtrModelConfig } from './config.js';

/** Weight names and shapes of a model with `vocab` ids over `fields` fields. */
export function weightShapes(c: CtrModelConfig, vocab: number, fields: number): [string, number[]][] {
  if (c.kind === 'logreg') {
    return [
      ['linear/weights', [vocab, 1]],
      ['out/bias', [1]],
    ];
  }
  const D = c.heads * c.headDim;
  const shapes: [string, number[]][] = [['embedding', [vocab, c.embeddingDim]]];
  for (let l = 0; l < c.layers; l++) {
    const din = l === 0 ? c.embeddingDim : D;
    for (const part of ['query', 'key', 'value', 'residual']) shapes.push([`layer${l}/${part}`, [din, D]]);
  }
  shapes.push(['out/kernel', [fields * D, 1]], ['out/bias', [1]]);
  if (c.linear) shapes.push(['linear/weights', [vocab, 1]]);
  return shapes;
}

/** Initial values: embeddings N(0, 0.05²), linear weights and biases 0, matrices Glorot uniform. */
export function initialValues(name: string, shape: number[], rng: Rng): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  if (shape.length === 1 || name === 'linear/weights') return values;
  if (name === 'embedding') {
    for (let i = 0; i < size; i++) values[i] = rng.normal() * 0.05;
    return values;
  }
  const limit = Math.sqrt(6 / (shape[0]! + shape[1]!));
  for (let i = 0; i < size; i++) values[i] = (rng.next() * 2 - 1) * limit;
  return values;
}

export interface ForwardOptions {
  /** Dropout rate on each interacting layer's output (training only; default 0). */
  dropout?: number;
  /** Seed of the dropout masks. */
  dropoutSeed?: number;
}

/**
 * Logits [B] for ids [B * F] (row-major, see FeatureEncoder.encode); call inside tf.tidy or a gradient
 * scope. The attention over fields runs as batched matMuls over B x heads small [F, F] products, and the
 * projections as plain 2-D matMuls on [B * F, d] (the fast path on wasm).
 */
export function forward(
  c: CtrModelConfig,
  w: (name: string) => tf.Tensor,
  ids: tf.Tensor1D,
  B: number,
  F: number,
  options: ForwardOptions = {},
): tf.Tensor1D {
  const linear = () =>
    tf.sum(tf.reshape(gatherRows(w('linear/weights') as tf.Tensor2D, ids), [B, F]), 1) as tf.Tensor1D;
  if (c.kind === 'logreg') return tf.add(linear(), w('out/bias')) as tf.Tensor1D;

  const H = c.heads;
  const dh = c.headDim;
  const D = H * dh;
  const dropout = options.dropout ?? 0;
  let x = gatherRows(w('embedding') as tf.Tensor2D, ids); // [B*F, d]
  for (let l = 0; l < c.layers; l++) {
    const heads = (t: tf.Tensor2D, perm: number[], shape: number[]) =>
      tf.reshape(tf.transpose(tf.reshape(t, [B, F, H, dh]), perm), shape);
    const q = heads(dense(x, w(`layer${l}/query`)), [0, 2, 1, 3], [B * H, F, dh]);
    const k = heads(dense(x, w(`layer${l}/key`)), [0, 2, 3, 1], [B * H, dh, F]);
    const v = heads(dense(x, w(`layer${l}/value`)), [0, 2, 1, 3], [B * H, F, dh]);
    const attention = tf.softmax(tf.mul(matMul(q, k), 1 / Math.sqrt(dh))); // [B*H, F, F]
    const attended = tf.reshape(tf.transpose(tf.reshape(matMul(attention, v), [B, H, F, dh]), [0, 2, 1, 3]), [
      B * F,
      D,
    ]);
    x = tf.relu(tf.add(attended, dense(x, w(`layer${l}/residual`)))) as tf.Tensor2D;
    if (dropout > 0) x = tf.dropout(x, dropout, undefined, (options.dropoutSeed ?? 0) + l) as tf.Tensor2D;
  }
  let logits = tf.add(
    tf.reshape(dense(tf.reshape(x, [B, F * D]), w('out/kernel')), [B]),
    w('out/bias'),
  ) as tf.Tensor1D;
  if (c.linear) logits = tf.add(logits, linear());
  return logits;
}

/** Names of the weights the L2 penalty applies to: the per-value parameters (embeddings, linear weights). */
export function penalisedWeights(c: CtrModelConfig): string[] {
  if (c.kind === 'logreg') return ['linear/weights'];
  return c.linear ? ['embedding', 'linear/weights'] : ['embedding'];
}
