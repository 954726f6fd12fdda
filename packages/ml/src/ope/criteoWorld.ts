import type { CtrDataset } from '../ctr/types.js';
import type { AdCandidateRecord } from './records.js';
import { loggingProbs, type SimContext } from './simulate.js';

export interface CriteoWorldOptions {
  /** Rows per context (candidates of one auction). Default 5. */
  candidates?: number;
  /** Categorical fields the reward model uses. Default C1..C8. */
  fields?: string[];
  /** Pseudo-rows of the smoothing prior. Default 20. */
  strength?: number;
  epsilon?: number;
  temperature?: number;
}

/**
 * A semi-synthetic check on real click data ("supervised to bandit"): the first half of the rows fits a
 * small reward model (the mean of per-value smoothed CTRs over a few categorical fields); the second
 * half is cut into contexts of `candidates` consecutive rows, each row a candidate ad (equal bids) whose
 * real label is its reward whichever policy shows it, so every policy's true CTR on these contexts is
 * known exactly. The logging policy is the simulation's (softmax over the model's scores with
 * ε-uniform exploration).
 */
export function criteoWorld(data: CtrDataset, options: CriteoWorldOptions = {}): SimContext[] {
  const k = options.candidates ?? 5;
  const fields = options.fields ?? ['C1', 'C2', 'C3', 'C4', 'C5', 'C6', 'C7', 'C8'];
  const strength = options.strength ?? 20;
  const half = Math.floor(data.rows.length / 2);
  let clicks = 0;
  for (let i = 0; i < half; i++) clicks += data.labels[i]!;
  const base = clicks / Math.max(1, half);
  const counts = fields.map(() => new Map<string, [number, number]>());
  for (let i = 0; i < half; i++)
    fields.forEach((f, j) => {
      const v = String(data.rows[i]![f] ?? '');
      const c = counts[j]!.get(v) ?? [0, 0];
      c[0] += data.labels[i]!;
      c[1]++;
      counts[j]!.set(v, c);
    });
  const predict = (row: CtrDataset['rows'][number]) => {
    let s = 0;
    fields.forEach((f, j) => {
      const c = counts[j]!.get(String(row[f] ?? '')) ?? [0, 0];
      s += (c[0] + strength * base) / (c[1] + strength);
    });
    return s / fields.length;
  };
  const contexts: SimContext[] = [];
  for (let start = half; start + k <= data.rows.length; start += k) {
    const candidates: AdCandidateRecord[] = [];
    const truth: number[] = [];
    for (let a = 0; a < k; a++) {
      const pctr = predict(data.rows[start + a]!);
      candidates.push({
        adId: `r${start + a}`,
        campaignId: `r${start + a}`,
        bidType: 'CPC',
        bidMicros: 1_000_000,
        pctr,
        ecpmMicros: pctr * 1e9,
        quality: 1,
        eligible: true,
      });
      truth.push(data.labels[start + a]!);
    }
    contexts.push({
      candidates,
      truth,
      logging: loggingProbs(candidates, options.epsilon ?? 0.05, options.temperature ?? 0.3),
    });
  }
  return contexts;
}
