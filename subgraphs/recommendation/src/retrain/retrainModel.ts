import { latestVersion, SASREC_MODEL_NAME, saveVersion } from '@attention-mesh/ml';
import {
  buildVocabulary,
  evaluationSet,
  leaveOneOut,
  type SasRecProgress,
  trainSasRec,
} from '@attention-mesh/ml/training';
import { type Staleness, stalenessOf } from '../loop/staleness.js';
import { type ModelStalenessModel, stalenessId } from '../models/ModelStaleness.js';
import type { UserSequenceModel } from '../models/UserSequence.js';
import { sequencesForTraining } from './sequencesForTraining.js';

/** The small SASRec `retrain:rec` trains by default: minutes at most on one CPU core for the demo world. */
export const RETRAIN_DEFAULTS = {
  maxLen: 20,
  hidden: 32,
  blocks: 1,
  heads: 1,
  dropout: 0.2,
  epochs: 30,
  evalEvery: 5,
  patience: 2,
  lr: 0.005,
  batchSize: 128,
  maxUsers: 2_000,
  seed: 42,
} as const;

export interface RetrainOptions {
  /** The model registry (MODELS_DIR) the subgraph's watcher reads. */
  modelsDir: string;
  /** REC_RETRAIN_AFTER_INTERACTIONS. */
  retrainAfterInteractions: number;
  /** Train even when the model is not stale. */
  force?: boolean;
  maxLen?: number;
  hidden?: number;
  blocks?: number;
  heads?: number;
  dropout?: number;
  epochs?: number;
  evalEvery?: number;
  patience?: number;
  /** Stop training (after an evaluation) once it took this long. */
  maxSeconds?: number;
  lr?: number;
  batchSize?: number;
  seed?: number;
  /** Runs once the model is known to need training, before the data is read (e.g. choosing the backend). */
  beforeTraining?(): Promise<void>;
  /** Progress lines (what is being done). */
  say?(line: string): void;
  /** Per-batch training progress. */
  onProgress?(p: SasRecProgress): void;
}

export type RetrainResult =
  | { status: 'fresh'; servedVersion: string | null; staleness: Staleness }
  | { status: 'no-data'; servedVersion: string | null; staleness: Staleness; users: number }
  | {
      status: 'trained';
      servedVersion: string | null;
      staleness: Staleness;
      version: string;
      dir: string;
      users: number;
      items: number;
      interactions: number;
      ndcg10: number;
      hr10: number;
      seconds: number;
    };

/**
 * The scheduled retraining behind `npm run retrain:rec`: nothing when the newest registry version is not
 * stale (unless `force`); otherwise the stored sequences are exported from the database, a small SASRec
 * is trained on them (the registry's usual leave-one-out protocol, the best validation NDCG@10 kept) and
 * saved as a new version, which the running subgraphs' registry watchers swap in without a restart.
 */
