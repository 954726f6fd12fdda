import * as tf from '@tensorflow/tfjs';
import { firstColumnCrossEntropy, gatherRows, matMul } from '../core/ops.js';
import { createRng, type Rng, shuffleInPlace } from '../core/random.js';
import type { TrainProgress } from '../core/training/progress.js';
import type { LeaveOneOut } from './data.js';
import { type EvaluationSet, evaluateRanking, modelScorer, type RankingMetrics } from './evaluate.js';
import { type IndexBatch, type SasRecConfig, SasRecModel } from './model.js';
import { TableAdam } from './tableAdam.js';

export const LOSSES = ['bce', 'sampled', 'ce'] as const;
export const TABLE_UPDATES = ['dense', 'lazy'] as const;
export type TableUpdate = (typeof TABLE_UPDATES)[number];
/**
 * bce: binary cross-entropy with one sampled negative per position (the paper); sampled: softmax over the
 * target and `negatives` uniform items shared by the batch (uniform, so no logQ correction is needed);
 * ce: softmax over every item.
 */
export type SasRecLoss = (typeof LOSSES)[number];

export interface SasRecTrainOptions {
  config: SasRecConfig;
  loss: SasRecLoss;
  epochs: number;
  /** Evaluate on validation every N epochs (and after the last). */
  evalEvery: number;
  /** Stop after this many evaluations without a better validation NDCG@10 (0 = never). */
  patience: number;
  /** Stop (after a last evaluation) once training and evaluation have taken this long (default: no limit). */
  maxSeconds?: number;
  lr: number;
  /** Learning rate of the item embedding rows (default lr): they are sparse, each row gets few updates. */
  embeddingLr?: number;
  batchSize: number;
  /**
   * `length` (default): batches of similar history length, each trimmed to its longest (fast on CPU);
   * `random`: users drawn at random as in the paper, so a batch mixes lengths (about 5x the work on Games).
   */
  batching?: 'length' | 'random';
  /**
   * How the item table learns: `dense` (default) updates every row each step, as the reference
   * implementations' Adam does (a row keeps moving by its momentum between the batches that use it);
   * `lazy` only the rows a batch used (cheaper for very large catalogues, learns slower).
   */
  tableUpdate?: TableUpdate;
  /** Shared negatives per batch for `sampled`. */
  negatives: number;
  /** Decoupled weight decay (AdamW) of matrices, per step as a fraction of lr. */
  weightDecay: number;
  seed: number;
  onProgress?: (p: SasRecProgress) => void;
  onEvaluation?: (e: SasRecEvaluation) => void;
}

/** Per-batch progress, the same shape every model's training reports (sequences per second here). */
export type SasRecProgress = TrainProgress;

export interface SasRecEvaluation {
  epoch: number;
  valid: RankingMetrics;
  seconds: number;
}

export interface SasRecTrainResult {
  model: SasRecModel;
  /** The epoch of the kept (best validation NDCG@10) weights. */
  bestEpoch: number;
  best: RankingMetrics;
  epochsRun: number;
  /** Why training ended. */
  stopped: 'epochs' | 'patience' | 'time';
  epochLosses: number[];
  /** Mean loss per ~1/10 epoch. */
  lossCurve: { step: number; loss: number }[];
  evaluations: SasRecEvaluation[];
  /** Seconds spent training (excluding evaluations). */
  trainingSeconds: number;
  evaluationSeconds: number;
  sequences: number;
}

interface Example {
  input: Int32Array;
  target: Int32Array;
  user: number;
}

/** Training examples: each user's training items shifted by one, trimmed to the last maxLen positions. */
export function trainingExamples(split: LeaveOneOut, maxLen: number): Example[] {
  const out: Example[] = [];
  split.train.forEach((s, user) => {
    if (s.length < 2) return;
    const from = Math.max(0, s.length - 1 - maxLen);
    out.push({ input: s.slice(from, s.length - 1), target: s.slice(from + 1), user });
  });
  return out;
}

/** Batches of examples, of similar length (shuffled within a length, batch order shuffled) or random. */
function batches(examples: Example[], size: number, rng: Rng, byLength: boolean): Example[][] {
  const order = [...examples];
  shuffleInPlace(order, rng);
  if (byLength) order.sort((a, b) => a.input.length - b.input.length);
  const out: Example[][] = [];
  for (let i = 0; i < order.length; i += size) out.push(order.slice(i, i + size));
  shuffleInPlace(out, rng);
  return out;
}

function pad(batch: Example[]): { inputs: IndexBatch; targets: Int32Array } {
  let L = 1;
  for (const e of batch) L = Math.max(L, e.input.length);
  const ids = new Int32Array(batch.length * L);
  const targets = new Int32Array(batch.length * L);
  batch.forEach((e, b) => {
    ids.set(e.input, b * L + L - e.input.length);
    targets.set(e.target, b * L + L - e.target.length);
  });
  return { inputs: { ids, size: batch.length, length: L }, targets };
}

/**
 * The item ids a step needs: targets, and negatives drawn here (one per position not in the user's items
 * for bce, `negatives` shared uniform ones for sampled, none for ce).
 */
