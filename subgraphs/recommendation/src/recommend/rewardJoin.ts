/** The part of a logged decision the reward join reads. */
export interface ShownDecision {
  id: string;
  userId: string;
  at: number;
  /** Items shown, with their positions. */
  slots: readonly { position: number; itemId: string }[];
}

/** Feedback kinds that count as a reward (a click, a like, a dwell on the item). */
export const REWARD_KINDS: ReadonlySet<string> = new Set(['CLICK', 'LIKE', 'DWELL']);

/** Clock skew tolerated between the client's feedback time and the server's decision time. */
export const REWARD_SKEW_MS = 60_000;

/**
 * The latest of `decisions` (one user's, any order) that showed `itemId` at or before `at` (within
 * `REWARD_SKEW_MS`) and no longer than `windowMs` before it, with the position it was shown at; null
 * when none did.
 */
export function latestDecisionShowing(
  decisions: Iterable<ShownDecision>,
  itemId: string,
  at: number,
  windowMs: number,
): { decisionId: string; position: number } | null {
  let best: { decisionId: string; position: number; at: number } | null = null;
  for (const d of decisions) {
    if (d.at > at + REWARD_SKEW_MS || d.at < at - windowMs) continue;
    if (best && d.at <= best.at) continue;
    const slot = d.slots.find((s) => s.itemId === itemId);
    if (slot) best = { decisionId: d.id, position: slot.position, at: d.at };
  }
  return best && { decisionId: best.decisionId, position: best.position };
}
