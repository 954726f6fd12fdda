import * as tf from '@tensorflow/tfjs';

/**
 * `a @ b` for rank-2 (or rank-3, batched) operands, with a gradient that transposes explicitly. The
 * built-in gradient calls matMul with transposeA/transposeB, which on the wasm backend falls into a
 * generic loop about 10x slower than a plain matMul (DESIGN.md §5).
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

/** `x @ w + b` on rank-2 input. */
export function dense(x: tf.Tensor2D, w: tf.Tensor, b?: tf.Tensor): tf.Tensor2D {
  const y = matMul(x, w) as tf.Tensor2D;
  return b ? tf.add(y, b) : y;
}

/** log(sigmoid(x)) as -softplus(-x): stable, and its gradient works on every backend (tf.logSigmoid's crashes). */
export function logSigmoid(x: tf.Tensor): tf.Tensor {
  return tf.neg(tf.softplus(tf.neg(x)));
}

/**
 * Weighted binary cross-entropy on logits: sum(w * (y * softplus(-z) + (1 - y) * softplus(z))) / sum(w).
 */
export function weightedBce(logits: tf.Tensor1D, labels: tf.Tensor1D, weights: tf.Tensor1D): tf.Scalar {
  const pos = tf.mul(labels, tf.softplus(tf.neg(logits)));
  const neg = tf.mul(tf.sub(1, labels), tf.softplus(logits));
  return tf.div(tf.sum(tf.mul(weights, tf.add(pos, neg))), tf.sum(weights)) as tf.Scalar;
}
