/**
 * The tensor ops every model is built from where tfjs 4.22's own are slow or broken on a backend (DESIGN.md
 * §5): each one here exists because of a measured trap, so models use these instead of the tf.* op.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * `a @ b` for rank-2 (or rank-3, batched) operands, with a gradient that transposes explicitly. The
 * built-in gradient calls matMul with transposeA/transposeB, which on the wasm backend falls into a
 * generic loop about 10x slower than a plain matMul.
 */
export const matMul = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [a, b, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [tf.Tensor, tf.Tensor];
      const perm = sa.rank === 3 ? [0, 2, 1] : [1, 0];
      return [tf.matMul(dy, tf.transpose(sb, perm)), tf.matMul(tf.transpose(sa, perm), dy)];
    },
  };
}) as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/** `x @ w + b` on rank-2 input, through `matMul` (so its gradient transposes explicitly too). */
export function dense(x: tf.Tensor2D, w: tf.Tensor, b?: tf.Tensor): tf.Tensor2D {
  const y = matMul(x, w) as tf.Tensor2D;
  return b ? tf.add(y, b) : y;
}

/**
 * `table[indices]` (rows of a [V, d] table for int32 indices [N]) -> [N, d], with a gradient that scatters
 * dy back with scatterND (duplicate indices add up): the embedding lookup of every model. tf.gather's own
 * gradient is UnsortedSegmentSum, missing on wasm and very slow on cpu.
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

/**
 * Binary cross-entropy of each logit: y * softplus(-z) + (1 - y) * softplus(z). Written with softplus
 * (-log(sigmoid(z)) = softplus(-z)) because tf.logSigmoid's gradient crashes.
 */
function bceTerms(logits: tf.Tensor1D, labels: tf.Tensor1D): tf.Tensor1D {
  const pos = tf.mul(labels, tf.softplus(tf.neg(logits)));
  const neg = tf.mul(tf.sub(1, labels), tf.softplus(logits));
  return tf.add(pos, neg);
}

/** Mean binary cross-entropy on logits. */
export function bceWithLogits(logits: tf.Tensor1D, labels: tf.Tensor1D): tf.Scalar {
  return tf.mean(bceTerms(logits, labels)) as tf.Scalar;
}

/** Weighted binary cross-entropy on logits: sum(w * bce) / sum(w). */
export function weightedBce(logits: tf.Tensor1D, labels: tf.Tensor1D, weights: tf.Tensor1D): tf.Scalar {
  return tf.div(tf.sum(tf.mul(weights, bceTerms(logits, labels))), tf.sum(weights)) as tf.Scalar;
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
