/**
 * The decision logs off-policy evaluation reads, one JSON object a line, as the subgraphs' exports write
 * them (`npm run export:ad-decisions`, `npm run export:rec-decisions`). Nothing here reads a database:
 * each subgraph exports its own decisions with their rewards joined.
 */

/** One ad candidate of a decision, with what a reward model and a candidate policy need. */
export interface AdCandidateRecord {
  adId: string;
  campaignId: string;
  bidType: 'CPM' | 'CPC';
  /** The (shaded) bid, micros per 1,000 impressions (CPM) or per click (CPC). */
  bidMicros: number;
  /** Posterior mean pCTR (the model's prior blended with the ad's clicks). */
  pctr: number;
  /** eCPM at that pCTR, micros. */
  ecpmMicros: number;
  /** Complaint penalty × placement attention; ranking score = eCPM × quality. */
  quality: number;
  /** In the exploration set (its campaign passed the throttle and its mean eCPM clears the floor). */
  eligible: boolean;
}

/** A filled ad decision (`kind: 'ad'`): one slot. */
export interface AdDecisionRecord {
  kind: 'ad';
  id: string;
  at: number;
  placementId: string;
  chosen: string;
  /** μ(chosen | x) under the logging policy (exploration mixed with the Thompson-sampling auction). */
  propensity: number;
  explored: boolean;
  epsilon: number;
  /** Size of the exploration set (may exceed the candidates listed, which are bounded). */
  eligible: number;
  /** The candidates with the best ranking scores (bounded), the chosen one always among them. */
  candidates: AdCandidateRecord[];
  shown: boolean;
  reward: number;
}

/** One position of a logged recommendation list. */
export interface RecSlotRecord {
  /** 1-based position in the list as served. */
  position: number;
  /** The item shown there. */
  itemId: string;
  /** The item the ranking put there before exploration. */
  greedyItemId: string;
  explored: boolean;
  /** μ(item at this position | x): 1 − ε for the ranking's item, ε / pool for an explored one. */
  propensity: number;
  /** Items the explored one was drawn from (ranking items below the page not yet used). */
  pool: number;
  score: number;
  reward: number;
}

/** A served recommendation page (`kind: 'rec'`): one slot per position. */
export interface RecDecisionRecord {
  kind: 'rec';
  id: string;
  at: number;
  epsilon: number;
  source: string;
  modelVersion: string | null;
  slots: RecSlotRecord[];
  /** The ranking's best items by model score (bounded), for score-order candidate policies. */
  byScore: { itemId: string; score: number }[];
}

export type DecisionRecord = AdDecisionRecord | RecDecisionRecord;

/** Parses and checks one line; throws naming the line and the field. */
export function parseDecisionRecord(line: string, lineNo: number): DecisionRecord {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new Error(`line ${lineNo}: not JSON`);
  }
  const r = v as Partial<DecisionRecord>;
  const bad = (field: string) => new Error(`line ${lineNo}: missing or invalid "${field}"`);
  const prob = (p: unknown) => typeof p === 'number' && p > 0 && p <= 1;
  if (r.kind === 'ad') {
    if (typeof r.chosen !== 'string') throw bad('chosen');
    if (!prob(r.propensity)) throw bad('propensity');
    if (!Array.isArray(r.candidates) || !r.candidates.some((c) => c.adId === r.chosen))
      throw bad('candidates');
    if (typeof r.reward !== 'number') throw bad('reward');
    return r as AdDecisionRecord;
  }
  if (r.kind === 'rec') {
    if (!Array.isArray(r.slots) || r.slots.length === 0) throw bad('slots');
    for (const s of r.slots)
      if (!prob(s.propensity) || typeof s.reward !== 'number') throw bad('slots.propensity');
    if (!Array.isArray(r.byScore)) throw bad('byScore');
    return r as RecDecisionRecord;
  }
  throw bad('kind');
}
