import { badUserInput, checkClientId, checkText, insertOnce } from '@attention-mesh/platform';
import type { UpdatePlacementInput } from '../generated/resolvers.js';
import type { AdvertiserDoc, PlacementDoc } from '../models/index.js';
import { checkSize, checkTimeZone } from './campaignRules.js';
import { type CampaignDeps, idOr, must } from './deps.js';

export interface CreateAdvertiserInput {
  id?: string | null;
  name: string;
  timezone: string;
}

export interface CreatePlacementInput {
  id?: string | null;
  name: string;
  width: number;
  height: number;
  floorMicros: number;
  auctionType: PlacementDoc['auctionType'];
  publisherId?: string | null;
}

export async function createAdvertiser(deps: CampaignDeps, input: CreateAdvertiserInput) {
  const now = Date.now();
  const doc: AdvertiserDoc = {
    _id: idOr(input.id, 'adv', now),
    name: checkText(input.name, 'input.name', 200),
    timezone: checkTimeZone(input.timezone, 'input.timezone'),
    createdAt: now,
  };
  const stored = await insertOnce<AdvertiserDoc>(deps.runtime.Advertiser, doc);
  deps.runtime.ads.catalog.setAdvertiser(stored);
  await deps.runtime.ads.catalog.bump();
  return stored;
}

export async function createPlacement(deps: CampaignDeps, input: CreatePlacementInput) {
  const now = Date.now();
  checkSize(input.width, input.height, 'input');
  if (input.floorMicros < 0) throw badUserInput('floorMicros must not be negative', 'input.floorMicros');
  const doc: PlacementDoc = {
    _id: idOr(input.id, 'plc', now),
    name: checkText(input.name, 'input.name', 200),
    width: input.width,
    height: input.height,
    floorMicros: input.floorMicros,
    auctionType: input.auctionType,
    publisherId: input.publisherId == null ? null : checkClientId(input.publisherId, 'input.publisherId'),
    createdAt: now,
  };
  const stored = await insertOnce<PlacementDoc>(deps.runtime.Placement, doc);
  deps.runtime.ads.catalog.setPlacement(stored);
  await deps.runtime.ads.catalog.bump();
  return stored;
}

export async function updatePlacement(deps: CampaignDeps, id: string, input: UpdatePlacementInput) {
  const current = await must(deps.loaders.placement, 'Placement', id);
  if (input.floorMicros != null && input.floorMicros < 0) {
    throw badUserInput('floorMicros must not be negative', 'input.floorMicros');
  }
  const next: PlacementDoc = {
    ...current,
    name: input.name != null ? checkText(input.name, 'input.name', 200) : current.name,
    floorMicros: input.floorMicros ?? current.floorMicros,
    auctionType: input.auctionType ?? current.auctionType,
    publisherId:
      input.publisherId == null
        ? (current.publisherId ?? null)
        : checkClientId(input.publisherId, 'input.publisherId'),
  };
  const { _id, ...set } = next;
  await deps.runtime.Placement.updateOne({ _id }, { $set: set });
  deps.runtime.ads.catalog.setPlacement(next);
  await deps.runtime.ads.catalog.bump();
  return next;
}
