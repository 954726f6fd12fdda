import * as tf from '@tensorflow/tfjs';
import { createRng } from '../core/random.js';
import { loadWeights, readModelFile, saveWeights } from '../core/weightsFile.js';
import { type CtrModelConfig, resolveCtrConfig } from './config.js';
import { type EncoderState, FeatureEncoder } from './encoder.js';
import { type ForwardOptions, forward, initialValues, penalisedWeights, weightShapes } from './network.js';
import type { CtrFields, CtrModelKind, CtrPredictor } from './types.js';

const CTR_FORMAT = {
  format: 'attention-mesh/ctr-model',
  formatVersion: 1,
  what: 'a CTR model',
};

/** A trainable variable holding `values`; the temporary tensor it is made from is freed. */
function newVariable(values: Float32Array, shape: number[]): tf.Variable {
  return tf.tidy(() => tf.variable(tf.tensor(values, shape), true));
}

/**
 * A CTR model (logistic regression or AutoInt) with the feature encoder it was trained with, so it
 * predicts from raw field values. Factory methods `create`/`load`, and `dispose()`.
 */
export class CtrModel implements CtrPredictor {
  readonly config: CtrModelConfig;
  readonly encoder: FeatureEncoder;
  private readonly weights: Map<string, tf.Variable>;
  private disposed = false;

  private constructor(config: CtrModelConfig, encoder: FeatureEncoder, weights: Map<string, tf.Variable>) {
    this.config = config;
    this.encoder = encoder;
    this.weights = weights;
  }

  get kind(): CtrModelKind {
    return this.config.kind;
  }

  get fields(): readonly string[] {
    return this.encoder.fields.map((f) => f.name);
  }

  /** A freshly initialised model over `encoder`'s ids (seeded by `config.seed`). */
  static create(encoder: FeatureEncoder, config: Partial<CtrModelConfig> = {}): CtrModel {
    const c = resolveCtrConfig(config);
    const rng = createRng(c.seed);
    const weights = new Map<string, tf.Variable>();
    for (const [name, shape] of weightShapes(c, encoder.size, encoder.fields.length)) {
      weights.set(name, newVariable(initialValues(name, shape, rng), shape));
    }
    return new CtrModel(c, encoder, weights);
  }

  /** Loads a model written by `save(dir)`. */
  static async load(dir: string): Promise<CtrModel> {
    const file = await readModelFile<{ config: CtrModelConfig; encoder: EncoderState }>(dir, CTR_FORMAT);
    const config = resolveCtrConfig(file.config);
    const encoder = FeatureEncoder.fromJSON(file.encoder);
    const shapes = weightShapes(config, encoder.size, encoder.fields.length);
    return new CtrModel(config, encoder, await loadWeights(dir, shapes));
  }

  /** Writes `model.json` (config, encoder, weight layout) and `weights.bin` (float32, little-endian) into `dir`. */
  async save(dir: string): Promise<void> {
    this.assertLive();
    await saveWeights(dir, CTR_FORMAT, { config: this.config, encoder: this.encoder.toJSON() }, this.weights);
  }

  /** P(click) per row, in one forward pass per `predictBatchSize` rows; every intermediate tensor is freed. */
  async predict(rows: readonly CtrFields[]): Promise<Float32Array> {
    this.assertLive();
    return this.predictIds(this.encoder.encode(rows));
  }

  /** P(click) for rows already encoded by this model's encoder ([rows x fields] ids). */
  async predictIds(ids: Int32Array): Promise<Float32Array> {
    this.assertLive();
    const F = this.encoder.fields.length;
    const n = ids.length / F;
    const out = new Float32Array(n);
    const step = this.config.predictBatchSize;
    for (let from = 0; from < n; from += step) {
      const B = Math.min(step, n - from);
      const probs = tf.tidy(() =>
        tf.sigmoid(this.logits(tf.tensor1d(ids.subarray(from * F, (from + B) * F), 'int32'), B)),
      );
      out.set((await probs.data()) as Float32Array, from);
      probs.dispose();
    }
    return out;
  }

  /** Logits [B] for ids [B * fields]; call inside tf.tidy or a gradient scope. */
  logits(ids: tf.Tensor1D, B: number, options: ForwardOptions = {}): tf.Tensor1D {
    return forward(
      this.config,
      (name) => this.weights.get(name)!,
      ids,
      B,
      this.encoder.fields.length,
      options,
    );
  }

  /** Sum of squares of the per-value parameters (embeddings, linear weights), for an L2 penalty. */
  squaredNorm(): tf.Scalar {
    return tf.addN(
      penalisedWeights(this.config).map((n) => tf.sum(tf.square(this.weights.get(n)!))),
    ) as tf.Scalar;
  }

  /** Sets the output bias, e.g. to the logit of the base rate before training. */
  setOutputBias(value: number): void {
    tf.tidy(() => this.weights.get('out/bias')!.assign(tf.tensor1d([value])));
  }

  /** The trainable variables, in a stable order (for optimisers). */
  trainableVariables(): tf.Variable[] {
    return [...this.weights.values()];
  }

  /** Copies of the current weights (for keeping the best epoch); free them with `tf.dispose`. */
  snapshot(): Map<string, tf.Tensor> {
    return new Map([...this.weights].map(([name, v]) => [name, tf.clone(v)]));
  }

  /** Restores weights from `snapshot()` (the snapshot stays owned by the caller). */
  restore(snapshot: Map<string, tf.Tensor>): void {
    for (const [name, v] of this.weights) v.assign(snapshot.get(name)!);
  }

  parameterCount(): number {
    let n = 0;
    for (const v of this.weights.values()) n += v.size;
    return n;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of this.weights.values()) v.dispose();
  }

  private assertLive(): void {
    if (this.disposed) throw new Error('CtrModel has been disposed');
  }
}

/** Loads a CTR model (either kind) written by `CtrModel.save` or the training CLI, typed as served. */
export function loadCtrModel(dir: string): Promise<CtrPredictor> {
  return CtrModel.load(dir);
}
