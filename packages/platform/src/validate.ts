import { badUserInput } from './errors.js';

/** Input checks shared by every subgraph. Each throws BAD_USER_INPUT naming the field, or returns the clean value. */

const CLIENT_ID = /^[A-Za-z0-9_.:-]{1,64}$/;
const SLUG = /^[a-z0-9][a-z0-9_-]{0,39}$/;
const COUNTRY = /^[A-Z]{2}$/;

/** Predicates for code that reports problems its own way (e.g. per event of a batch). */
export const isClientId = (value: string): boolean => CLIENT_ID.test(value);
export const isSlug = (value: string): boolean => SLUG.test(value);
/** ISO 3166-1 alpha-2, upper case. */
export const isCountryCode = (value: string): boolean => COUNTRY.test(value);

/** Client-generated ids (idempotency keys) and entity ids given by clients. */
export function checkClientId(id: string, field: string): string {
  if (!CLIENT_ID.test(id))
    throw badUserInput(`${field} must be 1-64 characters of A-Z, a-z, 0-9, _ . : or -`, field);
  return id;
}

/** Lower-case slugs: categories, tags, segments. */
/** A value as an error message may echo it: quoted, at most 40 characters of it. */
const shown = (value: string) => JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);

export function checkSlug(value: string, field: string, what = 'value'): string {
  if (!SLUG.test(value))
    throw badUserInput(`${what} ${shown(value)} must be a lower-case slug (a-z, 0-9, _ -)`, field);
  return value;
}

/** A de-duplicated list of at most `max` slugs. */
export function checkSlugs(values: readonly string[], field: string, max: number, what = 'value'): string[] {
  if (values.length > max) throw badUserInput(`at most ${max} ${what}s`, field);
  for (const v of values) checkSlug(v, field, what);
  return [...new Set(values)];
}

/** Trimmed text of a bounded length. */
export function checkText(value: string, field: string, max: number): string {
  const trimmed = value.trim();
  if (trimmed.length < 1 || trimmed.length > max)
    throw badUserInput(`${field} must be 1-${max} characters`, field);
  return trimmed;
}

/** The longest URL the mesh stores. */
const MAX_URL_LENGTH = 2048;

/** An absolute http(s) URL of at most 2,048 characters. */
export function checkHttpUrl(url: string, field: string): string {
  if (url.length > MAX_URL_LENGTH)
    throw badUserInput(`${field} must be at most ${MAX_URL_LENGTH} characters`, field);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw badUserInput(`${shown(url)} is not a URL`, field);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw badUserInput(`${field} must be an http(s) URL`, field);
  return parsed.toString();
}

/** An integer within bounds. */
export function checkInt(value: number, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw badUserInput(`${field} must be a whole number between ${min} and ${max}, got ${value}`, field);
  }
  return value;
}

/** How far back and ahead of its arrival an ingested event (attention, feedback) may be dated. */
export const MAX_EVENT_AGE_MS = 7 * 24 * 3600 * 1000;
export const MAX_EVENT_FUTURE_MS = 5 * 60 * 1000;
