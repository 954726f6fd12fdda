import type {
  AdStats,
  CampaignSpend,
  DecisionCampaign,
  DecisionRequest,
  DecisionState,
  PacingState,
} from '../../src/decision/index.js';
import { EligibilityIndex } from '../../src/decision/index.js';

/** Builders shared by the decision tests. */

export const HOUR = 3600_000;
export const DAY = 24 * HOUR;
/** Wednesday 2026-03-04 12:00 UTC. */
export const NOON = Date.UTC(2026, 2, 4, 12);

export function campaign(patch: Partial<DecisionCampaign> & { id: string }): DecisionCampaign {
  return {
    advertiserId: `adv-${patch.id}`,
    timezone: 'UTC',
    status: 'ACTIVE',
    startAt: NOON - 10 * DAY,
    endAt: null,
    schedule: [],
    bidType: 'CPM',
    bidMicros: 2_000_000,
    pacing: 'ASAP',
    dailyBudgetMicros: 100_000_000,
    totalBudgetMicros: null,
    targeting: { countries: [], devices: [], segments: [], categories: [], placementIds: [] },
    blockedCategories: [],
    frequencyCaps: [],
    ads: [{ id: `ad-${patch.id}`, status: 'ACTIVE', width: 300, height: 250 }],
    ...patch,
  };
}

export function request(patch: Partial<DecisionRequest> = {}, at = NOON): DecisionRequest {
  return {
    placement: { id: 'pl-1', width: 300, height: 250, floorMicros: 0, auctionType: 'SECOND_PRICE' },
    context: { at, country: 'DE', device: 'mobile', category: 'news' },
    ...patch,
  };
}

export interface MutableState extends DecisionState {
  spends: Map<string, CampaignSpend>;
  stats: Map<string, AdStats>;
  pacings: Map<string, PacingState>;
}

export function state(): MutableState {
  const spends = new Map<string, CampaignSpend>();
  const stats = new Map<string, AdStats>();
  const pacings = new Map<string, PacingState>();
  return {
    spends,
    stats,
    pacings,
    spend: (id) => spends.get(id),
    adStats: (id) => stats.get(id),
    pacing: (id) => pacings.get(id),
  };
}

export function inputs(campaigns: DecisionCampaign[], s: DecisionState = state()) {
  return { index: new EligibilityIndex(campaigns), state: s };
}
