import {
  badUserInput,
  checkClientId,
  checkHttpUrl,
  checkInt,
  checkSlugs,
  isCountryCode,
  isTimeZone,
} from '@attention-mesh/platform';
import type { CampaignDoc, FrequencyCapDoc, ScheduleWindowDoc, TargetingDoc } from '../models/campaigns.js';
import { MAX_CAP_WINDOW_S } from '../reports/exposures.js';

/** Validation of campaign, ad and placement settings. Pure: throws BAD_USER_INPUT naming the field. */

export const DEVICES = ['desktop', 'mobile', 'tablet', 'tv'] as const;

export interface TargetingInput {
  countries?: string[] | null;
  devices?: string[] | null;
  segments?: string[] | null;
  categories?: string[] | null;
  placementIds?: string[] | null;
}

/** The most values of each targeting list (devices: the four there are). */
export const TARGETING_LIMITS = {
  countries: 250,
  devices: 4,
  segments: 50,
  categories: 50,
  placementIds: 100,
};

/** At most `max` entries, else BAD_USER_INPUT naming the field. */
export function checkListSize<T>(list: readonly T[], field: string, max: number): readonly T[] {
  if (list.length > max)
    throw badUserInput(`${field} takes at most ${max} entries, got ${list.length}`, field);
  return list;
}

export function checkTargeting(input: TargetingInput | null | undefined, field: string): TargetingDoc {
  checkListSize(input?.countries ?? [], `${field}.countries`, TARGETING_LIMITS.countries);
  checkListSize(input?.devices ?? [], `${field}.devices`, TARGETING_LIMITS.devices);
  const placementIds = checkListSize(
    input?.placementIds ?? [],
    `${field}.placementIds`,
    TARGETING_LIMITS.placementIds,
  );
  for (const id of placementIds) checkClientId(id, `${field}.placementIds`);
  const countries = [...new Set(input?.countries ?? [])];
  for (const c of countries) {
    if (!isCountryCode(c))
      throw badUserInput(
        `country ${JSON.stringify(c.slice(0, 40))} must be an ISO 3166-1 alpha-2 code`,
        `${field}.countries`,
      );
  }
  const devices = [...new Set(input?.devices ?? [])];
  for (const d of devices) {
    if (!(DEVICES as readonly string[]).includes(d)) {
      throw badUserInput(
        `device ${JSON.stringify(d.slice(0, 40))} must be one of ${DEVICES.join(', ')}`,
        `${field}.devices`,
      );
    }
  }
  return {
    countries,
    devices,
    segments: checkSlugs(input?.segments ?? [], `${field}.segments`, TARGETING_LIMITS.segments, 'segment'),
    categories: checkSlugs(
      input?.categories ?? [],
      `${field}.categories`,
      TARGETING_LIMITS.categories,
      'category',
    ),
    placementIds: [...new Set(placementIds)],
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

/** The longest creative or landing URL. */
export const MAX_URL_LENGTH = 2048;

/** An absolute http(s) URL of at most 2,048 characters. */
export function checkAdUrl(url: string, field: string): string {
  if (url.length > MAX_URL_LENGTH)
    throw badUserInput(`${field} must be at most ${MAX_URL_LENGTH} characters`, field);
  return checkHttpUrl(url, field);
}

export function checkAdUrls(
  urls: { creativeUrl?: string | null; landingUrl?: string | null },
  field: string,
) {
  return {
    creativeUrl: urls.creativeUrl == null ? undefined : checkAdUrl(urls.creativeUrl, `${field}.creativeUrl`),
    landingUrl: urls.landingUrl == null ? undefined : checkAdUrl(urls.landingUrl, `${field}.landingUrl`),
  };
}

/** Archived is final; everything else may move to anything. */
export function checkStatusChange(from: CampaignDoc['status'], to: CampaignDoc['status']): void {
  if (from === 'ARCHIVED' && to !== 'ARCHIVED')
    throw badUserInput('an archived campaign cannot be reactivated', 'status');
}

/** An IANA time zone (schedules and daily budgets are read in it). */
export function checkTimeZone(tz: string, field: string): string {
  if (tz.length > 64 || !isTimeZone(tz))
    throw badUserInput(`${JSON.stringify(tz.slice(0, 64))} is not an IANA time zone`, field);
  return tz;
}

/** Schedule windows: days 0 (Sunday) to 6, hours [startHour, endHour) with 0 <= start < end <= 24. */
export function checkSchedule(
  windows: readonly ScheduleWindowDoc[] | null | undefined,
  field: string,
): ScheduleWindowDoc[] {
  const list = windows ?? [];
  if (list.length > 50) throw badUserInput('at most 50 schedule windows', field);
  return list.map((w, i) => {
    const f = `${field}.${i}`;
    if (w.days.length === 0) throw badUserInput('a schedule window needs at least one day', `${f}.days`);
    if (w.days.length > 7) throw badUserInput('a schedule window lists at most 7 days', `${f}.days`);
    for (const d of w.days) checkInt(d, `${f}.days`, 0, 6);
    checkInt(w.startHour, `${f}.startHour`, 0, 23);
    checkInt(w.endHour, `${f}.endHour`, 1, 24);
    if (w.endHour <= w.startHour) throw badUserInput('endHour must be after startHour', `${f}.endHour`);
    return { days: [...new Set(w.days)].sort((a, b) => a - b), startHour: w.startHour, endHour: w.endHour };
  });
}

/** Frequency caps: at least one impression per window of one second to 30 days. */
export function checkFrequencyCaps(
  caps: readonly FrequencyCapDoc[] | null | undefined,
  field: string,
): FrequencyCapDoc[] {
  const list = caps ?? [];
  if (list.length > 10) throw badUserInput('at most 10 frequency caps', field);
  return list.map((c, i) => {
    checkInt(c.max, `${field}.${i}.max`, 1, 1_000_000);
    checkInt(c.windowSeconds, `${field}.${i}.windowSeconds`, 1, MAX_CAP_WINDOW_S);
    return { scope: c.scope, max: c.max, windowSeconds: c.windowSeconds };
  });
}

/** Brand safety: content categories (slugs) the campaign must never appear next to. */
export function checkBlockedCategories(
  values: readonly string[] | null | undefined,
  field: string,
): string[] {
  return checkSlugs(values ?? [], field, 100, 'category');
}
