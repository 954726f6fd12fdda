import type { AdDecisionRecord } from '@attention-mesh/ml/training';
import { type Outcomes, outcomesOf } from '../ctr/ctrExport.js';
import type { AdEventDoc, DecisionDoc } from '../models/index.js';
import type { AdsRuntime } from '../runtime.js';

/**
 * The off-policy evaluation record of a filled decision logged with its candidates (see
 * `@attention-mesh/ml`'s `AdDecisionRecord`): the chosen ad, its propensity, the candidates' scores,
 * whether it was shown and the reward (clicked). Null for a no-fill or a decision logged before
 * candidates were (no `considered`). No user id leaves the subgraph: evaluation does not need it.
 */
export function decisionRecord(d: DecisionDoc, outcomes: Outcomes): AdDecisionRecord | null {
  if (!d.adId || d.propensity == null || !d.considered?.length) return null;
  const o = outcomes.get(d._id);
  return {
    kind: 'ad',
    id: d._id,
    at: d.at,
    placementId: d.placementId,
    chosen: d.adId,
    propensity: d.propensity,
    explored: d.explored ?? false,
    epsilon: d.explorationEpsilon ?? 0,
    eligible: d.explorationSet ?? d.considered.filter((c) => c.eligible).length,
    candidates: d.considered.map((c) => ({
      adId: c.adId,
      campaignId: c.campaignId,
      bidType: c.bidType,
      bidMicros: c.bidMicros,
      pctr: c.pctr,
      ecpmMicros: c.ecpmMicros,
      quality: c.quality,
      eligible: c.eligible,
    })),
    shown: o?.shown ?? false,
    reward: o?.clicked ? 1 : 0,
  };
}

/**
 * Streams the OPE records of decisions made in [from, to) as JSONL lines to `write` (a batch job: it
 * reads the ledger's impressions and clicks, then the decisions with a cursor). Returns the counts.
 */
export async function exportDecisions(
  models: Pick<AdsRuntime, 'AdEvent' | 'Decision'>,
  write: (line: string) => void | Promise<void>,
  range: { from?: number; to?: number } = {},
  onProgress?: (seen: number) => void,
): Promise<{ decisions: number; shown: number; clicks: number; explored: number }> {
  const outcomes = outcomesOf(
    await models.AdEvent.find({ type: { $in: ['IMPRESSION', 'CLICK'] } }, { decisionId: 1, type: 1 }).lean<
      AdEventDoc[]
    >(),
  );
  const counts = { decisions: 0, shown: 0, clicks: 0, explored: 0 };
  let seen = 0;
  for await (const d of models.Decision.find().lean<DecisionDoc>().cursor() as AsyncIterable<DecisionDoc>) {
    if (++seen % 10_000 === 0) onProgress?.(seen);
    if ((range.from !== undefined && d.at < range.from) || (range.to !== undefined && d.at >= range.to))
      continue;
    const r = decisionRecord(d, outcomes);
    if (!r) continue;
    counts.decisions++;
    if (r.shown) counts.shown++;
    counts.clicks += r.reward;
    if (r.explored) counts.explored++;
    await write(`${JSON.stringify(r)}\n`);
  }
  return counts;
}
