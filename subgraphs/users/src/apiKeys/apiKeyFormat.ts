import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The API key format, `amk_<prefix>_<secret>`: a prefix of 10 lower-case hex digits (random; how the
 * stored key is found) and a secret of 32 random bytes in base64url (43 characters). Only the prefix
 * and the SHA-256 of the whole key are stored. Pure, apart from the random bytes of `newApiKey`.
 */

const KEY = /^amk_([0-9a-f]{10})_([A-Za-z0-9_-]{43})$/;
/** `amk_` + 10 + `_` + 43. */
export const API_KEY_LENGTH = 58;

/** A fresh key and its prefix. The key is the caller's to show once, never to store or log. */
export function newApiKey(): { key: string; prefix: string } {
  const prefix = randomBytes(5).toString('hex');
  return { key: `amk_${prefix}_${randomBytes(32).toString('base64url')}`, prefix };
}

/** The prefix of a well-formed key, or null for anything else. */
export function apiKeyPrefix(key: string): string | null {
  if (key.length !== API_KEY_LENGTH) return null;
  return KEY.exec(key)?.[1] ?? null;
}

/** SHA-256 of the whole key, hex: what is stored. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Whether a key's hash is the stored one, in constant time. */
export function apiKeyMatches(key: string, storedHash: string): boolean {
  const given = Buffer.from(hashApiKey(key), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}
