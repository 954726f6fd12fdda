import type { RunningSubgraph } from '@attention-mesh/platform';
import { adminHeaders, gql } from '@attention-mesh/testkit';
import { expect } from 'vitest';
import type { AdsRuntime } from '../src/runtime.js';

/**
 * Builders of a small ads world through the subgraph's own mutations (shared by the ads tests), as an
 * admin unless headers say otherwise.
 */

export const DAY_MS = 24 * 3600 * 1000;
export const iso = (ms: number) => new Date(ms).toISOString();

export async function ok<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = adminHeaders(),
): Promise<T> {
  const res = await gql<T>(url, query, variables, headers);
  expect(res.errors).toBeUndefined();
  return res.data as T;
}

export async function advertiser(sg: RunningSubgraph<AdsRuntime>, id: string, timezone = 'UTC') {
  await ok(sg.url, 'mutation($i: CreateAdvertiserInput!) { createAdvertiser(input: $i) { id } }', {
    i: { id, name: id, timezone },
  });
}

export async function placement(
  sg: RunningSubgraph<AdsRuntime>,
  id: string,
  patch: Record<string, unknown> = {},
) {
  await ok(sg.url, 'mutation($i: CreatePlacementInput!) { createPlacement(input: $i) { id } }', {
    i: { id, name: id, width: 300, height: 250, floorMicros: 0, auctionType: 'FIRST_PRICE', ...patch },
  });
}

/** A running campaign with one 300x250 ad `<id>-ad`. */
export async function campaign(
  sg: RunningSubgraph<AdsRuntime>,
  id: string,
  advertiserId: string,
  patch: Record<string, unknown> = {},
) {
  await ok(sg.url, 'mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id } }', {
    i: {
      id,
      advertiserId,
      name: id,
      dailyBudgetMicros: 100_000_000,
      totalBudgetMicros: null,
      startAt: iso(Date.now() - 10 * DAY_MS),
      endAt: null,
      bidType: 'CPM',
      bidMicros: 2_000_000,
      pacingMode: 'ASAP',
      ...patch,
    },
  });
  await ok(sg.url, 'mutation($i: CreateAdInput!) { createAd(input: $i) { id } }', {
    i: {
      id: `${id}-ad`,
      campaignId: id,
      name: 'creative',
      creativeUrl: 'https://cdn.example.com/a.png',
      landingUrl: 'https://example.com/landing',
      width: 300,
      height: 250,
    },
  });
}

export const REQUEST = `mutation($i: RequestAdsInput!) {
  requestAds(input: $i) {
    id ad { id } campaign { id } noFillReason priceMicros chargeMicros bidType ecpmMicros pctr propensity
    impressionToken clickToken expiresAt candidates decidedAt personalised attentionMultiplier
  }
}`;

export interface DecisionOut {
  id: string;
  ad: { id: string } | null;
  campaign: { id: string } | null;
  noFillReason: string | null;
  priceMicros: number | null;
  chargeMicros: number | null;
  bidType: string | null;
  propensity: number | null;
  impressionToken: string | null;
  clickToken: string | null;
  candidates: number;
  personalised: boolean;
  attentionMultiplier: number | null;
}

export async function requestAd(
  sg: RunningSubgraph<AdsRuntime>,
  input: Record<string, unknown>,
  headers: Record<string, string> = adminHeaders(),
): Promise<DecisionOut> {
  return (await ok<{ requestAds: DecisionOut }>(sg.url, REQUEST, { i: input }, headers)).requestAds;
}

export const RECORD = `mutation($i: RecordAdEventInput!) {
  recordAdEvent(input: $i) { decisionId type ad { id } campaign { id } chargedMicros duplicate occurredAt }
}`;

export interface EventOut {
  decisionId: string;
  type: string;
  chargedMicros: number;
  duplicate: boolean;
}

/** Anonymous by default: the signed token is the authority (a browser reports its own impressions). */
export async function recordEvent(
  sg: RunningSubgraph<AdsRuntime>,
  input: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<EventOut> {
  return (await ok<{ recordAdEvent: EventOut }>(sg.url, RECORD, { i: input }, headers)).recordAdEvent;
}
