/**
 * The user groups of an ad request for the delivery fairness audit: its country, its device and the
 * segments the decision used (only a user's with ads-personalisation consent). A group key is
 * `<DIMENSION>|<group>`; requests without a country or device count under "(unknown)", those without
 * segments under "(none)" (not slugs, so no real group can take those names). Pure.
 */

export type UserGroupDimension = 'COUNTRY' | 'DEVICE' | 'SEGMENT';
export const USER_GROUP_DIMENSIONS: readonly UserGroupDimension[] = ['COUNTRY', 'DEVICE', 'SEGMENT'];
export const UNKNOWN_GROUP = '(unknown)';
export const NO_SEGMENT = '(none)';
/**
 * Segments of one request counted in the SEGMENT groups (the first ones given): the keys travel in the
 * signed impression and click tokens, which stay under their 2,048-character bound with ten 40-character
 * slugs.
 */
export const MAX_GROUP_SEGMENTS = 10;

export function userGroupKeys(request: {
  country?: string | null;
  device?: string | null;
  segments: readonly string[];
}): string[] {
  const segments = [...new Set(request.segments)].slice(0, MAX_GROUP_SEGMENTS);
  return [
    `COUNTRY|${request.country ?? UNKNOWN_GROUP}`,
    `DEVICE|${request.device ?? UNKNOWN_GROUP}`,
    ...(segments.length > 0 ? segments : [NO_SEGMENT]).map((s) => `SEGMENT|${s}`),
  ];
}

/** Whether `key` is a group key `userGroupKeys` makes (checked on keys read back from tokens). */
export function isUserGroupKey(key: unknown): key is string {
  if (typeof key !== 'string' || key.length > 64) return false;
  const bar = key.indexOf('|');
  return (
    bar > 0 &&
    bar < key.length - 1 &&
    (USER_GROUP_DIMENSIONS as readonly string[]).includes(key.slice(0, bar)) &&
    !key.includes('|', bar + 1)
  );
}

export const userGroupRollupId = (key: string, hourStart: number) => `${key}|${hourStart}`;

/** A rollup update with every counter written, so a bucket document always has all of them. */
export function userGroupUpdate(
  key: string,
  hourStart: number,
  inc: Partial<Record<'requests' | 'impressions' | 'clicks', number>>,
) {
  const bar = key.indexOf('|');
  return {
    $inc: { requests: 0, impressions: 0, clicks: 0, ...inc },
    $setOnInsert: { dimension: key.slice(0, bar), group: key.slice(bar + 1), hourStart },
  };
}

/** The updates of one request, impression or click for its groups, by rollup id. */
export function userGroupUpdates(
  keys: readonly string[],
  hourStart: number,
  inc: Partial<Record<'requests' | 'impressions' | 'clicks', number>>,
) {
  return keys.map((k) => [userGroupRollupId(k, hourStart), userGroupUpdate(k, hourStart, inc)] as const);
}
