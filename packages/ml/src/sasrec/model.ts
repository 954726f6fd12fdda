import * as tf from '@tensorflow/tfjs';
import { dense, gatherRows, matMul } from '../core/ops.js';
import { createRng, type Rng } from '../core/random.js';
import { loadWeights, readModelFile, saveWeights } from '../core/weightsFile.js';
import { groupByLength, type IndexBatch, leftPad } from './batches.js';
import { dropout, layerNorm } from './layers.js';
import {
  checkSasRecConfig,
  checkVocabulary,
  initialValues,
  type SasRecConfig,
  weightShapes,
} from './weights.js';

export { groupByLength, type IndexBatch, LENGTH_GROUPS, leftPad } from './batches.js';
export type { SasRecConfig } from './weights.js';

/** The registry name SASRec models are saved under. */
export const SASREC_MODEL_NAME = 'sasrec';
const SASREC_FORMAT = {
  format: 'attention-mesh/sasrec-model',
  formatVersion: 1,
  what: 'a SASRec model',
};
/** Added to masked attention scores. */
const MASKED = -1e9;

/** The forward pass's outputs: features [size * length, hidden] and the last block's attention weights. */
export interface Forward {
  features: tf.Tensor2D;
  /** [size * heads, length, length], softmax over the last axis. */
  attention: tf.Tensor3D;
}

/**
 * SASRec (Kang & McAuley, 2018): item plus learned positional embeddings, causal self-attention blocks
 * (pre-norm query, dropout on the attention weights, residual, layer norm, point-wise feed-forward with
 * dropout), a final layer norm, and item scores as dot products with the same item embedding table
 * used for the input.
 */
export class SasRecModel {
  /** Item vocabulary: itemIds[i] is the external item id of model index i; index 0 is padding (''). */
  readonly itemIds: readonly string[];
  readonly config: SasRecConfig;
  private readonly weights: Map<string, tf.Variable>;
  private readonly index: Map<string, number>;
  private transposed: { dataId: object; tensor: tf.Tensor2D } | undefined;
  private disposed = false;

  private constructor(itemIds: readonly string[], config: SasRecConfig, weights: Map<string, tf.Variable>) {
    this.itemIds = itemIds;
    this.config = config;
    this.weights = weights;
    this.index = new Map();
    for (let i = 1; i < itemIds.length; i++) this.index.set(itemIds[i]!, i);
  }

  /** A freshly initialised model over `itemIds` (itemIds[0] must be '', the padding index). */
  static create(itemIds: readonly string[], config: SasRecConfig, seed: number): SasRecModel {
    const c = checkSasRecConfig(config);
    const ids = checkVocabulary(itemIds);
    const rng = createRng(seed);
    const weights = new Map<string, tf.Variable>();
    for (const [name, shape] of weightShapes(c, ids.length)) {
      weights.set(name, tf.variable(tf.tensor(initialValues(name, shape, rng), shape), true, undefined));
    }
    return new SasRecModel(ids, c, weights);
  }

  /** Loads a model written by `save(dir)`. */
  static async load(dir: string): Promise<SasRecModel> {
    const file = await readModelFile<{ config: SasRecConfig; itemIds: string[] }>(dir, SASREC_FORMAT);
    const config = checkSasRecConfig(file.config);
    const itemIds = checkVocabulary(file.itemIds);
    return new SasRecModel(itemIds, config, await loadWeights(dir, weightShapes(config, itemIds.length)));
  }

  /** Writes `model.json` (config, vocabulary, weight layout) and `weights.bin` (float32, little-endian) into `dir`. */
  async save(dir: string): Promise<void> {
    this.assertLive();
    await saveWeights(dir, SASREC_FORMAT, { config: this.config, itemIds: [...this.itemIds] }, this.weights);
  }

  /** The model index of an external item id (undefined when not in the vocabulary). */
  indexOf(itemId: string): number | undefined {
    return this.index.get(itemId);
  }

  /** Model indices of a history (unknown ids skipped), trimmed to the last maxLen. */
  encodeHistory(history: readonly string[]): number[] {
    const out: number[] = [];
    for (const id of history) {
      const i = this.index.get(id);
      if (i !== undefined) out.push(i);
    }
    return out.length > this.config.maxLen ? out.slice(out.length - this.config.maxLen) : out;
  }

