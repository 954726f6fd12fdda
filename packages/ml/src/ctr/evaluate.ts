import type { TrainProgress } from '../core/training/progress.js';
import { type ScoredPredictor, scored } from '../core/training/scores.js';
import type { CtrModelConfig } from './config.js';
import { FeatureEncoder } from './encoder.js';
import { splitRows } from './split.js';
import { type CtrEpoch, type CtrTrainResult, type EncodedRows, trainCtrModel } from './train.js';
import type { CtrDataset, CtrModelKind } from './types.js';

/** One training setting tried on the validation split. */
export interface CtrCandidate {
  name: string;
  kind: CtrModelKind;
  model?: Partial<Omit<CtrModelConfig, 'kind' | 'seed'>>;
  lr: number;
  l2: number;
  dropout: number;
}

/**
 * The settings tried by default: L2 strengths for logistic regression; L2 and dropout for AutoInt
 * (3 interacting layers, 2 heads x 8, embeddings of 16, with the linear part).
 */
export const DEFAULT_CTR_CANDIDATES: readonly CtrCandidate[] = [
  ...[1e-4, 1e-3, 3e-3, 1e-2].map((l2) => ({
    name: `logreg l2=${l2}`,
    kind: 'logreg' as const,
    lr: 0.003,
    l2,
    dropout: 0,
  })),
  ...[
    [1e-3, 0],
    [1e-3, 0.2],
    [3e-3, 0.2],
  ].map(([l2, dropout]) => ({
    name: `autoint l2=${l2} dropout=${dropout}`,
    kind: 'autoint' as const,
    lr: 0.001,
    l2: l2!,
    dropout: dropout!,
  })),
];

export interface EvaluateCtrOptions {
  /** Seeds the split and the training (default 7). */
  seed?: number;
  /** Occurrences in the training split a value needs for its own bucket (default 3). */
  minCount?: number;
  candidates?: readonly CtrCandidate[];
  /** Most epochs per candidate (default 20; early stopping on validation log-loss). */
  epochs?: number;
  /** Epochs without improvement before stopping (default 2). */
  patience?: number;
  batchSize?: number;
  onProgress?: (stage: string, progress: TrainProgress) => void;
  log?: (line: string) => void;
}

export interface CandidateOutcome {
  candidate: CtrCandidate;
  bestEpoch: number;
  validation: { logLoss: number; auc: number };
  epochs: CtrEpoch[];
  trainingSeconds: number;
}

export interface KindOutcome {
  /** The candidate of this kind with the lowest validation log-loss. */
  candidate: CtrCandidate;
  result: CtrTrainResult;
  validation: ScoredPredictor;
  test: ScoredPredictor;
}

export interface CtrEvaluation {
  split: {
    seed: number;
    rows: number;
    train: number;
    validation: number;
    test: number;
    /** Click rate of the training split (the constant predictor's output). */
    trainRate: number;
    validationRate: number;
    testRate: number;
  };
  encoder: FeatureEncoder;
  candidates: CandidateOutcome[];
  /** The best candidate of each kind tried, with its model (the caller disposes them). */
  kinds: Partial<Record<CtrModelKind, KindOutcome>>;
  baseRate: { validation: ScoredPredictor; test: ScoredPredictor };
  /** The kind with the lowest validation log-loss: the one to serve. */
  winner: CtrModelKind;
  trainingSeconds: number;
}

const LABELS: Record<CtrModelKind, string> = { logreg: 'logistic regression', autoint: 'AutoInt' };

/**
 * The CTR protocol: a fixed random 80/10/10 split of the rows by `seed`; the encoder is fitted on the
 * training rows only; each candidate trains on them with early stopping on validation log-loss; per kind
 * the candidate with the lowest validation log-loss is kept, and the kind with the lowest validation
 * log-loss wins. Log-loss rather than AUC because the served pCTR is used as a probability (blended with
 * observed clicks, bid on), so calibration counts, not only ranking. The test split is scored once, for
 * the kept models and the constant base-rate predictor, and chooses nothing.
 */
