import type { DecisionCampaign } from './types.js';

/**
 * An index of the active campaigns by placement, country and device, so a decision looks only at the
 * campaigns that target its placement, country and device (or any of them) and never scans them all.
 * Each dimension keeps one bucket per value and a wildcard bucket for campaigns that target any value; a
 * lookup walks the smallest of the three (bucket ∪ wildcard) sets and checks the other two dimensions
 * on the campaign's own target sets. Campaigns change while the subgraph runs: `upsert` and `remove`
 * keep the index current one campaign at a time.
 */

interface Entry {
  campaign: DecisionCampaign;
  placements: ReadonlySet<string> | null;
  countries: ReadonlySet<string> | null;
  devices: ReadonlySet<string> | null;
}

class Dimension {
  readonly byValue = new Map<string, Set<string>>();
  readonly any = new Set<string>();

  add(id: string, values: ReadonlySet<string> | null): void {
    if (values === null) {
      this.any.add(id);
      return;
    }
    for (const v of values) {
      let bucket = this.byValue.get(v);
      if (!bucket) {
        bucket = new Set();
        this.byValue.set(v, bucket);
      }
      bucket.add(id);
    }
  }

  delete(id: string, values: ReadonlySet<string> | null): void {
    if (values === null) {
      this.any.delete(id);
      return;
    }
    for (const v of values) {
      const bucket = this.byValue.get(v);
      if (!bucket) continue;
      bucket.delete(id);
      if (bucket.size === 0) this.byValue.delete(v);
    }
  }

  bucket(value: string | undefined): Set<string> | undefined {
    return value === undefined ? undefined : this.byValue.get(value);
  }
}

const toSet = (list: readonly string[]): ReadonlySet<string> | null =>
  list.length === 0 ? null : new Set(list);

/** Whether a campaign's target set (null = any) admits the value (undefined = unknown: any only). */
const admits = (set: ReadonlySet<string> | null, value: string | undefined): boolean =>
  set === null || (value !== undefined && set.has(value));

export class EligibilityIndex {
  private readonly entries = new Map<string, Entry>();
  private readonly placements = new Dimension();
  private readonly countries = new Dimension();
  private readonly devices = new Dimension();

  constructor(campaigns: Iterable<DecisionCampaign> = []) {
    for (const c of campaigns) this.upsert(c);
  }

  get size(): number {
    return this.entries.size;
  }

  get(campaignId: string): DecisionCampaign | undefined {
    return this.entries.get(campaignId)?.campaign;
  }

  /** Adds or replaces a campaign; one that is not ACTIVE is removed (only active ones are indexed). */
  upsert(campaign: DecisionCampaign): void {
    this.remove(campaign.id);
    if (campaign.status !== 'ACTIVE') return;
    const t = campaign.targeting;
    const entry: Entry = {
      campaign,
      placements: toSet(t.placementIds),
      countries: toSet(t.countries),
      devices: toSet(t.devices),
    };
    this.entries.set(campaign.id, entry);
    this.placements.add(campaign.id, entry.placements);
    this.countries.add(campaign.id, entry.countries);
    this.devices.add(campaign.id, entry.devices);
  }

  remove(campaignId: string): void {
    const entry = this.entries.get(campaignId);
    if (!entry) return;
    this.entries.delete(campaignId);
    this.placements.delete(campaignId, entry.placements);
    this.countries.delete(campaignId, entry.countries);
    this.devices.delete(campaignId, entry.devices);
  }

  /** Every campaign now indexed (for a rebuild elsewhere or a report). */
  campaigns(): DecisionCampaign[] {
    return Array.from(this.entries.values(), (e) => e.campaign);
  }

  /** The active campaigns that target this placement, country and device (or any of them). */
  lookup(placementId: string, country: string | undefined, device: string | undefined): DecisionCampaign[] {
    const dims: [Dimension, string | undefined][] = [
      [this.placements, placementId],
      [this.countries, country],
      [this.devices, device],
    ];
    let best = 0;
    let bestSize = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 3; i++) {
      const [dim, value] = dims[i]!;
      const size = (dim.bucket(value)?.size ?? 0) + dim.any.size;
      if (size < bestSize) {
        bestSize = size;
        best = i;
      }
    }
    const out: DecisionCampaign[] = [];
    if (bestSize === 0) return out;
    const [dim, value] = dims[best]!;
    const visit = (ids: Set<string> | undefined) => {
      if (!ids) return;
      for (const id of ids) {
        const e = this.entries.get(id)!;
        if (
          (best === 0 || admits(e.placements, placementId)) &&
          (best === 1 || admits(e.countries, country)) &&
          (best === 2 || admits(e.devices, device))
        ) {
          out.push(e.campaign);
        }
      }
    };
    visit(dim.bucket(value));
    visit(dim.any);
    return out;
  }
}