  /**
   * Inference for a batch of histories (external item ids, oldest first; unknown ids skipped; trimmed to
   * the last maxLen). For each: scores over all model indices (index 0 = -Infinity) and the last block's
   * attention weights of the last position over the history items used (mean over heads, oldest first).
   */
  async recommend(
    histories: readonly (readonly string[])[],
  ): Promise<{ scores: Float32Array; used: string[]; attention: Float32Array }[]> {
    this.assertLive();
    if (histories.length === 0) return [];
    const encoded = histories.map((h) => this.encodeHistory(h));
    const groups = groupByLength(
      encoded.map((s) => s.length),
      this.config.maxLen,
    );
    const table = this.scoringTable();
    // One forward pass per length group, then one scoring matMul over all of them: row r of the scores
    // is history order[r].
    const order = groups.flat();
    const batches = groups.map((g) => leftPad(g.map((i) => encoded[i]!)));
    const { scores, attentions } = tf.tidy(() => {
      const lasts = batches.map((b) => this.lastFeatures(b));
      const features = lasts.length === 1 ? lasts[0]!.features : tf.concat(lasts.map((l) => l.features));
      return { scores: tf.matMul(features, table), attentions: lasts.map((l) => l.attention) };
    });
    let values: Float32Array[];
    try {
      values = (await Promise.all([scores.data(), ...attentions.map((a) => a.data())])) as Float32Array[];
    } finally {
      scores.dispose();
      for (const a of attentions) a.dispose();
    }
    const [scoreValues, ...attentionValues] = values as [Float32Array, ...Float32Array[]];
    const V = this.itemIds.length;
    const out = new Array<{ scores: Float32Array; used: string[]; attention: Float32Array }>(
      histories.length,
    );
    let r = 0;
    groups.forEach((group, g) => {
      const L = batches[g]!.length;
      const att = attentionValues[g]!;
      group.forEach((i, b) => {
        // Views into the batch's one buffer: a row is 95 KB for Games, and callers only read it.
        const row = scoreValues.subarray(r * V, (r + 1) * V);
        row[0] = Number.NEGATIVE_INFINITY;
        const seq = encoded[i]!;
        out[i] = {
          scores: row,
          used: seq.map((id) => this.itemIds[id]!),
          attention: att.slice(b * L + L - seq.length, (b + 1) * L),
        };
        r++;
      });
    });
    if (r !== order.length) throw new Error('SASRec recommend: rows and histories disagree');
    return out;
  }

  /**
   * The item table transposed [hidden, V] for scoring, computed once per value of the table: a transpose
   * of 23,715 x 50 costs about as much as the rest of a batch-1 forward pass on wasm. Keyed by the
   * table's data id, which `Variable.assign` replaces, so a model still being trained never scores with
   * stale weights.
   */
  private scoringTable(): tf.Tensor2D {
    const table = this.w('item/embedding');
    if (this.transposed?.dataId !== table.dataId) {
      this.transposed?.tensor.dispose();
      this.transposed = { dataId: table.dataId, tensor: tf.tidy(() => tf.transpose(table)) as tf.Tensor2D };
    }
    return this.transposed.tensor;
  }

  /** The output (= input) item embedding table, row-major (itemIds.length x hidden). */
  async itemEmbeddings(): Promise<Float32Array> {
    this.assertLive();
    return new Float32Array((await this.w('item/embedding').data()) as Float32Array);
  }

  /**
   * Multiply-adds x2 of one inference forward pass (`lastFeatures`, then scoring) for `batch` sequences of
   * length `len` scored against all items: every block but the last over all positions, the last block's
   * keys and values over all positions and the rest of it for the last position only.
   */
  forwardFlops(batch: number, len: number): number {
    const d = this.config.hidden;
    const fullBlock = 6 * batch * len * d * d + 2 * batch * len * len * d;
    const lastBlock = 2 * batch * len * d * d + 4 * batch * d * d + 2 * batch * len * d;
    return 2 * ((this.config.blocks - 1) * fullBlock + lastBlock + batch * d * this.itemIds.length);
  }

  /** Number of trainable parameters. */
  parameterCount(): number {
    let n = 0;
    for (const v of this.weights.values()) n += v.size;
    return n;
  }

  /** The trainable variables, in a stable order. */
  trainableVariables(): tf.Variable[] {
    return [...this.weights.values()];
  }

  /** The item embedding table [V, hidden] (a variable; do not dispose). */
  itemTable(): tf.Variable {
    return this.w('item/embedding');
  }

