import type { PartitionSpec } from './types.js';

/**
 * Names on the NATS side. Subjects and durable names cannot hold `.` (a token separator), so a
 * consumer name's dots become `~` (a character consumer names never hold); the original name, types
 * and partition are kept in the consumer's description, which `lag()` reads back.
 */
export const encodeName = (name: string): string => name.replaceAll('.', '~');

export function durableName(consumer: string, partition?: PartitionSpec): string {
  const base = encodeName(consumer);
  return partition ? `${base}__p${partition.index}of${partition.count}` : base;
}

/** What a durable consumer's description holds. */
export interface DurableDescription {
  mesh: 1;
  consumer: string;
  types: string[];
  partition?: PartitionSpec;
}

export function parseDescription(description: string | undefined): DurableDescription | null {
  if (!description) return null;
  try {
    const d = JSON.parse(description) as DurableDescription;
    return d && d.mesh === 1 && typeof d.consumer === 'string' ? d : null;
  } catch {
    return null;
  }
}

/** Header naming the consumer a replayed dead letter is for. */
export const REPLAY_HEADER = 'Mesh-Replay-For';

/** Whether the server has `filter_subjects` (several filter subjects per consumer): 2.10 and later. */
export function supportsMultipleFilters(version: string | undefined): boolean {
  const m = /^v?(\d+)\.(\d+)/.exec(version ?? '');
  if (!m) return false;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major > 2 || (major === 2 && minor >= 10);
}
