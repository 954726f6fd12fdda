import { badUserInput, isCountryCode, isTimeZone } from '@attention-mesh/platform';

/** Validation of user profile input. Pure: throws BAD_USER_INPUT naming the field, returns clean values. */

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const LOCALE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

export function checkEmail(email: string | null | undefined, field: string): string | null {
  if (email === null || email === undefined) return null;
  if (email.length > 254 || !EMAIL.test(email))
    throw badUserInput(`${JSON.stringify(email.slice(0, 254))} is not an email address`, field);
  return email.toLowerCase();
}

export function checkCountry(country: string | null | undefined, field: string): string | null {
  if (country === null || country === undefined) return null;
  if (!isCountryCode(country))
    throw badUserInput('country must be an ISO 3166-1 alpha-2 code such as FR', field);
  return country;
}

export function checkLocale(locale: string, field: string): string {
  if (locale.length > 35 || !LOCALE.test(locale))
    throw badUserInput('locale must be a BCP 47 tag such as en or pt-BR', field);
  return locale;
}

export function checkTimezone(timezone: string, field: string): string {
  if (timezone.length > 64 || !isTimeZone(timezone))
    throw badUserInput(`${JSON.stringify(timezone.slice(0, 64))} is not an IANA time zone`, field);
  return timezone;
}
