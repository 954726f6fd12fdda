/**
 * What serving needs of a sequential recommender (the SASRec model of @attention-mesh/ml satisfies it):
 * a batch of histories scored in one call (SasRecModel runs one forward pass per group of similar
 * history length and one scoring matMul for the batch), scores over every model index, the last block's
 * attention.
 */
export interface SequenceRecommender {
  /** External item id of each model index; index 0 is padding. */
  readonly itemIds: readonly string[];
  readonly config: { maxLen: number; hidden: number; blocks: number; heads: number };
  indexOf(itemId: string): number | undefined;
  recommend(histories: readonly (readonly string[])[]): Promise<RecommendResult[]>;
  itemEmbeddings(): Promise<Float32Array>;
  forwardFlops(batch: number, len: number): number;
  dispose(): void;
}

export interface RecommendResult {
  /** One score per model index (index 0 = -Infinity); may be a view into the batch's buffer: read only. */
  scores: Float32Array;
  /** The history items the model used (last maxLen known ones, oldest first). */
  used: string[];
  /** The last block's attention of the last position over `used`. */
  attention: Float32Array;
}
