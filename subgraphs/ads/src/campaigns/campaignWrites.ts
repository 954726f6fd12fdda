import { badUserInput, checkText, insertOnce, requireAdvertiser } from '@attention-mesh/platform';
import type { CampaignDoc, CampaignStatus, FrequencyCapDoc, ScheduleWindowDoc } from '../models/index.js';
import {
  checkBlockedCategories,
  checkCampaignSettings,
  checkFrequencyCaps,
  checkSchedule,
  checkStatusChange,
  checkTargeting,
  type TargetingInput,
} from './campaignRules.js';
import { type CampaignDeps, idOr, type Nullable } from './deps.js';
import { ownedCampaign } from './ownedCampaign.js';

export interface CreateCampaignInput {
  id?: string | null;
  advertiserId: string;
  name: string;
  dailyBudgetMicros: number;
  totalBudgetMicros?: number | null;
  startAt: number;
  endAt?: number | null;
  bidType: CampaignDoc['bidType'];
  bidMicros: number;
  pacingMode: CampaignDoc['pacing'];
  targeting?: TargetingInput | null;
  schedule?: ScheduleWindowDoc[] | null;
  frequencyCaps?: FrequencyCapDoc[] | null;
  blockedCategories?: string[] | null;
}
export type UpdateCampaignInput = Nullable<Omit<CreateCampaignInput, 'id' | 'advertiserId' | 'bidType'>>;

/** Unknown placements in targeting are bad input: a campaign must not target a slot that does not exist. */
async function checkPlacementsExist(deps: CampaignDeps, ids: string[], field: string): Promise<void> {
  const found = await deps.loaders.placement.loadMany(ids);
  const missing = ids.filter((_, i) => !found[i] || found[i] instanceof Error);
  if (missing.length) throw badUserInput(`unknown placement ${missing.join(', ')}`, field);
}

/** A campaign of the caller's advertiser (admins: of any advertiser). */
export async function createCampaign(deps: CampaignDeps, input: CreateCampaignInput) {
  requireAdvertiser(deps.caller, input.advertiserId);
  const now = Date.now();
  const doc: CampaignDoc = {
    _id: idOr(input.id, 'cmp', now),
    advertiserId: input.advertiserId,
    name: checkText(input.name, 'input.name', 200),
    status: 'ACTIVE',
    dailyBudgetMicros: input.dailyBudgetMicros,
    totalBudgetMicros: input.totalBudgetMicros ?? null,
    startAt: input.startAt,
    endAt: input.endAt ?? null,
    bidType: input.bidType,
    bidMicros: input.bidMicros,
    pacing: input.pacingMode,
    targeting: checkTargeting(input.targeting, 'input.targeting'),
    schedule: checkSchedule(input.schedule, 'input.schedule'),
    frequencyCaps: checkFrequencyCaps(input.frequencyCaps, 'input.frequencyCaps'),
    blockedCategories: checkBlockedCategories(input.blockedCategories, 'input.blockedCategories'),
    createdAt: now,
    updatedAt: now,
  };
  checkCampaignSettings(doc, 'input');
  if (!(await deps.loaders.advertiser.load(doc.advertiserId))) {
    throw badUserInput(`unknown advertiser ${doc.advertiserId}`, 'input.advertiserId');
  }
  await checkPlacementsExist(deps, doc.targeting.placementIds, 'input.targeting.placementIds');
  const stored = await insertOnce<CampaignDoc>(deps.runtime.Campaign, doc);
  // A repeated create answers with the campaign stored under that id: never another advertiser's.
  requireAdvertiser(deps.caller, stored.advertiserId);
  await deps.runtime.ads.campaignChanged(stored._id);
  return stored;
}

export async function updateCampaign(deps: CampaignDeps, id: string, input: UpdateCampaignInput) {
  const current = await ownedCampaign(deps, id);
  const next: CampaignDoc = { ...current, updatedAt: Date.now() };
  if (input.name != null) next.name = checkText(input.name, 'input.name', 200);
  if (input.dailyBudgetMicros != null) next.dailyBudgetMicros = input.dailyBudgetMicros;
  if (input.totalBudgetMicros !== undefined) next.totalBudgetMicros = input.totalBudgetMicros;
  if (input.startAt != null) next.startAt = input.startAt;
  if (input.endAt !== undefined) next.endAt = input.endAt;
  if (input.bidMicros != null) next.bidMicros = input.bidMicros;
  if (input.pacingMode != null) next.pacing = input.pacingMode;
  if (input.targeting != null) {
    next.targeting = checkTargeting(input.targeting, 'input.targeting');
    await checkPlacementsExist(deps, next.targeting.placementIds, 'input.targeting.placementIds');
  }
  if (input.schedule != null) next.schedule = checkSchedule(input.schedule, 'input.schedule');
  if (input.frequencyCaps != null)
    next.frequencyCaps = checkFrequencyCaps(input.frequencyCaps, 'input.frequencyCaps');
  if (input.blockedCategories != null)
    next.blockedCategories = checkBlockedCategories(input.blockedCategories, 'input.blockedCategories');
  checkCampaignSettings(next, 'input');
  const { _id, ...set } = next;
  await deps.runtime.Campaign.updateOne({ _id }, { $set: set });
  await deps.runtime.ads.campaignChanged(id);
  return next;
}

export async function setCampaignStatus(deps: CampaignDeps, id: string, status: CampaignStatus) {
  const current = await ownedCampaign(deps, id);
  checkStatusChange(current.status, status);
  const updatedAt = Date.now();
  await deps.runtime.Campaign.updateOne({ _id: id }, { $set: { status, updatedAt } });
  await deps.runtime.ads.campaignChanged(id);
  return { ...current, status, updatedAt };
}
