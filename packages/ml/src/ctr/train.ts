import * as tf from '@tensorflow/tfjs';
import { bceWithLogits } from '../core/ops.js';
import { createRng, shuffleInPlace } from '../core/random.js';
import { Adam } from '../core/training/adam.js';
import { auc, logLoss } from '../core/training/metrics.js';
import type { TrainProgress } from '../core/training/progress.js';
import type { CtrModelConfig } from './config.js';
import type { FeatureEncoder } from './encoder.js';
import { CtrModel } from './model.js';

/** Rows encoded by a FeatureEncoder ([rows x fields] ids) with their 0/1 labels. */
export interface EncodedRows {
  ids: Int32Array;
  labels: Uint8Array;
}

export interface CtrTrainOptions {
  /** Model shape (kind, sizes); its `seed` is replaced by the option below. */
  model?: Partial<CtrModelConfig>;
  /** Most passes over the training rows (default 20); training stops earlier, see `patience`. */
  epochs?: number;
  /** Epochs without a better validation log-loss before stopping (default 2). The best epoch is kept. */
  patience?: number;
  /** Rows per gradient step (default 256). */
  batchSize?: number;
  /** Adam learning rate (default 0.003). */
  lr?: number;
  /** L2 penalty on the per-value parameters (embeddings, linear weights): l2 x sum of squares (default 0). */
  l2?: number;
  /** AutoInt: dropout on each interacting layer's output while training (default 0). */
  dropout?: number;
  /** Seeds the weights, the shuffling and the dropout masks (default 1). */
  seed?: number;
  onProgress?: (progress: TrainProgress) => void;
}

export interface CtrEpoch {
  epoch: number;
  /** Mean training objective of the epoch (cross-entropy + L2 penalty). */
  loss: number;
  validationLogLoss: number;
  validationAuc: number;
  seconds: number;
}

export interface CtrTrainResult {
  /** The model at its best epoch on validation log-loss. */
  model: CtrModel;
  epochs: CtrEpoch[];
  bestEpoch: number;
  validation: { logLoss: number; auc: number };
  /**
   * Training objective (cross-entropy + L2 penalty) every few steps: the mean of the steps since the last
   * point, and the epoch's running mean.
   */
  curve: { step: number; loss: number; epochMean: number }[];
  trainingSeconds: number;
}

/**
 * Trains a CTR model with Adam on the cross-entropy (+ L2), scoring the validation rows after each epoch
 * and stopping when their log-loss has not improved for `patience` epochs; the best epoch's weights are
 * returned. Only the training rows move the weights; validation only picks the epoch.
 */
export async function trainCtrModel(
  encoder: FeatureEncoder,
  train: EncodedRows,
  validation: EncodedRows,
  options: CtrTrainOptions = {},
): Promise<CtrTrainResult> {
  const F = encoder.fields.length;
  const n = train.labels.length;
  if (n === 0) throw new Error('trainCtrModel: no training rows');
  if (train.ids.length !== n * F) throw new Error('trainCtrModel: ids do not match the labels and fields');
  const epochs = options.epochs ?? 20;
  const patience = options.patience ?? 2;
  const batchSize = options.batchSize ?? 256;
  const l2 = options.l2 ?? 0;
  const dropout = options.dropout ?? 0;
  const seed = options.seed ?? 1;

  const model = CtrModel.create(encoder, { ...options.model, seed });
  let positives = 0;
  for (let i = 0; i < n; i++) positives += train.labels[i]!;
  const base = Math.min(Math.max(positives / n, 1e-4), 1 - 1e-4);
  model.setOutputBias(Math.log(base / (1 - base)));

  const optimizer = new Adam({ lr: options.lr ?? 0.003 });
  const variables = model.trainableVariables();
  const rng = createRng(seed ^ 0x2545f491);
  const history: CtrEpoch[] = [];
  const curve: CtrTrainResult['curve'] = [];
  const batches = Math.ceil(n / batchSize);
  const curveEvery = Math.max(1, Math.floor(batches / 8));
  let best: { epoch: number; logLoss: number; auc: number; weights: Map<string, tf.Tensor> } | undefined;
  let step = 0;
  const started = performance.now();
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const epochStart = performance.now();
      const order = Int32Array.from({ length: n }, (_, i) => i);
      shuffleInPlace(order, rng);
      let lossSum = 0;
      let seen = 0;
      let pointSum = 0;
      let pointSteps = 0;
      for (let b = 0; b < batches; b++) {
        const rows = order.subarray(b * batchSize, Math.min(n, (b + 1) * batchSize));
        const B = rows.length;
        const ids = new Int32Array(B * F);
        const labels = new Float32Array(B);
        for (let k = 0; k < B; k++) {
          ids.set(train.ids.subarray(rows[k]! * F, rows[k]! * F + F), k * F);
          labels[k] = train.labels[rows[k]!]!;
        }
        const dropoutSeed = rng.int(2 ** 30);
        const cost = optimizer.minimize(() => {
          const ce = bceWithLogits(
            model.logits(tf.tensor1d(ids, 'int32'), B, { dropout, dropoutSeed }),
            tf.tensor1d(labels),
          );
          return (l2 > 0 ? tf.add(ce, tf.mul(model.squaredNorm(), l2)) : ce) as tf.Scalar;
        }, variables);
        const objective = (await cost.data())[0]!;
        cost.dispose();
        if (!Number.isFinite(objective)) {
          throw new Error(`training diverged at epoch ${epoch}, batch ${b + 1} (loss ${objective})`);
        }
        step++;
        lossSum += objective * B;
        seen += B;
        pointSum += objective;
        pointSteps++;
        if (pointSteps === curveEvery || b === batches - 1) {
          curve.push({ step, loss: pointSum / pointSteps, epochMean: lossSum / seen });
          pointSum = 0;
          pointSteps = 0;
        }
        options.onProgress?.({
          epoch,
          epochs,
          batch: b + 1,
          batches,
          loss: lossSum / seen,
          batchLoss: objective,
          examplesPerSecond: seen / ((performance.now() - epochStart) / 1000),
        });
      }
      const probs = await model.predictIds(validation.ids);
      const stats: CtrEpoch = {
        epoch,
        loss: lossSum / seen,
        validationLogLoss: logLoss(validation.labels, probs),
        validationAuc: auc(validation.labels, probs),
        seconds: (performance.now() - epochStart) / 1000,
      };
      history.push(stats);
      if (!best || stats.validationLogLoss < best.logLoss) {
        if (best) tf.dispose([...best.weights.values()]);
        best = {
          epoch,
          logLoss: stats.validationLogLoss,
          auc: stats.validationAuc,
          weights: model.snapshot(),
        };
      } else if (epoch - best.epoch >= patience) break;
    }
    model.restore(best!.weights);
  } catch (err) {
    model.dispose();
    throw err;
  } finally {
    optimizer.dispose();
    if (best) tf.dispose([...best.weights.values()]);
  }
  return {
    model,
    epochs: history,
    bestEpoch: best!.epoch,
    validation: { logLoss: best!.logLoss, auc: best!.auc },
    curve,
    trainingSeconds: (performance.now() - started) / 1000,
  };
}
