import type { Logger } from '@attention-mesh/platform';

/** One row of features for a pCTR model (also the shape `exportCtrData` writes). */
export type CtrRow = Record<string, string | number | null | undefined>;

/** What the ads subgraph needs of a learned CTR model (packages/ml `CtrPredictor` fits). */
export interface CtrModel {
  kind: string;
  predict(rows: CtrRow[]): Promise<Float32Array>;
}

/** Features of one candidate, in the export's field names. */
export function ctrRow(f: {
  placementId: string;
  adId: string;
  campaignId: string;
  advertiserId: string;
  bidType: string;
  category?: string | null;
  device?: string | null;
  country?: string | null;
  at: number;
}): CtrRow {
  const d = new Date(f.at);
  return {
    placementId: f.placementId,
    adId: f.adId,
    campaignId: f.campaignId,
    advertiserId: f.advertiserId,
    bidType: f.bidType,
    category: f.category ?? null,
    device: f.device ?? null,
    country: f.country ?? null,
    hourOfDay: d.getUTCHours(),
    dayOfWeek: d.getUTCDay(),
  };
}

/**
 * The pCTR behind decisions: a learned model when one is loaded, else null (the decision then uses each
 * ad's prior). All candidates of a decision go through one `predict` call. A model that fails or answers
 * nonsense never fails a decision: the prior is used and the failure logged.
 */
export class CtrSource {
  private model: CtrModel | null = null;

  /** Set once the service has its logger (background start). */
  logger: Logger | null = null;

  swap(next: CtrModel | null): void {
    this.model = next;
  }

  get kind(): string | null {
    return this.model?.kind ?? null;
  }

  async predict(rows: CtrRow[]): Promise<Float32Array | null> {
    const model = this.model;
    if (!model || rows.length === 0) return null;
    try {
      const out = await model.predict(rows);
      if (out.length !== rows.length)
        throw new Error(`model answered ${out.length} scores for ${rows.length}`);
      return out;
    } catch (err) {
      this.logger?.warn(
        { err: (err as Error).message, model: model.kind },
        'pCTR model failed; using priors',
      );
      return null;
    }
  }
}
