import { badUserInput, checkHttpUrl, checkInt, checkSlugs, isCountryCode } from '@attention-mesh/platform';
import type { CampaignDoc, TargetingDoc } from './models/index.js';

/** Validation of campaign, ad and placement settings. Pure: throws BAD_USER_INPUT naming the field. */

export const DEVICES = ['desktop', 'mobile', 'tablet', 'tv'] as const;

export interface TargetingInput {
  countries?: string[] | null;
  devices?: string[] | null;
  segments?: string[] | null;
  categories?: string[] | null;
  placementIds?: string[] | null;
}

export function checkTargeting(input: TargetingInput | null | undefined, field: string): TargetingDoc {
  const countries = [...new Set(input?.countries ?? [])];
  for (const c of countries) {
    if (!isCountryCode(c))
      throw badUserInput(
        `country ${JSON.stringify(c)} must be an ISO 3166-1 alpha-2 code`,
        `${field}.countries`,
      );
  }
  const devices = [...new Set(input?.devices ?? [])];
  for (const d of devices) {
    if (!(DEVICES as readonly string[]).includes(d)) {
      throw badUserInput(
        `device ${JSON.stringify(d)} must be one of ${DEVICES.join(', ')}`,
        `${field}.devices`,
      );
    }
  }
  return {
    countries,
    devices,
    segments: checkSlugs(input?.segments ?? [], `${field}.segments`, 50, 'segment'),
    categories: checkSlugs(input?.categories ?? [], `${field}.categories`, 50, 'category'),
    placementIds: [...new Set(input?.placementIds ?? [])],
  };
}

/** Checks the money and schedule of a campaign as it would be after a create or an update. */
export function checkCampaignSettings(
  c: Pick<CampaignDoc, 'dailyBudgetMicros' | 'totalBudgetMicros' | 'startAt' | 'endAt' | 'bidMicros'>,
  field: string,
): void {
  checkInt(c.dailyBudgetMicros, `${field}.dailyBudgetMicros`, 1);
  if (c.totalBudgetMicros !== null) {
    checkInt(c.totalBudgetMicros, `${field}.totalBudgetMicros`, 1);
    if (c.totalBudgetMicros < c.dailyBudgetMicros) {
      throw badUserInput(
        'totalBudgetMicros must be at least dailyBudgetMicros',
        `${field}.totalBudgetMicros`,
      );
    }
  }
  checkInt(c.bidMicros, `${field}.bidMicros`, 1);
  if (c.endAt !== null && c.endAt <= c.startAt)
    throw badUserInput('endAt must be after startAt', `${field}.endAt`);
}

export function checkSize(width: number, height: number, field: string): void {
  checkInt(width, `${field}.width`, 1, 10_000);
  checkInt(height, `${field}.height`, 1, 10_000);
}

export function checkAdUrls(
  urls: { creativeUrl?: string | null; landingUrl?: string | null },
  field: string,
) {
  return {
    creativeUrl:
      urls.creativeUrl == null ? undefined : checkHttpUrl(urls.creativeUrl, `${field}.creativeUrl`),
    landingUrl: urls.landingUrl == null ? undefined : checkHttpUrl(urls.landingUrl, `${field}.landingUrl`),
  };
}

/** Archived is final; everything else may move to anything. */
export function checkStatusChange(from: CampaignDoc['status'], to: CampaignDoc['status']): void {
  if (from === 'ARCHIVED' && to !== 'ARCHIVED')
    throw badUserInput('an archived campaign cannot be reactivated', 'status');
}