  /**
   * Features of the last position of each sequence [size, hidden] and the last block's attention of that
   * position over the keys [size, length] (mean over heads); call inside tf.tidy. The same values as
   * `forward` at the last positions, but the last block computes its query, attention, output projection
   * and feed-forward for the last position only (inference reads nothing else).
   */
  lastFeatures(batch: IndexBatch): { features: tf.Tensor2D; attention: tf.Tensor2D } {
    this.assertLive();
    const { size: B, length: L, ids } = batch;
    const { hidden: d, heads: h, blocks } = this.config;
    const dh = d / h;
    const w = (name: string) => this.w(name);
    const { x: before, maskAdd } = this.embed(batch, blocks - 1);
    const p = `block${blocks - 1}`;
    // The last position of each row: its input, its mask row (over all keys) and whether it is an item.
    const xLast = tf.reshape(tf.slice(tf.reshape(before, [B, L, d]), [0, L - 1, 0], [B, 1, d]), [B, d]);
    const maskLast = tf.slice(maskAdd, [0, L - 1, 0], [B, 1, L]);
    const lastValid = new Float32Array(B);
    for (let b = 0; b < B; b++) lastValid[b] = ids[b * L + L - 1] !== 0 ? 1 : 0;

    const q = layerNorm(xLast as tf.Tensor2D, w(`${p}/attnNorm/gamma`), w(`${p}/attnNorm/beta`));
    const qs = dense(q, w(`${p}/query/kernel`), w(`${p}/query/bias`));
    const ks = dense(before, w(`${p}/key/kernel`), w(`${p}/key/bias`));
    const vs = dense(before, w(`${p}/value/kernel`), w(`${p}/value/bias`));
    // [B * h, rows, dh] per head (rows = 1 for the query, L for keys and values).
    const split = (t: tf.Tensor2D, rows: number) =>
      h === 1
        ? tf.reshape(t, [B, rows, d])
        : tf.reshape(tf.transpose(tf.reshape(t, [B, rows, h, dh]), [0, 2, 1, 3]), [B * h, rows, dh]);
    const keysT = tf.transpose(split(ks, L), [0, 2, 1]);
    let scores = tf.mul(tf.matMul(split(qs, 1), keysT), 1 / Math.sqrt(dh)) as tf.Tensor3D;
    scores =
      h === 1
        ? tf.add(scores, maskLast)
        : tf.reshape(tf.add(tf.reshape(scores, [B, h, 1, L]), tf.reshape(maskLast, [B, 1, 1, L])), [
            B * h,
            1,
            L,
          ]);
    const weights = tf.softmax(scores) as tf.Tensor3D;
    const attended = tf.reshape(tf.matMul(weights, split(vs, L)), [B, d]) as tf.Tensor2D;
    // With h > 1 the heads' outputs are concatenated per row: [B * h, 1, dh] in head order is that.
    const projected = dense(attended, w(`${p}/out/kernel`), w(`${p}/out/bias`));
    const x = tf.add(q, projected) as tf.Tensor2D;
    const f = layerNorm(x, w(`${p}/ffnNorm/gamma`), w(`${p}/ffnNorm/beta`));
    const inner = tf.relu(dense(f, w(`${p}/ffn1/kernel`), w(`${p}/ffn1/bias`))) as tf.Tensor2D;
    const outer = dense(inner, w(`${p}/ffn2/kernel`), w(`${p}/ffn2/bias`));
    const out = tf.mul(tf.add(f, outer), tf.tensor2d(lastValid, [B, 1])) as tf.Tensor2D;
    const features = layerNorm(out, w('final/gamma'), w('final/beta'));
    const attention = tf.mean(tf.reshape(weights, [B, h, L]), 1) as tf.Tensor2D;
    return { features, attention };
  }

  /** Scores [n, V] of features [n, hidden] against every item (2-D matMul, explicit transpose). */
  scoreAll(features: tf.Tensor2D): tf.Tensor2D {
    return matMul(features, tf.transpose(this.w('item/embedding'))) as tf.Tensor2D;
  }

  /** The trainable variables other than the item embedding table, in a stable order. */
  denseVariables(): tf.Variable[] {
    return [...this.weights.entries()].filter(([name]) => name !== 'item/embedding').map(([, v]) => v);
  }

  /**
   * The forward pass over a left-padded batch; call inside tf.tidy or a gradient scope. With `rng`,
   * dropout is applied (training). With `table`, `batch.ids` index its rows instead of the item
   * embedding table (training passes the rows a batch uses; row 0 must be the padding row).
   */
  forward(batch: IndexBatch, rng?: Rng, table?: tf.Tensor2D): Forward {
    const { x, attention } = this.embed(batch, this.config.blocks, rng, table);
    const features = layerNorm(x, this.w('final/gamma'), this.w('final/beta'));
    return { features, attention: attention! };
  }

