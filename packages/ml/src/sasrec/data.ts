import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';

/** Interaction sequences: sequences[u] holds user users[u]'s items (external ids), oldest first. */
export interface SequenceData {
  users: string[];
  sequences: string[][];
  interactions: number;
}

/**
 * Reads a `user item` file (one interaction per line, whitespace-separated, in time order per user; the
 * format of the SASRec datasets and of the recommendation subgraph's interaction export). Ids are opaque
 * strings. Blank lines and lines starting with `#` are skipped; gzip is read when the name ends in .gz.
 */
export async function readSequences(path: string): Promise<SequenceData> {
  const input = createReadStream(path);
  const lines = createInterface({
    input: path.endsWith('.gz') ? input.pipe(createGunzip()) : input,
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  const byUser = new Map<string, string[]>();
  let n = 0;
  let interactions = 0;
  for await (const raw of lines) {
    n++;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const parts = line.split(/\s+/);
    if (parts.length < 2) throw new Error(`${path}:${n}: expected "user item", got "${line}"`);
    const [user, item] = parts as [string, string];
    let seq = byUser.get(user);
    if (!seq) {
      seq = [];
      byUser.set(user, seq);
    }
    seq.push(item);
    interactions++;
  }
  return { users: [...byUser.keys()], sequences: [...byUser.values()], interactions };
}

/** The vocabulary of the items seen: '' (padding) first, then ids in numeric order when all are numeric. */
export function buildVocabulary(sequences: readonly (readonly string[])[]): string[] {
  const ids = new Set<string>();
  for (const s of sequences) for (const i of s) ids.add(i);
  const all = [...ids];
  const numeric = all.every((i) => /^\d+$/.test(i));
  all.sort(numeric ? (a, b) => Number(a) - Number(b) || a.localeCompare(b) : undefined);
  return ['', ...all];
}

/** Leave-one-out split in model indices: the last item is the test target, the one before the validation. */
export interface LeaveOneOut {
  /** Items used for training (all of a user's items when they have fewer than 3). */
  train: Int32Array[];
  /** Validation target per user (0 = user not scored). */
  valid: Int32Array;
  /** Test target per user (0 = user not scored). */
  test: Int32Array;
  /** Number of items including padding (the vocabulary size). */
  vocabulary: number;
}

/** Splits sequences (external ids) per the SASRec protocol; users with fewer than 3 items are not scored. */
export function leaveOneOut(
  sequences: readonly (readonly string[])[],
  itemIds: readonly string[],
): LeaveOneOut {
  const index = new Map<string, number>();
  itemIds.forEach((id, i) => {
    if (i > 0) index.set(id, i);
  });
  const train: Int32Array[] = [];
  const valid = new Int32Array(sequences.length);
  const test = new Int32Array(sequences.length);
  sequences.forEach((s, u) => {
    const ids = Int32Array.from(s.map((id) => index.get(id)).filter((i): i is number => i !== undefined));
    if (ids.length < 3) {
      train.push(ids);
      return;
    }
    train.push(ids.slice(0, ids.length - 2));
    valid[u] = ids[ids.length - 2]!;
    test[u] = ids[ids.length - 1]!;
  });
  return { train, valid, test, vocabulary: itemIds.length };
}
