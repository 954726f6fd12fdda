import { createHmac } from 'node:crypto';

/**
 * The tombstone of a user id: HMAC-SHA256 under the mesh-wide erasure secret, hex. Keyed, so a list of
 * tombstones cannot be checked against guessed ids without the secret; one-way, so it holds no personal
 * data. Every service computes the same value for the same id. Pure.
 */
export function tombstoneOf(secret: string, userId: string): string {
  return createHmac('sha256', secret).update(userId, 'utf8').digest('hex');
}

/** What an erased user id becomes where a record must keep a user key (redacted bus events). */
export function erasedIdOf(tombstone: string): string {
  return `erased:${tombstone}`;
}

/** True for a value written by `erasedIdOf` (a redacted event replayed after the erasure). */
export function isErasedId(id: string): boolean {
  return id.startsWith('erased:');
}

/** Characters of an id: a match of the id inside a longer id is not that id. */
const ID_CHAR = /[A-Za-z0-9_.:@-]/;

/**
 * Replaces every occurrence of `id` standing alone in the strings of `value` (as a whole string or
 * delimited by characters that cannot be part of an id, e.g. `USER|<id>|hour`) by `replacement`,
 * deeply; returns the new value and how many strings changed. Pure.
 */
export function replaceId(
  value: unknown,
  id: string,
  replacement: string,
): { value: unknown; changed: number } {
  let changed = 0;
  const inString = (s: string): string => {
    if (!s.includes(id)) return s;
    let out = '';
    let from = 0;
    for (let at = s.indexOf(id); at >= 0; at = s.indexOf(id, at + id.length)) {
      const before = at > 0 ? s[at - 1]! : '';
      const after = s[at + id.length] ?? '';
      if ((before && ID_CHAR.test(before)) || (after && ID_CHAR.test(after))) continue;
      out += s.slice(from, at) + replacement;
      from = at + id.length;
    }
    if (from === 0) return s;
    changed++;
    return out + s.slice(from);
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return inString(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[inString(k)] = walk(x);
      return out;
    }
    return v;
  };
  return { value: walk(value), changed };
}