  /**
   * The embeddings of a batch through the first `blocks` blocks [size * length, hidden], with the
   * timeline (1 for items, 0 for padding), the additive attention mask and the last block's attention.
   */
  private embed(
    batch: IndexBatch,
    blocks: number,
    rng?: Rng,
    table?: tf.Tensor2D,
  ): { x: tf.Tensor2D; timeline: tf.Tensor2D; maskAdd: tf.Tensor3D; attention: tf.Tensor3D | undefined } {
    this.assertLive();
    const { size: B, length: L, ids } = batch;
    const { hidden: d, heads: h, maxLen } = this.config;
    if (L > maxLen) throw new Error(`SASRec batch length ${L} exceeds maxLen ${maxLen}`);
    const dh = d / h;
    const rate = rng ? this.config.dropout : 0;
    const seed = () => (rng ? rng.int(2 ** 31) : 0);
    const w = (name: string) => this.w(name);

    const valid = new Float32Array(B * L);
    for (let i = 0; i < B * L; i++) valid[i] = ids[i] !== 0 ? 1 : 0;
    // Causal mask on valid keys: query t sees keys s <= t that are not padding.
    const maskValues = new Float32Array(B * L * L);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < L; t++) {
        const base = (b * L + t) * L;
        for (let s = 0; s < L; s++) {
          if (s > t || ids[b * L + s] === 0) maskValues[base + s] = MASKED;
        }
      }
    }
    const timeline = tf.tensor2d(valid, [B * L, 1]);
    const maskAdd = tf.tensor3d(maskValues, [B, L, L]);

    // Positions count back from the newest item, so a trimmed batch sees the same positions as a padded one.
    const items = gatherRows(table ?? (w('item/embedding') as tf.Tensor2D), tf.tensor1d(ids, 'int32'));
    const positions = tf.slice(w('position/embedding'), [maxLen - L, 0], [L, d]);
    let x = tf.reshape(tf.add(tf.reshape(tf.mul(items, Math.sqrt(d)), [B, L, d]), positions), [
      B * L,
      d,
    ]) as tf.Tensor2D;
    x = tf.mul(dropout(x, rate, seed()), timeline);

    let attention: tf.Tensor3D | undefined;
    for (let i = 0; i < blocks; i++) {
      const p = `block${i}`;
      const q = layerNorm(x, w(`${p}/attnNorm/gamma`), w(`${p}/attnNorm/beta`));
      const qs = dense(q, w(`${p}/query/kernel`), w(`${p}/query/bias`));
      const ks = dense(x, w(`${p}/key/kernel`), w(`${p}/key/bias`));
      const vs = dense(x, w(`${p}/value/kernel`), w(`${p}/value/bias`));
      const split = (t: tf.Tensor2D) =>
        h === 1
          ? tf.reshape(t, [B, L, d])
          : tf.reshape(tf.transpose(tf.reshape(t, [B, L, h, dh]), [0, 2, 1, 3]), [B * h, L, dh]);
      const keysT = tf.transpose(split(ks), [0, 2, 1]);
      let scores = tf.mul(matMul(split(qs), keysT), 1 / Math.sqrt(dh)) as tf.Tensor3D;
      scores =
        h === 1
          ? tf.add(scores, maskAdd)
          : tf.reshape(tf.add(tf.reshape(scores, [B, h, L, L]), tf.reshape(maskAdd, [B, 1, L, L])), [
              B * h,
              L,
              L,
            ]);
      const weights = tf.softmax(scores) as tf.Tensor3D;
      attention = weights;
      // Dropout on the attention weights, as the reference implementations (not on the block's output:
      // that trained to a validation NDCG@10 about 0.01 lower at epoch 30 on Games).
      let attended = matMul(dropout(weights, rate, seed()), split(vs));
      attended =
        h === 1
          ? tf.reshape(attended, [B * L, d])
          : tf.reshape(tf.transpose(tf.reshape(attended, [B, h, L, dh]), [0, 2, 1, 3]), [B * L, d]);
      const projected = dense(attended as tf.Tensor2D, w(`${p}/out/kernel`), w(`${p}/out/bias`));
      x = tf.add(q, projected);
      const f = layerNorm(x, w(`${p}/ffnNorm/gamma`), w(`${p}/ffnNorm/beta`));
      const inner = dropout(tf.relu(dense(f, w(`${p}/ffn1/kernel`), w(`${p}/ffn1/bias`))), rate, seed());
      const outer = dropout(dense(inner, w(`${p}/ffn2/kernel`), w(`${p}/ffn2/bias`)), rate, seed());
      x = tf.mul(tf.add(f, outer), timeline);
    }
    return { x, timeline, maskAdd, attention };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.transposed?.tensor.dispose();
    this.transposed = undefined;
    for (const v of this.weights.values()) v.dispose();
  }

  private w(name: string): tf.Variable {
    this.assertLive();
    return this.weights.get(name)!;
  }

  private assertLive(): void {
    if (this.disposed) throw new Error('SasRecModel has been disposed');
  }
}
