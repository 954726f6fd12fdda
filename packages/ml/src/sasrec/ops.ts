import * as tf from '@tensorflow/tfjs';

/**
 * `table[indices]` (rows) with a gradient built by `scatterND` (duplicates summed). tf.gather's own
 * gradient is UnsortedSegmentSum, missing on wasm and very slow on cpu (DESIGN.md §5).
 */
export function gatherRows(table: tf.Tensor2D, indices: tf.Tensor1D): tf.Tensor2D {
  return gatherWithScatterGrad(table, indices);
}

const gatherWithScatterGrad = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [table, indices, save] = args as [tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
  // The indices must be saved: tensors only captured by the closure are freed before the backward pass.
  save([indices]);
  const shape = table.shape;
  return {
    value: tf.gather(table, indices),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [idx] = saved as [tf.Tensor1D];
      return [tf.scatterND(tf.expandDims(idx, 1), dy, shape), tf.zerosLike(idx)];
    },
  };
}) as (table: tf.Tensor2D, indices: tf.Tensor1D) => tf.Tensor2D;

/** Layer normalisation over the last axis of a [n, d] tensor. */
export function layerNorm(x: tf.Tensor2D, gamma: tf.Tensor, beta: tf.Tensor, epsilon = 1e-8): tf.Tensor2D {
  const { mean, variance } = tf.moments(x, 1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, epsilon))), gamma), beta);
}

/** Inverted dropout with a seeded mask (reproducible runs); identity when `rate` is 0. */
export function dropout<T extends tf.Tensor>(x: T, rate: number, seed: number): T {
  if (rate <= 0) return x;
  const keep = tf.cast(tf.greaterEqual(tf.randomUniform(x.shape, 0, 1, 'float32', seed), rate), 'float32');
  return tf.mul(x, tf.mul(keep, 1 / (1 - rate))) as T;
}

/**
 * Softmax cross-entropy of each row of `logits` [n, k] with the target in column 0: logSumExp(row) - row[0].
 * The custom gradient (softmax - onehot) avoids tf.logSumExp's, whose max-gradient runs a broadcast
 * Equal that is very slow on wasm.
 */
export const firstColumnCrossEntropy = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [logits, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
  const [n, k] = logits.shape;
  const max = tf.max(logits, 1, true);
  const shifted = tf.sub(logits, max);
  const exp = tf.exp(shifted);
  const sum = tf.sum(exp, 1, true);
  const probs = tf.div(exp, sum);
  save([probs]);
  const value = tf.reshape(tf.sub(tf.log(sum), tf.slice(shifted, [0, 0], [n, 1])), [n]);
  return {
    value,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [p] = saved as [tf.Tensor2D];
      const first = tf.concat([tf.ones([n, 1]), tf.zeros([n, k - 1])], 1);
      return tf.mul(tf.sub(p, first), tf.reshape(dy, [n, 1]));
    },
  };
}) as (logits: tf.Tensor2D) => tf.Tensor1D;
