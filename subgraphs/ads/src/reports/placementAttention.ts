import { CounterWriter } from '@attention-mesh/platform';
import type { LedgerModels, PlacementAttentionDoc } from '../models/ledger.js';

type Counts = Omit<PlacementAttentionDoc, '_id'>;
const EMPTY: Counts = { impressions: 0, viewable: 0, engagedMs: 0 };

/** Impressions a placement needs before its measured attention counts (fewer is noise). */
export const MIN_MEASURED_IMPRESSIONS = 50;

/**
 * A placement's attention score in 0..1, the attention subgraph's formula scaled down: half MRC
 * viewability rate, half average engaged time per impression against 15 s. Undefined until measured.
 */
export function placementAttentionScore(c: Counts): number | undefined {
  if (c.impressions < MIN_MEASURED_IMPRESSIONS) return undefined;
  const viewability = Math.min(1, c.viewable / c.impressions);
  const engaged = Math.min(1, c.engagedMs / c.impressions / 15_000);
  return 0.5 * viewability + 0.5 * engaged;
}

/**
 * What the attention subgraph measured per placement (from `attention.recorded`), held in memory for
 * the decision's quality factor and written through.
 */
export class PlacementAttentionBook {
  private readonly counts = new Map<string, Counts>();
  private readonly writer: CounterWriter;

  constructor(private readonly model: LedgerModels['PlacementAttention']) {
    this.writer = new CounterWriter(model);
  }

  async load(): Promise<void> {
    for (const { _id, ...c } of await this.model.find().lean<PlacementAttentionDoc[]>())
      this.counts.set(_id, c);
  }

  score(placementId: string): number | undefined {
    const c = this.counts.get(placementId);
    return c ? placementAttentionScore(c) : undefined;
  }

  add(placementId: string, delta: Counts): Promise<void> {
    const cur = { ...(this.counts.get(placementId) ?? EMPTY) };
    cur.impressions += delta.impressions;
    cur.viewable += delta.viewable;
    cur.engagedMs += delta.engagedMs;
    this.counts.set(placementId, cur);
    return this.writer.add([[placementId, { $inc: { ...delta } }]]);
  }
}