export async function evaluateCtr(
  data: CtrDataset,
  options: EvaluateCtrOptions = {},
): Promise<CtrEvaluation> {
  const seed = options.seed ?? 7;
  const candidates = options.candidates ?? DEFAULT_CTR_CANDIDATES;
  if (candidates.length === 0) throw new Error('evaluateCtr: no candidates');
  const n = data.labels.length;
  if (n < 20) throw new Error(`evaluateCtr: ${n} rows are too few to split 80/10/10`);
  const split = splitRows(n, seed);
  const labelsOf = (idx: Int32Array) => Uint8Array.from(idx, (i) => data.labels[i]!);
  const encoder = FeatureEncoder.fit(
    Array.from(split.train, (i) => data.rows[i]!),
    data.fields,
    options.minCount ?? 3,
  );
  const encoded = (idx: Int32Array): EncodedRows => ({
    ids: encoder.encode(data.rows, idx),
    labels: labelsOf(idx),
  });
  const train = encoded(split.train);
  const validation = encoded(split.validation);
  const test = encoded(split.test);
  const rate = (labels: Uint8Array) => labels.reduce((a, b) => a + b, 0) / Math.max(1, labels.length);
  const trainRate = rate(train.labels);
  options.log?.(
    `split (seed ${seed}): ${train.labels.length} train / ${validation.labels.length} validation / ${test.labels.length} test rows; ${encoder.size} ids over ${encoder.fields.length} fields`,
  );

  const outcomes: CandidateOutcome[] = [];
  const best = new Map<CtrModelKind, { candidate: CtrCandidate; result: CtrTrainResult }>();
  const started = performance.now();
  try {
    for (const candidate of candidates) {
      const result = await trainCtrModel(encoder, train, validation, {
        model: { ...candidate.model, kind: candidate.kind },
        lr: candidate.lr,
        l2: candidate.l2,
        dropout: candidate.dropout,
        epochs: options.epochs ?? 20,
        patience: options.patience ?? 2,
        ...(options.batchSize ? { batchSize: options.batchSize } : {}),
        seed,
        onProgress: (p) => options.onProgress?.(candidate.name, p),
      });
      outcomes.push({
        candidate,
        bestEpoch: result.bestEpoch,
        validation: result.validation,
        epochs: result.epochs,
        trainingSeconds: result.trainingSeconds,
      });
      options.log?.(
        `${candidate.name}: validation log-loss ${result.validation.logLoss.toFixed(4)}, AUC ${result.validation.auc.toFixed(4)} at epoch ${result.bestEpoch} (${result.trainingSeconds.toFixed(1)} s)`,
      );
      const current = best.get(candidate.kind);
      if (!current || result.validation.logLoss < current.result.validation.logLoss) {
        current?.result.model.dispose();
        best.set(candidate.kind, { candidate, result });
      } else result.model.dispose();
    }
  } catch (err) {
    for (const { result } of best.values()) result.model.dispose();
    throw err;
  }
  const trainingSeconds = (performance.now() - started) / 1000;

  const kinds: Partial<Record<CtrModelKind, KindOutcome>> = {};
  let winner: CtrModelKind | undefined;
  for (const [kind, { candidate, result }] of best) {
    const name = `${LABELS[kind]} (${candidate.name.replace(/^\S+ /, '')})`;
    kinds[kind] = {
      candidate,
      result,
      validation: scored(name, validation.labels, await result.model.predictIds(validation.ids)),
      test: scored(name, test.labels, await result.model.predictIds(test.ids)),
    };
    if (!winner || kinds[kind]!.validation.logLoss < kinds[winner]!.validation.logLoss) winner = kind;
  }
  const constant = (labels: Uint8Array) => new Float32Array(labels.length).fill(trainRate);
  return {
    split: {
      seed,
      rows: n,
      train: train.labels.length,
      validation: validation.labels.length,
      test: test.labels.length,
      trainRate,
      validationRate: rate(validation.labels),
      testRate: rate(test.labels),
    },
    encoder,
    candidates: outcomes,
    kinds,
    baseRate: {
      validation: scored('base rate (training clicks)', validation.labels, constant(validation.labels)),
      test: scored('base rate (training clicks)', test.labels, constant(test.labels)),
    },
    winner: winner!,
    trainingSeconds,
  };
}
