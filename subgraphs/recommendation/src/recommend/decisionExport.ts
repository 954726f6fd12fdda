import type { RecDecisionRecord } from '@attention-mesh/ml/training';
import type { RecDecisionDoc, RecDecisionModels, RecRewardDoc } from '../models/RecDecision.js';
import { latestDecisionShowing, type ShownDecision } from './rewardJoin.js';

/** The OPE record of a logged page, its slots' rewards from `rewarded` (`<decisionId>|<itemId>`). */
export function decisionRecord(d: RecDecisionDoc, rewarded: ReadonlySet<string>): RecDecisionRecord {
  return {
    kind: 'rec',
    id: d._id,
    at: d.at,
    epsilon: d.epsilon,
    source: d.source,
    modelVersion: d.modelVersion,
    slots: d.slots.map((s) => ({
      position: s.position,
      itemId: s.itemId,
      greedyItemId: s.greedyItemId,
      explored: s.explored,
      propensity: s.propensity,
      pool: s.pool,
      score: s.score,
      reward: rewarded.has(`${d._id}|${s.itemId}`) ? 1 : 0,
    })),
    byScore: d.byScore.map((b) => ({ itemId: b.itemId, score: b.score })),
  };
}

/**
 * Streams the logged pages made in [from, to) with their rewards as JSONL (a batch job: it reads the
 * rewards, then the decisions twice with a cursor: once to join the rewards the consumer could not join
 * in memory, by the same rule, once to write). No user id is written.
 */
export async function exportDecisions(
  models: RecDecisionModels,
  write: (line: string) => void | Promise<void>,
  options: { from?: number; to?: number; windowMs: number },
  onProgress?: (seen: number) => void,
): Promise<{ decisions: number; slots: number; rewards: number; explored: number }> {
  const rewards = await models.RecReward.find().lean<RecRewardDoc[]>();
  const rewarded = new Set<string>();
  const open = new Map<string, RecRewardDoc[]>();
  for (const r of rewards) {
    if (r.decisionId) rewarded.add(`${r.decisionId}|${r.itemId}`);
    else open.set(r.userId, [...(open.get(r.userId) ?? []), r]);
  }
  const inRange = (d: { at: number }) =>
    (options.from === undefined || d.at >= options.from) && (options.to === undefined || d.at < options.to);
  if (open.size > 0) {
    const byUser = new Map<string, ShownDecision[]>();
    const cursor = models.RecDecision.find({}, { userId: 1, at: 1, slots: 1 })
      .lean<RecDecisionDoc>()
      .cursor() as AsyncIterable<RecDecisionDoc>;
    for await (const d of cursor) {
      if (!open.has(d.userId)) continue;
      byUser.set(d.userId, [
        ...(byUser.get(d.userId) ?? []),
        { id: d._id, userId: d.userId, at: d.at, slots: d.slots },
      ]);
    }
    for (const [userId, list] of open)
      for (const r of list) {
        const join = latestDecisionShowing(byUser.get(userId) ?? [], r.itemId, r.at, options.windowMs);
        if (join) rewarded.add(`${join.decisionId}|${r.itemId}`);
      }
  }
  const counts = { decisions: 0, slots: 0, rewards: 0, explored: 0 };
  let seen = 0;
  for await (const d of models.RecDecision.find()
    .lean<RecDecisionDoc>()
    .cursor() as AsyncIterable<RecDecisionDoc>) {
    if (++seen % 10_000 === 0) onProgress?.(seen);
    if (!inRange(d)) continue;
    const record = decisionRecord(d, rewarded);
    counts.decisions++;
    for (const s of record.slots) {
      counts.slots++;
      counts.rewards += s.reward;
      if (s.explored) counts.explored++;
    }
    await write(`${JSON.stringify(record)}\n`);
  }
  return counts;
}
