import type { AdEventDoc, DecisionDoc } from '../models/index.js';
import type { AdsRuntime } from '../runtime.js';
import { ctrRow } from './ctrSource.js';

/** One labelled impression in the JSONL the CTR training CLI reads (`--format jsonl`). */
export interface CtrExample {
  label: 0 | 1;
  fields: Record<string, string | number | null>;
}

/** What the ledger says happened to each decision. */
export type Outcomes = Map<string, { shown: boolean; clicked: boolean }>;

export function outcomesOf(events: Iterable<Pick<AdEventDoc, 'decisionId' | 'type'>>): Outcomes {
  const out: Outcomes = new Map();
  for (const e of events) {
    const o = out.get(e.decisionId) ?? { shown: false, clicked: false };
    if (e.type === 'IMPRESSION') o.shown = true;
    if (e.type === 'CLICK') o.clicked = true;
    out.set(e.decisionId, o);
  }
  return out;
}

/**
 * The example of a filled decision that was shown (an impression, or a click, which implies one), with
 * the features the decision scores pCTR with; null for a decision that filled nothing or was never shown.
 */
export function ctrExample(d: DecisionDoc, outcomes: Outcomes): CtrExample | null {
  const o = outcomes.get(d._id);
  if (!o || !d.adId || !d.campaignId || !d.advertiserId || !d.bidType) return null;
  const fields = ctrRow({
    placementId: d.placementId,
    adId: d.adId,
    campaignId: d.campaignId,
    advertiserId: d.advertiserId,
    bidType: d.bidType,
    category: d.category,
    device: d.device,
    country: d.country,
    at: d.at,
  }) as Record<string, string | number | null>;
  return { label: o.clicked ? 1 : 0, fields };
}

/** Streams the examples of decisions made in [from, to) as JSONL lines to `write`; returns the counts. */
export async function exportCtrData(
  models: Pick<AdsRuntime, 'AdEvent' | 'Decision'>,
  write: (line: string) => void | Promise<void>,
  range: { from?: number; to?: number } = {},
): Promise<{ examples: number; clicks: number }> {
  const outcomes = outcomesOf(
    await models.AdEvent.find({ type: { $in: ['IMPRESSION', 'CLICK'] } }, { decisionId: 1, type: 1 }).lean<
      AdEventDoc[]
    >(),
  );
  let examples = 0;
  let clicks = 0;
  for await (const d of models.Decision.find().lean<DecisionDoc>().cursor() as AsyncIterable<DecisionDoc>) {
    if ((range.from !== undefined && d.at < range.from) || (range.to !== undefined && d.at >= range.to))
      continue;
    const example = ctrExample(d, outcomes);
    if (!example) continue;
    examples++;
    clicks += example.label;
    await write(`${JSON.stringify(example)}\n`);
  }
  return { examples, clicks };
}
