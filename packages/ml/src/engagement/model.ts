import * as tf from '@tensorflow/tfjs';
import { dense, matMul } from '../core/ops.js';
import { createRng, type Rng } from '../core/random.js';
import { loadWeights, readModelFile, saveWeights } from '../core/weightsFile.js';
import { type EngagementModelConfig, resolveEngagementConfig } from './config.js';
import {
  batchesByLength,
  type EncodedBatch,
  EVENT_FEATURES,
  encodeBatch,
  QUERY_FEATURES,
} from './features.js';
import type { UserHistory } from './types.js';

const ENGAGEMENT_FORMAT = {
  format: 'attention-mesh/engagement-model',
  formatVersion: 1,
  what: 'an engagement model',
};
/** Added to masked attention scores. */
const MASKED = -1e9;

function weightShapes(c: EngagementModelConfig): [string, number[]][] {
  const d = c.dim;
  const shapes: [string, number[]][] = [
    ['event/kernel', [EVENT_FEATURES, d]],
    ['event/bias', [d]],
  ];
  if (c.selfAttention) {
    shapes.push(
      ['self/query', [d, d]],
      ['self/key', [d, d]],
      ['self/value', [d, d]],
      ['self/out', [d, d]],
      ['self/outBias', [d]],
    );
  }
  shapes.push(
    ['slot/query', [QUERY_FEATURES, d]],
    ['slot/queryBias', [d]],
    ['slot/key', [d, d]],
    ['slot/value', [d, d]],
    ['head/kernel', [d + QUERY_FEATURES, c.hidden]],
    ['head/bias', [c.hidden]],
    ['head/out', [c.hidden, 1]],
    ['head/outBias', [1]],
  );
  return shapes;
}

function initialValues(shape: number[], rng: Rng): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  if (shape.length === 1) return values;
  // Glorot uniform.
  const limit = Math.sqrt(6 / (shape[0]! + shape[1]!));
  for (let i = 0; i < size; i++) values[i] = (rng.next() * 2 - 1) * limit;
  return values;
}

/**
 * Predicts the probability that a user is active in a future hour from their recent events: the slot
 * (hour-of-day, day-of-week, gap since the last event, history size) attends over the user's events
 * (each encoded with its time features and recency before the slot), and an MLP turns the attended
 * summary and the slot features into a logit. The model interface follows tfjs-models: a factory
 * (`create`/`load`) and `dispose()`.
 */
export class EngagementModel {
  readonly config: EngagementModelConfig;
  private readonly weights: Map<string, tf.Variable>;
  private disposed = false;

  private constructor(config: EngagementModelConfig, weights: Map<string, tf.Variable>) {
    this.config = config;
    this.weights = weights;
  }

  /** A freshly initialised model (seeded by `config.seed`). */
  static create(config: Partial<EngagementModelConfig> = {}): EngagementModel {
    const c = resolveEngagementConfig(config);
    const rng = createRng(c.seed);
    const weights = new Map<string, tf.Variable>();
    for (const [name, shape] of weightShapes(c)) {
      weights.set(name, tf.variable(tf.tensor(initialValues(shape, rng), shape), true, undefined));
    }
    return new EngagementModel(c, weights);
  }

  /** Loads a model written by `save(dir)`. */
  static async load(dir: string): Promise<EngagementModel> {
    const file = await readModelFile<{ config: EngagementModelConfig }>(dir, ENGAGEMENT_FORMAT);
    const config = resolveEngagementConfig(file.config);
    return new EngagementModel(config, await loadWeights(dir, weightShapes(config)));
  }

  /** Writes `model.json` (config and weight layout) and `weights.bin` (float32, little-endian) into `dir`. */
  async save(dir: string): Promise<void> {
    this.assertLive();
    await saveWeights(dir, ENGAGEMENT_FORMAT, { config: this.config }, this.weights);
  }

