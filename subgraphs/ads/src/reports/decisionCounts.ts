import type { CounterWriter } from '@attention-mesh/platform';
import { rollupUpdate } from './delivery.js';
import { type UserGroupDimension, userGroupUpdates } from './userGroups.js';

interface CampaignHour {
  campaignId: string;
  hourStart: number;
  requests: number;
  wins: number;
}

interface GroupHour {
  key: string;
  dimension: string;
  group: string;
  hourStart: number;
  requests: number;
}

/**
 * What each logged decision adds to the hourly rollups, until it is written: requests for every
 * campaign it considered and the win of the one it filled with (the campaign rollups), the request of
 * each of its user groups (the fairness audit). These go to the rollups in one write every
 * `ADS_COUNTS_FLUSH_MS` (default 10 minutes) and at shutdown (`flush`), not with each decision: a
 * decision considers hundreds of campaigns when thousands run, and on the embedded database every
 * upsert is a statement and a commit, so even one win upsert per decision cost more than the decision
 * and its log insert together. Reports add the counts not yet written (`pending`, `pendingGroups`).
 * Counted only once the decision is in the log; a crash loses at most the counts of the last interval,
 * never a decision, a reservation or spend (those are in the log and the ledger).
 */
export class DecisionCounts {
  private campaigns = new Map<string, CampaignHour>();
  private groups = new Map<string, GroupHour>();

  constructor(
    private readonly rollups: CounterWriter,
    private readonly userGroups: CounterWriter,
  ) {}

  /** Counts a decision's request for every campaign it considered. */
  count(campaignIds: readonly string[], hourStart: number): void {
    for (const campaignId of campaignIds) this.campaign(campaignId, hourStart).requests += 1;
  }

  /** Counts the win of the campaign a decision filled with. */
  win(campaignId: string, hourStart: number): void {
    this.campaign(campaignId, hourStart).wins += 1;
  }

  /** Counts a decision's request for each of its user groups (`userGroupKeys`). */
  countGroups(keys: readonly string[], hourStart: number): void {
    for (const key of keys) {
      const id = `${key}|${hourStart}`;
      const g = this.groups.get(id);
      if (g) g.requests += 1;
      else {
        const bar = key.indexOf('|');
        this.groups.set(id, {
          key,
          dimension: key.slice(0, bar),
          group: key.slice(bar + 1),
          hourStart,
          requests: 1,
        });
      }
    }
  }

  /** Requests and wins counted but not yet written, of one campaign's hour bucket. */
  pending(campaignId: string, hourStart: number): { requests: number; wins: number } {
    const c = this.campaigns.get(`${campaignId}|${hourStart}`);
    return { requests: c?.requests ?? 0, wins: c?.wins ?? 0 };
  }

  /** Requests per group of one dimension counted but not yet written, over hours [from, to). */
  pendingGroups(dimension: UserGroupDimension, from: number, to: number): Map<string, number> {
    const out = new Map<string, number>();
    for (const g of this.groups.values()) {
      if (g.dimension !== dimension || g.hourStart < from || g.hourStart >= to) continue;
      out.set(g.group, (out.get(g.group) ?? 0) + g.requests);
    }
    return out;
  }

  async flush(): Promise<void> {
    const campaigns = this.campaigns;
    const groups = this.groups;
    if (campaigns.size === 0 && groups.size === 0) return;
    this.campaigns = new Map();
    this.groups = new Map();
    const written = await Promise.allSettled([
      this.rollups.add(
        [...campaigns].map(
          ([id, c]) =>
            [id, rollupUpdate(c.campaignId, c.hourStart, { requests: c.requests, wins: c.wins })] as const,
        ),
      ),
      this.userGroups.add(
        [...groups.values()].flatMap((g) => userGroupUpdates([g.key], g.hourStart, { requests: g.requests })),
      ),
    ]);
    // Put back what was not written: the next flush tries again.
    if (written[0].status === 'rejected')
      for (const c of campaigns.values()) {
        const cur = this.campaign(c.campaignId, c.hourStart);
        cur.requests += c.requests;
        cur.wins += c.wins;
      }
    if (written[1].status === 'rejected')
      for (const [id, g] of groups) {
        const cur = this.groups.get(id);
        if (cur) cur.requests += g.requests;
        else this.groups.set(id, g);
      }
    for (const w of written) if (w.status === 'rejected') throw w.reason;
  }

  private campaign(campaignId: string, hourStart: number): CampaignHour {
    const key = `${campaignId}|${hourStart}`;
    let c = this.campaigns.get(key);
    if (!c) {
      c = { campaignId, hourStart, requests: 0, wins: 0 };
      this.campaigns.set(key, c);
    }
    return c;
  }
}
