/**
 * How histories become model input: left-padded index batches, and the groups of similar history length
 * that `SasRecModel.recommend` runs one forward pass each for.
 */

/** A batch of left-padded index sequences: ids[b * length + t], 0 = padding; the newest item is last. */
export interface IndexBatch {
  ids: Int32Array;
  size: number;
  length: number;
}

/** Upper bounds of the history-length groups `recommend` runs one forward pass each for (then maxLen). */
export const LENGTH_GROUPS = [4, 8, 16, 32] as const;

/**
 * Padding positions a group may add by joining the next longer group instead of running its own forward
 * pass: a pass has a fixed cost (about 60 small ops, 0.3-0.4 ms on wasm) worth roughly that many
 * position-rows of the dense layers at hidden 50.
 */
export const MERGE_POSITIONS = 64;

/**
 * Indices of `lengths` grouped by the smallest LENGTH_GROUPS bound (or maxLen) each fits, shortest group
 * first. A batch is padded to its longest sequence and attention and the feed-forward layers cost in
 * proportion to that length: Games histories are about 9 items long on average but reach 50, so one
 * long history among 64 would make every row pay for 50 positions. A group whose rows would add at most
 * MERGE_POSITIONS padding positions in the next longer group joins it (small micro-batches would
 * otherwise pay the fixed cost of a pass for a few rows).
 */
export function groupByLength(lengths: readonly number[], maxLen: number): number[][] {
  const byBound = new Map<number, { rows: number[]; longest: number }>();
  lengths.forEach((length, i) => {
    const bound = LENGTH_GROUPS.find((b) => length <= b) ?? maxLen;
    const group = byBound.get(bound);
    if (group) {
      group.rows.push(i);
      group.longest = Math.max(group.longest, length);
    } else byBound.set(bound, { rows: [i], longest: length });
  });
  const groups = [...byBound.entries()].sort((a, b) => a[0] - b[0]).map(([, g]) => g);
  const out: number[][] = [];
  for (let g = 0; g < groups.length; g++) {
    const group = groups[g]!;
    const next = groups[g + 1];
    if (next && group.rows.length * (Math.min(next.longest, maxLen) - group.longest) <= MERGE_POSITIONS) {
      next.rows = group.rows.concat(next.rows);
      continue;
    }
    out.push(group.rows);
  }
  return out;
}

/** Left-pads index sequences to the longest one (at least 1, so an empty history still yields a row). */
export function leftPad(sequences: readonly (readonly number[])[]): IndexBatch {
  let length = 1;
  for (const s of sequences) length = Math.max(length, s.length);
  const ids = new Int32Array(sequences.length * length);
  sequences.forEach((s, b) => {
    ids.set(s, b * length + length - s.length);
  });
  return { ids, size: sequences.length, length };
}
