import type { SasRecModel, TF } from '@attention-mesh/ml';
import { leftPad } from '@attention-mesh/ml';
import type { RecommendResult, SequenceRecommender } from './types.js';

/**
 * Serves a SASRec model with its item table transposed once, at load: `SasRecModel.recommend` transposes
 * the [items x hidden] table on every call (23,715 x 50 for Games: about as long as the rest of a
 * batch-1 forward pass on wasm), which a served model, whose weights never change, need not repeat.
 * Same results as `recommend`: the last block's features scored against every item by a 2-D matMul.
 */
export function withCachedItemTable(model: SasRecModel, tf: TF): SequenceRecommender {
  const itemsT = tf.tidy(() => tf.transpose(model.itemTable())) as ReturnType<TF['transpose']>;
  const V = model.itemIds.length;
  return {
    itemIds: model.itemIds,
    config: model.config,
    indexOf: (id) => model.indexOf(id),
    itemEmbeddings: () => model.itemEmbeddings(),
    forwardFlops: (batch, len) => model.forwardFlops(batch, len),
    async recommend(histories): Promise<RecommendResult[]> {
      if (histories.length === 0) return [];
      const encoded = histories.map((h) => model.encodeHistory(h));
      const batch = leftPad(encoded);
      const out = tf.tidy(() => {
        const last = model.lastFeatures(batch);
        return { scores: tf.matMul(last.features, itemsT), attention: last.attention };
      });
      let scores: Float32Array;
      let attention: Float32Array;
      try {
        [scores, attention] = (await Promise.all([out.scores.data(), out.attention.data()])) as [
          Float32Array,
          Float32Array,
        ];
      } finally {
        out.scores.dispose();
        out.attention.dispose();
      }
      const L = batch.length;
      return encoded.map((seq, b) => {
        const row = scores.subarray(b * V, (b + 1) * V);
        row[0] = Number.NEGATIVE_INFINITY;
        return {
          scores: row,
          used: seq.map((i) => model.itemIds[i]!),
          attention: attention.slice(b * L + L - seq.length, (b + 1) * L),
        };
      });
    },
    dispose() {
      itemsT.dispose();
      model.dispose();
    },
  };
}
