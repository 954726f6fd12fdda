import type { CounterWriter } from '@attention-mesh/platform';
import { rollupUpdate } from './delivery.js';

/** The requests each decision counts for the campaigns it considered, until they are written to the hourly rollups. */
export class RequestCounts {
  /** Requests per rollup bucket not yet written (see `count`). */
  private requestCounts = new Map<string, { campaignId: string; hourStart: number; n: number }>();

  constructor(private readonly rollups: CounterWriter) {}

  /**
   * Counts a decision's request for every campaign it considered. These go to the hourly rollups in one
   * write every ten minutes and at shutdown (`flush`), not with each decision: a decision
   * considers hundreds of campaigns when thousands run, and an upsert per campaign per decision (or even
   * per few seconds) would cost the database more than all decisions together. Reports add the counts
   * not yet written (`pending`). A crash loses at most the counts of the last interval; the
   * decision log keeps every decision.
   */
  count(campaignIds: readonly string[], hourStart: number): void {
    for (const campaignId of campaignIds) {
      const key = `${campaignId}|${hourStart}`;
      const c = this.requestCounts.get(key);
      if (c) c.n += 1;
      else this.requestCounts.set(key, { campaignId, hourStart, n: 1 });
    }
  }

  /** Requests counted but not yet written, of one campaign's hour bucket. */
  pending(campaignId: string, hourStart: number): number {
    return this.requestCounts.get(`${campaignId}|${hourStart}`)?.n ?? 0;
  }

  async flush(): Promise<void> {
    if (this.requestCounts.size === 0) return;
    const counts = this.requestCounts;
    this.requestCounts = new Map();
    try {
      await this.rollups.add(
        [...counts].map(
          ([id, c]) => [id, rollupUpdate(c.campaignId, c.hourStart, { requests: c.n })] as const,
        ),
      );
    } catch (err) {
      // Put them back: the next flush tries again.
      for (const [id, c] of counts) {
        const cur = this.requestCounts.get(id);
        if (cur) cur.n += c.n;
        else this.requestCounts.set(id, c);
      }
      throw err;
    }
  }
}