function drawNegatives(
  targets: Int32Array,
  vocabulary: number,
  options: SasRecTrainOptions,
  rng: Rng,
  userItems: (position: number) => ReadonlySet<number>,
): Int32Array {
  if (options.loss === 'ce') return new Int32Array(0);
  if (options.loss === 'sampled') {
    const negs = new Int32Array(options.negatives);
    for (let k = 0; k < negs.length; k++) negs[k] = 1 + rng.int(vocabulary - 1);
    return negs;
  }
  const negs = new Int32Array(targets.length);
  for (let i = 0; i < targets.length; i++) {
    if (targets[i] === 0) continue;
    const seen = userItems(i);
    let item: number;
    do item = 1 + rng.int(vocabulary - 1);
    while (seen.has(item));
    negs[i] = item;
  }
  return negs;
}

/**
 * The loss summed over the positions with a target, divided by `norm` (the epoch's mean positions per
 * batch); `table` holds the rows that `targets` and `negatives` index. Call inside a gradient scope.
 */
function lossOf(
  features: tf.Tensor2D,
  table: tf.Tensor2D,
  targets: Int32Array,
  negatives: Int32Array,
  loss: SasRecLoss,
  norm: number,
): tf.Scalar {
  const n = targets.length;
  const weights = new Float32Array(n);
  for (let i = 0; i < n; i++) if (targets[i] !== 0) weights[i] = 1;
  const mask = tf.tensor1d(weights);
  const pos = tf.sum(tf.mul(features, gatherRows(table, tf.tensor1d(targets, 'int32'))), 1);
  let perPosition: tf.Tensor;
  if (loss === 'bce') {
    const neg = tf.sum(tf.mul(features, gatherRows(table, tf.tensor1d(negatives, 'int32'))), 1);
    perPosition = tf.add(tf.softplus(tf.neg(pos)), tf.softplus(neg));
  } else {
    const columns = loss === 'sampled' ? negatives : undefined;
    const others = columns
      ? matMul(features, tf.transpose(gatherRows(table, tf.tensor1d(columns, 'int32'))))
      : matMul(features, tf.transpose(table));
    const K = others.shape[1]!;
    // A negative equal to the target is not a negative (and ce counts the target once, by `pos`).
    const hits = new Float32Array(n * K);
    for (let i = 0; i < n; i++) {
      if (columns) {
        for (let k = 0; k < K; k++) if (columns[k] === targets[i]) hits[i * K + k] = -1e9;
      } else {
        hits[i * K + targets[i]!] = -1e9;
      }
    }
    const logits = tf.concat([tf.reshape(pos, [n, 1]), tf.add(others, tf.tensor2d(hits, [n, K]))], 1);
    perPosition = firstColumnCrossEntropy(logits as tf.Tensor2D);
  }
  return tf.div(tf.sum(tf.mul(perPosition, mask)), norm) as tf.Scalar;
}

/** Sorted distinct ids with 0 first, and a global -> local index (for the rows a step uses). */
function rowsOf(vocabulary: number, ...lists: Int32Array[]): { rows: Int32Array; local: Int32Array } {
  const local = new Int32Array(vocabulary).fill(-1);
  local[0] = 0;
  const rows = [0];
  for (const list of lists) {
    for (const id of list) {
      if (local[id] === -1) {
        local[id] = 0;
        rows.push(id);
      }
    }
  }
  rows.sort((a, b) => a - b);
  rows.forEach((id, i) => {
    local[id] = i;
  });
  return { rows: Int32Array.from(rows), local };
}

/**
 * Trains a SASRec on the split's training items, evaluating on validation every `evalEvery` epochs; the
 * returned model holds the weights of the best validation NDCG@10 (the test targets are never read).
 */