  /**
   * P(active) for each (histories[i], slots[i]) pair, slots being epoch ms of hour starts. Pairs are
   * grouped by history length into batches of `predictBatchSize`; every intermediate tensor is freed.
   */
  async predict(histories: readonly UserHistory[], slots: ArrayLike<number>): Promise<Float32Array> {
    this.assertLive();
    if (histories.length !== slots.length) {
      throw new Error(
        `predict: ${histories.length} histories but ${slots.length} slots; pass one slot per history`,
      );
    }
    const n = histories.length;
    const out = new Float32Array(n);
    const all = new Int32Array(n);
    for (let i = 0; i < n; i++) all[i] = i;
    const { maxEvents, predictBatchSize, dayOfWeek, eventClock } = this.config;
    for (const batch of batchesByLength(histories, slots, all, maxEvents, predictBatchSize)) {
      const encoded = encodeBatch(histories, slots, batch, { maxEvents, dayOfWeek, eventClock });
      const probs = tf.tidy(() => tf.sigmoid(this.logits(encoded)));
      const values = await probs.data();
      probs.dispose();
      for (let k = 0; k < batch.length; k++) out[batch[k]!] = values[k]!;
    }
    return out;
  }

  /** The trainable variables, in a stable order (for optimisers). */
  trainableVariables(): tf.Variable[] {
    return [...this.weights.values()];
  }

  /** Number of trainable parameters. */
  parameterCount(): number {
    let n = 0;
    for (const v of this.weights.values()) n += v.size;
    return n;
  }

  /** Logits [size] for an encoded batch; call inside tf.tidy (or a gradient scope). */
  logits(batch: EncodedBatch): tf.Tensor1D {
    const { dim: d, heads: h } = this.config;
    const dh = d / h;
    const B = batch.size;
    const L = batch.length;
    const w = (name: string) => this.weights.get(name)!;

    const xe = tf.tensor2d(batch.events, [B * L, EVENT_FEATURES]);
    const mask = tf.tensor2d(batch.mask, [B, L]);
    const xq = tf.tensor2d(batch.query, [B, QUERY_FEATURES]);
    const maskAdd = tf.mul(tf.sub(1, mask), MASKED); // [B, L]

    let e = tf.relu(dense(xe, w('event/kernel'), w('event/bias'))); // [B*L, d]
    if (this.config.selfAttention) {
      const q = tf.reshape(dense(e, w('self/query')), [B, L, d]);
      const k = tf.reshape(dense(e, w('self/key')), [B, L, d]);
      const v = tf.reshape(dense(e, w('self/value')), [B, L, d]);
      const scores = tf.add(
        tf.mul(matMul(q, tf.transpose(k, [0, 2, 1])), 1 / Math.sqrt(d)),
        tf.reshape(maskAdd, [B, 1, L]),
      );
      const attended = tf.reshape(matMul(tf.softmax(scores), v), [B * L, d]);
      e = tf.add(e, tf.relu(dense(attended as tf.Tensor2D, w('self/out'), w('self/outBias'))));
    }

    const keys = tf.reshape(dense(e, w('slot/key')), [B, L, h, dh]);
    const values = tf.reshape(dense(e, w('slot/value')), [B, L, h, dh]);
    const query = tf.reshape(dense(xq, w('slot/query'), w('slot/queryBias')), [B, 1, h, dh]);
    // Scores [B, L, h] by broadcast multiply-and-sum: one query per row, so no batched matMul is needed.
    const scores = tf.mul(tf.sum(tf.mul(keys, query), 3), 1 / Math.sqrt(dh));
    const masked = tf.add(tf.transpose(scores, [0, 2, 1]), tf.reshape(maskAdd, [B, 1, L])); // [B, h, L]
    const attention = tf.reshape(tf.transpose(tf.softmax(masked), [0, 2, 1]), [B, L, h, 1]);
    const pooled = tf.reshape(tf.sum(tf.mul(attention, values), 1), [B, d]);

    const features = tf.concat([pooled, xq], 1) as tf.Tensor2D;
    const hidden = tf.relu(dense(features, w('head/kernel'), w('head/bias')));
    return tf.reshape(dense(hidden, w('head/out'), w('head/outBias')), [B]) as tf.Tensor1D;
  }

  /** Sets the output bias, e.g. to the logit of the base rate before training. */
  setOutputBias(value: number): void {
    tf.tidy(() => this.weights.get('head/outBias')!.assign(tf.tensor1d([value])));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of this.weights.values()) v.dispose();
  }

  private assertLive(): void {
    if (this.disposed) throw new Error('EngagementModel has been disposed');
  }
}

/** The registry name the training CLI saves engagement models under. */
export const ENGAGEMENT_MODEL_NAME = 'engagement';