export async function retrainModel(
  models: { UserSequence: UserSequenceModel; ModelStaleness: ModelStalenessModel },
  opts: RetrainOptions,
): Promise<RetrainResult> {
  const say = opts.say ?? (() => {});
  const started = performance.now();
  const latest = await latestVersion(opts.modelsDir, SASREC_MODEL_NAME);
  const servedVersion = latest?.version ?? null;
  const doc = await models.ModelStaleness.findById(stalenessId(SASREC_MODEL_NAME, servedVersion)).lean<{
    interactions?: number;
  }>();
  const staleness = stalenessOf(doc?.interactions ?? 0, opts.retrainAfterInteractions, latest !== undefined);
  say(
    `model ${servedVersion ?? '(none)'}: ${staleness.interactionsSinceTraining} of ` +
      `${staleness.retrainAfterInteractions} interactions since training${staleness.stale ? ' (stale)' : ''}`,
  );
  if (!staleness.stale && !opts.force) return { status: 'fresh', servedVersion, staleness };

  await opts.beforeTraining?.();
  const data = await sequencesForTraining(models.UserSequence);
  say(`exported ${data.sequences.length} users, ${data.interactions} interactions from the database`);
  if (data.sequences.length === 0) {
    return { status: 'no-data', servedVersion, staleness, users: data.sequences.length };
  }
  const itemIds = buildVocabulary(data.sequences);
  const split = leaveOneOut(data.sequences, itemIds);
  // Users who saw (almost) every item cannot draw sampled negatives: not scored (small catalogues).
  const items = itemIds.length - 1;
  let negatives = 100;
  for (let u = 0; u < split.train.length; u++) {
    if (split.test[u]! === 0) continue;
    const free = items - new Set([...split.train[u]!, split.valid[u]!, split.test[u]!]).size;
    if (free < 1) {
      split.valid[u] = 0;
      split.test[u] = 0;
    } else negatives = Math.min(negatives, free);
  }
  const seed = opts.seed ?? RETRAIN_DEFAULTS.seed;
  const evalSet = evaluationSet(split, { maxUsers: RETRAIN_DEFAULTS.maxUsers, seed, negatives });
  const config = {
    maxLen: opts.maxLen ?? RETRAIN_DEFAULTS.maxLen,
    hidden: opts.hidden ?? RETRAIN_DEFAULTS.hidden,
    blocks: opts.blocks ?? RETRAIN_DEFAULTS.blocks,
    heads: opts.heads ?? RETRAIN_DEFAULTS.heads,
    dropout: opts.dropout ?? RETRAIN_DEFAULTS.dropout,
  };
  const training = {
    epochs: opts.epochs ?? RETRAIN_DEFAULTS.epochs,
    evalEvery: opts.evalEvery ?? RETRAIN_DEFAULTS.evalEvery,
    patience: opts.patience ?? RETRAIN_DEFAULTS.patience,
    lr: opts.lr ?? RETRAIN_DEFAULTS.lr,
    batchSize: opts.batchSize ?? RETRAIN_DEFAULTS.batchSize,
  };
  say(
    `training SASRec on ${items} items (maxLen ${config.maxLen}, hidden ${config.hidden}, ` +
      `${config.blocks} block(s), at most ${training.epochs} epochs; ${evalSet.users.length} users scored)`,
  );
  const result = await trainSasRec(itemIds, split, evalSet, {
    config,
    loss: 'bce',
    ...training,
    ...(opts.maxSeconds !== undefined ? { maxSeconds: opts.maxSeconds } : {}),
    negatives: 256,
    weightDecay: 0,
    seed,
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    onEvaluation: (e) =>
      say(
        `epoch ${e.epoch}: validation HR@10 ${e.valid.hr10.toFixed(4)}, NDCG@10 ${e.valid.ndcg10.toFixed(4)}`,
      ),
  });
  try {
    const saved = await saveVersion(opts.modelsDir, SASREC_MODEL_NAME, async (dir) => {
      await result.model.save(dir);
      return {
        dataset: 'rec_users',
        source: 'retrain:rec',
        retrainedFrom: servedVersion,
        staleness,
        data: { users: data.sequences.length, items, interactions: data.interactions },
        config,
        loss: 'bce',
        seed,
        training: {
          ...training,
          epochsRun: result.epochsRun,
          bestEpoch: result.bestEpoch,
          stopped: result.stopped,
          trainingSeconds: result.trainingSeconds,
        },
        parameters: result.model.parameterCount(),
        validation: result.best,
      };
    });
    const seconds = (performance.now() - started) / 1000;
    say(`saved ${saved.dir} in ${seconds.toFixed(1)} s`);
    return {
      status: 'trained',
      servedVersion,
      staleness,
      version: saved.version,
      dir: saved.dir,
      users: data.sequences.length,
      items,
      interactions: data.interactions,
      ndcg10: result.best.ndcg10,
      hr10: result.best.hr10,
      seconds,
    };
  } finally {
    result.model.dispose();
  }
}
