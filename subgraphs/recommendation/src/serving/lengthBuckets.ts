import type { RecommendResult, SequenceRecommender } from './types.js';

/** Upper bounds of the history-length groups one micro-batch is split into (the last is maxLen). */
export const LENGTH_BUCKETS = [4, 8, 16, 32] as const;

/**
 * Runs a micro-batch as one forward pass per group of similar history length. A batch is padded to its
 * longest history, and the attention and feed-forward layers cost in proportion to that length: Games
 * histories are about 9 items long on average but reach the model's 50, so one long history in a batch
 * of 64 would make every row pay for 50 positions. Results come back in the order of `histories`.
 */
export async function recommendByLength(
  model: SequenceRecommender,
  histories: readonly (readonly string[])[],
): Promise<RecommendResult[]> {
  const maxLen = model.config.maxLen;
  const groups = new Map<number, number[]>();
  histories.forEach((h, i) => {
    let known = 0;
    for (const id of h) if (model.indexOf(id) !== undefined) known++;
    const len = Math.min(known, maxLen);
    const bound = LENGTH_BUCKETS.find((b) => len <= b) ?? maxLen;
    const group = groups.get(bound);
    if (group) group.push(i);
    else groups.set(bound, [i]);
  });
  const out = new Array<RecommendResult>(histories.length);
  for (const indices of groups.values()) {
    const results = await model.recommend(indices.map((i) => histories[i]!));
    indices.forEach((i, k) => {
      out[i] = results[k]!;
    });
  }
  return out;
}
