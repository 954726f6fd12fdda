import * as tf from '@tensorflow/tfjs';
import { createRng, shuffleInPlace } from '../core/random.js';
import type { LeaveOneOut } from './data.js';
import { leftPad, type SasRecModel } from './model.js';

/** HR@10 / NDCG@10 under the sampled protocol and over the full item set. */
export interface RankingMetrics {
  users: number;
  hr10: number;
  ndcg10: number;
  fullHr10: number;
  fullNdcg10: number;
}

export type Stage = 'valid' | 'test';

/**
 * The SASRec evaluation set: up to `maxUsers` users with at least 3 interactions (sampled with a fixed
 * seed), each with 100 negatives per stage drawn uniformly from the items the user never interacted with
 * (drawn once, so every evaluation of a run ranks the same candidates).
 */
export interface EvaluationSet {
  users: Int32Array;
  /** negatives[stage][k * count + j]: the j-th negative of the k-th user. */
  negatives: Record<Stage, Int32Array>;
  count: number;
}

export interface EvaluationSetOptions {
  maxUsers?: number;
  negatives?: number;
  seed?: number;
}

export function evaluationSet(split: LeaveOneOut, options: EvaluationSetOptions = {}): EvaluationSet {
  const maxUsers = options.maxUsers ?? 10_000;
  const count = options.negatives ?? 100;
  const rng = createRng(options.seed ?? 2018);
  const eligible: number[] = [];
  for (let u = 0; u < split.train.length; u++) if (split.test[u]! > 0) eligible.push(u);
  let users = eligible;
  if (eligible.length > maxUsers) {
    shuffleInPlace(eligible, rng);
    users = eligible.slice(0, maxUsers).sort((a, b) => a - b);
  }
  const items = split.vocabulary - 1;
  const negatives = {
    valid: new Int32Array(users.length * count),
    test: new Int32Array(users.length * count),
  };
  users.forEach((u, k) => {
    const seen = new Set<number>(split.train[u]);
    seen.add(split.valid[u]!);
    seen.add(split.test[u]!);
    if (items - seen.size < count) {
      throw new Error(`user ${u} interacted with too many items to draw ${count} negatives`);
    }
    for (const stage of ['valid', 'test'] as const) {
      for (let j = 0; j < count; j++) {
        let item: number;
        do item = 1 + rng.int(items);
        while (seen.has(item));
        negatives[stage][k * count + j] = item;
      }
    }
  });
  return { users: Int32Array.from(users), negatives, count };
}

/** The model input for a stage: training items (plus the validation item for the test), trimmed. */
export function stageInput(split: LeaveOneOut, user: number, stage: Stage, maxLen: number): number[] {
  const seq = [...split.train[user]!];
  if (stage === 'test') seq.push(split.valid[user]!);
  return seq.length > maxLen ? seq.slice(seq.length - maxLen) : seq;
}

/** Scores [inputs.length * vocabulary] of every item after each input sequence (of users[i]). */
export type Scorer = (inputs: number[][], users: number[]) => Promise<Float32Array>;

/**
 * Ranks each user's target: sampled (against the user's 100 negatives) and full (against every item not
 * in the input). Ties count half, so a constant scorer gets no credit.
 */
export async function evaluateRanking(
  split: LeaveOneOut,
  set: EvaluationSet,
  stage: Stage,
  maxLen: number,
  scorer: Scorer,
  batchSize = 256,
): Promise<RankingMetrics> {
  const V = split.vocabulary;
  const targets = stage === 'valid' ? split.valid : split.test;
  const negatives = set.negatives[stage];
  let hr = 0;
  let ndcg = 0;
  let fullHr = 0;
  let fullNdcg = 0;
  // Users grouped by input length, so batches trimmed to their longest input waste little.
  const order = Array.from(set.users.keys());
  const lengths = order.map((k) => stageInput(split, set.users[k]!, stage, maxLen).length);
  order.sort((a, b) => lengths[a]! - lengths[b]! || a - b);
  for (let start = 0; start < order.length; start += batchSize) {
    const ks = order.slice(start, start + batchSize);
    const inputs = ks.map((k) => stageInput(split, set.users[k]!, stage, maxLen));
    const scores = await scorer(
      inputs,
      ks.map((k) => set.users[k]!),
    );
    ks.forEach((k, row) => {
      const u = set.users[k]!;
      const target = targets[u]!;
      const base = row * V;
      const pos = scores[base + target]!;
      let above = 0;
      let ties = 0;
      for (let j = 0; j < set.count; j++) {
        const s = scores[base + negatives[k * set.count + j]!]!;
        if (s > pos) above++;
        else if (s === pos) ties++;
      }
      const rank = above + ties / 2;
      if (rank < 10) {
        hr++;
        ndcg += 1 / Math.log2(Math.floor(rank) + 2);
      }
      const exclude = new Set(inputs[row]);
      exclude.delete(target);
      let fullAbove = 0;
      let fullTies = 0;
      for (let i = 1; i < V; i++) {
        if (i === target) continue;
        const s = scores[base + i]!;
        if (s >= pos && !exclude.has(i)) {
          if (s > pos) fullAbove++;
          else fullTies++;
        }
      }
      const fullRank = fullAbove + fullTies / 2;
      if (fullRank < 10) {
        fullHr++;
        fullNdcg += 1 / Math.log2(Math.floor(fullRank) + 2);
      }
    });
  }
  const n = Math.max(1, set.users.length);
  return {
    users: set.users.length,
    hr10: hr / n,
    ndcg10: ndcg / n,
    fullHr10: fullHr / n,
    fullNdcg10: fullNdcg / n,
  };
}

/** A scorer running the model (inference mode) in tf.tidy, one forward pass per batch. */
export function modelScorer(model: SasRecModel): Scorer {
  return async (inputs) => {
    const scores = tf.tidy(() => model.scoreAll(model.lastFeatures(leftPad(inputs)).features));
    try {
      return (await scores.data()) as Float32Array;
    } finally {
      scores.dispose();
    }
  };
}

/** Item popularity in the training items (the baseline); index 0 gets -Infinity. */
export function popularityScores(split: LeaveOneOut): Float32Array {
  const counts = new Float32Array(split.vocabulary);
  for (const s of split.train) for (const i of s) counts[i]! += 1;
  counts[0] = Number.NEGATIVE_INFINITY;
  return counts;
}

/** A scorer giving every input the same popularity scores. */
export function popularityScorer(split: LeaveOneOut): Scorer {
  const pop = popularityScores(split);
  return async (inputs) => {
    const out = new Float32Array(inputs.length * pop.length);
    for (let r = 0; r < inputs.length; r++) out.set(pop, r * pop.length);
    return out;
  };
}
