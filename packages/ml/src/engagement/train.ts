import * as tf from '@tensorflow/tfjs';
import { weightedBce } from '../core/ops.js';
import { createRng, shuffleInPlace } from '../core/random.js';
import { Adam } from '../core/training/adam.js';
import type { TrainProgress } from '../core/training/progress.js';
import type { EngagementModelConfig } from './config.js';
import { buildExamples, type ExampleOptions, type ExampleSet, type TrainingWindow } from './examples.js';
import { encodeBatch, encodedLength } from './features.js';
import { EngagementModel } from './model.js';

export interface EpochStats {
  epoch: number;
  loss: number;
  seconds: number;
}

export interface TrainOptions extends ExampleOptions {
  /** Passes over the examples (default 4). */
  epochs?: number;
  /** Examples per gradient step (default 256). */
  batchSize?: number;
  /** Adam learning rate (default 0.003); decays linearly to `lr * finalLrFraction` over the run. */
  lr?: number;
  /** Learning rate at the last step, as a fraction of `lr` (default 0.1). */
  finalLrFraction?: number;
  /** Decoupled (AdamW) weight decay of the weight matrices (default 0). */
  weightDecay?: number;
  /** Seeds the weights, the sampling and the shuffling (default 42). */
  seed?: number;
  /** Model shape; `seed` here is ignored in favour of the option above. */
  model?: Partial<EngagementModelConfig>;
  onProgress?: (progress: TrainProgress) => void;
  /** Called after each epoch; return true to stop early (e.g. when a validation score stops improving). */
  onEpochEnd?: (
    stats: EpochStats,
    model: EngagementModel,
  ) => boolean | undefined | Promise<boolean | undefined>;
  /** Examples already built (skips `buildExamples`; the window is then only used for its bounds). */
  examples?: ExampleSet;
}

export interface TrainResult {
  model: EngagementModel;
  epochs: EpochStats[];
  examples: {
    count: number;
    positives: number;
    candidates: number;
    candidatePositives: number;
    positiveSampleRate: number;
    negativeSampleRate: number;
  };
  trainingSeconds: number;
}

/**
 * Trains an engagement model on self-supervised examples from `data` (see `buildExamples`) with Adam on
 * the weighted binary cross-entropy. Batches hold histories of similar length (shuffled within a length,
 * batch order shuffled each epoch), so each is trimmed to its longest history.
 */
export async function trainEngagementModel(
  data: TrainingWindow,
  options: TrainOptions = {},
): Promise<TrainResult> {
  const epochs = options.epochs ?? 4;
  const batchSize = options.batchSize ?? 256;
  const lr = options.lr ?? 0.003;
  const seed = options.seed ?? 42;
  const examples = options.examples ?? buildExamples(data, { ...options, seed });
  const n = examples.labels.length;
  if (n === 0) throw new Error('trainEngagementModel: the training window yields no examples');

  const model = EngagementModel.create({ ...options.model, seed });
  let weightedPositives = 0;
  let weightSum = 0;
  for (let i = 0; i < n; i++) {
    weightedPositives += examples.labels[i]! * examples.weights[i]!;
    weightSum += examples.weights[i]!;
  }
  const base = Math.min(Math.max(weightedPositives / weightSum, 1e-4), 1 - 1e-4);
  model.setOutputBias(Math.log(base / (1 - base)));

  const { maxEvents, dayOfWeek, eventClock } = model.config;
  const lengths = new Int32Array(n);
  for (let i = 0; i < n; i++)
    lengths[i] = encodedLength(examples.histories[i]!, examples.slots[i]!, maxEvents);

  const optimizer = new Adam({ lr, weightDecay: options.weightDecay ?? 0 });
  const finalFraction = options.finalLrFraction ?? 0.1;
  const totalSteps = epochs * Math.ceil(n / batchSize);
  let step = 0;
  const variables = model.trainableVariables();
  const rng = createRng(seed ^ 0x5bd1e995);
  const stats: EpochStats[] = [];
  const started = performance.now();
  let positives = 0;
  for (let i = 0; i < n; i++) positives += examples.labels[i]!;

  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const epochStart = performance.now();
      const order = Array.from({ length: n }, (_, i) => i);
      shuffleInPlace(order, rng);
      // Stable sort keeps the shuffle within each length.
      order.sort((a, b) => lengths[a]! - lengths[b]!);
      const batches: number[][] = [];
      for (let s = 0; s < n; s += batchSize) batches.push(order.slice(s, s + batchSize));
      shuffleInPlace(batches, rng);

      let lossSum = 0;
      let seen = 0;
      for (let b = 0; b < batches.length; b++) {
        const batch = batches[b]!;
        const encoded = encodeBatch(examples.histories, examples.slots, batch, {
          maxEvents,
          dayOfWeek,
          eventClock,
        });
        const labels = new Float32Array(batch.length);
        const weights = new Float32Array(batch.length);
        for (let k = 0; k < batch.length; k++) {
          labels[k] = examples.labels[batch[k]!]!;
          weights[k] = examples.weights[batch[k]!]!;
        }
        optimizer.lr = lr * (1 - (1 - finalFraction) * (step++ / Math.max(1, totalSteps - 1)));
        const cost = optimizer.minimize(
          () => weightedBce(model.logits(encoded), tf.tensor1d(labels), tf.tensor1d(weights)),
          variables,
        );
        const loss = (await cost.data())[0]!;
        cost.dispose();
        if (!Number.isFinite(loss))
          throw new Error(`training diverged at epoch ${epoch}, batch ${b + 1} (loss ${loss})`);
        lossSum += loss * batch.length;
        seen += batch.length;
        options.onProgress?.({
          epoch,
          epochs,
          batch: b + 1,
          batches: batches.length,
          loss: lossSum / seen,
          batchLoss: loss,
          examplesPerSecond: seen / ((performance.now() - epochStart) / 1000),
        });
      }
      const epochStats = { epoch, loss: lossSum / seen, seconds: (performance.now() - epochStart) / 1000 };
      stats.push(epochStats);
      if (await options.onEpochEnd?.(epochStats, model)) break;
    }
  } catch (err) {
    model.dispose();
    throw err;
  } finally {
    optimizer.dispose();
  }
  return {
    model,
    epochs: stats,
    examples: {
      count: n,
      positives,
      candidates: examples.candidates,
      candidatePositives: examples.candidatePositives,
      positiveSampleRate: examples.positiveRate,
      negativeSampleRate: examples.negativeRate,
    },
    trainingSeconds: (performance.now() - started) / 1000,
  };
}
