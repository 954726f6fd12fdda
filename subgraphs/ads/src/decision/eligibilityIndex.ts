import type { DecisionCampaign } from './types.js';

/**
 * An index of the active campaigns by ad size, placement, country and device, so a decision looks only
 * at the campaigns that have an active ad of the placement's size and target its placement, country and
 * device (or any of them), and never scans them all.
 *
 * Each campaign is filed under every combination of its sizes and its targeted placements, countries
 * and devices, a wildcard `*` standing for "any" in a dimension it does not restrict. A lookup reads the
 * eight buckets (value or `*` in each of the three dimensions) for the placement's size: they are
 * disjoint (a campaign either lists a dimension's values or takes any), so their union is exactly the
 * answer, with nothing rejected on the way. A campaign whose combinations would exceed `maxKeys`
 * (e.g. 200 placements × 50 countries) is kept in a short list checked one by one instead.
 * Campaigns change while the subgraph runs: `upsert` and `remove` keep the index current one campaign
 * at a time.
 */

interface Entry {
  campaign: DecisionCampaign;
  keys: string[] | null;
  placements: ReadonlySet<string> | null;
  countries: ReadonlySet<string> | null;
  devices: ReadonlySet<string> | null;
  sizes: ReadonlySet<string>;
}

const ANY = '*';
const SEP = '\u0001';

const toSet = (list: readonly string[]): ReadonlySet<string> | null =>
  list.length === 0 ? null : new Set(list);

/** Whether a target set (null = any) admits the value (undefined = unknown: only "any" admits it). */
const admits = (set: ReadonlySet<string> | null, value: string | undefined): boolean =>
  set === null || (value !== undefined && set.has(value));

const sizeKey = (width: number, height: number) => `${width}x${height}`;

export interface EligibilityIndexOptions {
  /** Most bucket entries one campaign may take before it is checked one by one instead. Default 512. */
  maxKeys?: number;
}

export class EligibilityIndex {
  private readonly entries = new Map<string, Entry>();
  private readonly buckets = new Map<string, Set<DecisionCampaign>>();
  /** Campaigns with too many combinations to file: checked at each lookup. */
  private readonly wide = new Set<string>();
  private readonly maxKeys: number;

  constructor(campaigns: Iterable<DecisionCampaign> = [], options: EligibilityIndexOptions = {}) {
    this.maxKeys = options.maxKeys ?? 512;
    for (const c of campaigns) this.upsert(c);
  }

  get size(): number {
    return this.entries.size;
  }

  get(campaignId: string): DecisionCampaign | undefined {
    return this.entries.get(campaignId)?.campaign;
  }

  /** Every campaign now indexed. */
  campaigns(): DecisionCampaign[] {
    return Array.from(this.entries.values(), (e) => e.campaign);
  }

  /**
   * Adds or replaces a campaign. One that is not ACTIVE or has no active ad is removed: only those that
   * can be shown are indexed.
   */
  upsert(campaign: DecisionCampaign): void {
    this.remove(campaign.id);
    if (campaign.status !== 'ACTIVE') return;
    const sizes = new Set(
      campaign.ads.filter((a) => a.status === 'ACTIVE').map((a) => sizeKey(a.width, a.height)),
    );
    if (sizes.size === 0) return;
    const t = campaign.targeting;
    const entry: Entry = {
      campaign,
      keys: null,
      placements: toSet(t.placementIds),
      countries: toSet(t.countries),
      devices: toSet(t.devices),
      sizes,
    };
    const dims = [sizes, entry.placements, entry.countries, entry.devices].map((s) =>
      s === null ? [ANY] : [...s],
    );
    const count = dims.reduce((n, d) => n * d.length, 1);
    this.entries.set(campaign.id, entry);
    if (count > this.maxKeys) {
      this.wide.add(campaign.id);
      return;
    }
    const keys: string[] = [];
    for (const s of dims[0]!)
      for (const p of dims[1]!)
        for (const c of dims[2]!) for (const d of dims[3]!) keys.push(s + SEP + p + SEP + c + SEP + d);
    entry.keys = keys;
    for (const key of keys) {
      let bucket = this.buckets.get(key);
      if (!bucket) {
        bucket = new Set();
        this.buckets.set(key, bucket);
      }
      bucket.add(campaign);
    }
  }

  remove(campaignId: string): void {
    const entry = this.entries.get(campaignId);
    if (!entry) return;
    this.entries.delete(campaignId);
    this.wide.delete(campaignId);
    for (const key of entry.keys ?? []) {
      const bucket = this.buckets.get(key);
      if (!bucket) continue;
      bucket.delete(entry.campaign);
      if (bucket.size === 0) this.buckets.delete(key);
    }
  }

  /**
   * The active campaigns with an active ad of `width`×`height` that target this placement, country and
   * device (or any of them). Without a size, any size matches.
   */
  lookup(
    placementId: string,
    country: string | undefined,
    device: string | undefined,
    size?: { width: number; height: number },
  ): DecisionCampaign[] {
    const out: DecisionCampaign[] = [];
    const sizes = size ? [sizeKey(size.width, size.height)] : this.allSizes();
    const countries = country === undefined ? [ANY] : [country, ANY];
    const devices = device === undefined ? [ANY] : [device, ANY];
    for (const s of sizes) {
      for (const p of [placementId, ANY]) {
        for (const c of countries) {
          for (const d of devices) {
            const bucket = this.buckets.get(s + SEP + p + SEP + c + SEP + d);
            if (bucket) for (const c of bucket) out.push(c);
          }
        }
      }
    }
    if (this.wide.size > 0) {
      const seen = size ? null : new Set(out.map((c) => c.id));
      for (const id of this.wide) {
        const e = this.entries.get(id)!;
        if (
          (size ? e.sizes.has(sizeKey(size.width, size.height)) : !seen!.has(id)) &&
          admits(e.placements, placementId) &&
          admits(e.countries, country) &&
          admits(e.devices, device)
        ) {
          out.push(e.campaign);
        }
      }
    }
    return size ? out : [...new Map(out.map((c) => [c.id, c])).values()];
  }

  private allSizes(): string[] {
    const sizes = new Set<string>();
    for (const e of this.entries.values()) for (const s of e.sizes) sizes.add(s);
    return [...sizes];
  }
}