export async function trainSasRec(
  itemIds: readonly string[],
  split: LeaveOneOut,
  evalSet: EvaluationSet,
  options: SasRecTrainOptions,
): Promise<SasRecTrainResult> {
  const model = SasRecModel.create(itemIds, options.config, options.seed);
  const rng = createRng(options.seed + 1);
  const optimizer = new TableAdam({
    lr: options.lr,
    tableLr: options.embeddingLr ?? options.lr,
    beta2: 0.98,
    weightDecay: options.weightDecay,
    lazyTable: options.tableUpdate === 'lazy',
  });
  const variables = model.trainableVariables();
  const dense = model.denseVariables();
  const table = model.itemTable();
  const V = itemIds.length;
  const allRows = new Int32Array(V).map((_, i) => i);
  const examples = trainingExamples(split, options.config.maxLen);
  // Every position weighs the same whatever its batch: length-bucketed batches hold from 2 to 50
  // positions a sequence, and a per-batch mean would weigh a short history's positions up to 25 times a
  // long one's (random batches, as in the paper, have about the same count each, so the two agree there).
  let positions = 0;
  for (const e of examples) positions += e.target.length;
  const norm = Math.max(1, positions / Math.max(1, Math.ceil(examples.length / options.batchSize)));
  const userSets = new Map<number, Set<number>>();
  const userItems = (u: number) => {
    let s = userSets.get(u);
    if (!s) {
      s = new Set(split.train[u]);
      userSets.set(u, s);
    }
    return s;
  };
  let best: { epoch: number; metrics: RankingMetrics; weights: tf.Tensor[] } | undefined;
  const evaluations: SasRecEvaluation[] = [];
  const epochLosses: number[] = [];
  const lossCurve: { step: number; loss: number }[] = [];
  let trainingSeconds = 0;
  let evaluationSeconds = 0;
  let sinceBest = 0;
  let epochsRun = 0;
  let stopped: SasRecTrainResult['stopped'] = 'epochs';
  let step = 0;
  try {
    for (let epoch = 1; epoch <= options.epochs; epoch++) {
      const started = performance.now();
      const list = batches(examples, options.batchSize, rng, options.batching !== 'random');
      let lossSum = 0;
      let seen = 0;
      let pointSum = 0;
      let pointCount = 0;
      const pointEvery = Math.max(1, Math.floor(list.length / 10));
      for (let b = 0; b < list.length; b++) {
        const batch = list[b]!;
        const { inputs, targets } = pad(batch);
        const L = inputs.length;
        const negatives = drawNegatives(targets, V, options, rng, (position) =>
          userItems(batch[Math.floor(position / L)]!.user),
        );
        // Only the embedding rows the step uses take part (all of them for ce): see TableAdam.
        const { rows, local } =
          options.loss === 'ce'
            ? { rows: allRows, local: allRows }
            : rowsOf(V, inputs.ids, targets, negatives);
        const localInputs = { ...inputs, ids: inputs.ids.map((id) => local[id]!) };
        const localTargets = targets.map((id) => local[id]!);
        const localNegatives = negatives.map((id) => local[id]!);
        const rowsT = tf.tensor1d(rows, 'int32');
        const sub = tf.gather(table, rowsT) as tf.Tensor2D;
        const { value: cost, grads } = tf.valueAndGrads((...args: tf.Tensor[]) => {
          const part = args[0] as tf.Tensor2D;
          const { features } = model.forward(localInputs, rng, part);
          return lossOf(features, part, localTargets, localNegatives, options.loss, norm);
        })([sub, ...dense]);
        optimizer.apply(dense, grads.slice(1), table, rowsT, grads[0] as tf.Tensor2D);
        for (const g of grads) g.dispose();
        sub.dispose();
        rowsT.dispose();
        const loss = (await cost.data())[0]!;
        cost.dispose();
        step++;
        if (!Number.isFinite(loss)) throw new Error(`training diverged at epoch ${epoch}, batch ${b + 1}`);
        lossSum += loss * batch.length;
        seen += batch.length;
        pointSum += loss;
        pointCount++;
        if (pointCount === pointEvery || b === list.length - 1) {
          lossCurve.push({ step, loss: pointSum / pointCount });
          pointSum = 0;
          pointCount = 0;
        }
        options.onProgress?.({
          epoch,
          epochs: options.epochs,
          batch: b + 1,
          batches: list.length,
          loss: lossSum / seen,
          batchLoss: loss,
          examplesPerSecond: seen / ((performance.now() - started) / 1000),
        });
      }
      trainingSeconds += (performance.now() - started) / 1000;
      epochLosses.push(lossSum / Math.max(1, seen));
      epochsRun = epoch;
      const outOfTime =
        options.maxSeconds !== undefined && trainingSeconds + evaluationSeconds >= options.maxSeconds;
      if (epoch % options.evalEvery !== 0 && epoch !== options.epochs && !outOfTime) continue;
      const evalStart = performance.now();
      const valid = await evaluateRanking(split, evalSet, 'valid', options.config.maxLen, modelScorer(model));
      const seconds = (performance.now() - evalStart) / 1000;
      evaluationSeconds += seconds;
      const evaluation = { epoch, valid, seconds };
      evaluations.push(evaluation);
      options.onEvaluation?.(evaluation);
      if (!best || valid.ndcg10 > best.metrics.ndcg10) {
        for (const t of best?.weights ?? []) t.dispose();
        best = { epoch, metrics: valid, weights: variables.map((v) => tf.clone(v)) };
        sinceBest = 0;
      } else if (options.patience > 0 && ++sinceBest >= options.patience) {
        stopped = 'patience';
        break;
      }
      if (outOfTime && epoch < options.epochs) {
        stopped = 'time';
        break;
      }
    }
    if (!best) throw new Error('no evaluation ran (epochs must be at least 1)');
    const kept = best.weights;
    variables.forEach((v, i) => {
      v.assign(kept[i]!);
    });
    return {
      model,
      bestEpoch: best.epoch,
      best: best.metrics,
      epochsRun,
      stopped,
      epochLosses,
      lossCurve,
      evaluations,
      trainingSeconds,
      evaluationSeconds,
      sequences: examples.length,
    };
  } catch (err) {
    model.dispose();
    throw err;
  } finally {
    for (const t of best?.weights ?? []) t.dispose();
    optimizer.dispose();
  }
}
