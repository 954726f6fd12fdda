import { randomBytes } from 'node:crypto';

/**
 * A new id: `prefix_` + base36 milliseconds + 12 random hex digits. Ids sort by creation time,
 * which keeps `_id`-ordered pagination in creation order.
 */
export function newId(prefix: string, now = Date.now()): string {
  return `${prefix}_${now.toString(36).padStart(9, '0')}${randomBytes(6).toString('hex')}`;
}
