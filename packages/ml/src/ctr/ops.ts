import * as tf from '@tensorflow/tfjs';

/**
 * `table[ids]` (rows of a [V, d] table for int32 ids [N]) -> [N, d], with a gradient that scatters dy
 * back with scatterND (duplicate ids add up). tf.gather's own gradient is UnsortedSegmentSum, missing on
 * wasm and very slow on cpu (DESIGN.md §5).
 */
export function embeddingLookup(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  const shape = table.shape;
  const lookup = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [t, i, save] = args as [tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
    save([i]);
    return {
      value: tf.gather(t, i),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [si] = saved as [tf.Tensor1D];
        return [tf.scatterND(tf.reshape(si, [-1, 1]), dy, shape), tf.zerosLike(si)];
      },
    };
  }) as (t: tf.Tensor2D, i: tf.Tensor1D) => tf.Tensor2D;
  return lookup(table, ids);
}

/** Mean binary cross-entropy on logits: y * softplus(-z) + (1 - y) * softplus(z). */
export function bceWithLogits(logits: tf.Tensor1D, labels: tf.Tensor1D): tf.Scalar {
  const pos = tf.mul(labels, tf.softplus(tf.neg(logits)));
  const neg = tf.mul(tf.sub(1, labels), tf.softplus(logits));
  return tf.mean(tf.add(pos, neg)) as tf.Scalar;
}
