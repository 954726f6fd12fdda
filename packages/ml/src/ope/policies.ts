import type { OpeSlot, OpeUnit } from './estimators.js';
import type { AdCandidateRecord, AdDecisionRecord, RecDecisionRecord } from './records.js';

/**
 * Candidate policies, each a probability over the logged candidates of a decision, and the reward
 * models of the doubly robust estimator. A small set that answers the questions a team asks of its logs:
 * - ads: `greedy-ecpm` (the auction at posterior means: no Thompson draws, no exploration),
 *   `greedy-ctr` (the likeliest click regardless of bid), `uniform` (over the exploration set), and
 *   `egreedy-ecpm:<ε>` (greedy eCPM with another exploration rate);
 * - recommendation (per position, independent slots): `greedy` (the ranking as served, without
 *   exploration), `by-score` (the model's score order, without MMR and the exposure cap) and
 *   `epsilon:<ε>` (the same exploration at another rate).
 * `logging` is the logging policy itself (weights 1): its estimates must equal the observed CTR.
 */
export const AD_POLICIES = ['logging', 'greedy-ecpm', 'greedy-ctr', 'uniform', 'egreedy-ecpm:<eps>'] as const;
export const REC_POLICIES = ['logging', 'greedy', 'by-score', 'epsilon:<eps>'] as const;

/** Whether `name` is one of the ad policies (`logging` is of both kinds). */
export const isAdPolicy = (name: string) =>
  ['logging', 'greedy-ecpm', 'greedy-ctr', 'uniform'].includes(name) || name.startsWith('egreedy-ecpm:');
/** Whether `name` is one of the recommendation policies. */
export const isRecPolicy = (name: string) =>
  ['logging', 'greedy', 'by-score'].includes(name) || name.startsWith('epsilon:');

const score = (c: AdCandidateRecord) => c.ecpmMicros * c.quality;

function argmax(cands: readonly AdCandidateRecord[], key: (c: AdCandidateRecord) => number) {
  let best: AdCandidateRecord | undefined;
  for (const c of cands) if (!best || key(c) > key(best)) best = c;
  return best;
}

function epsilonOf(name: string, prefix: string): number | null {
  if (!name.startsWith(prefix)) return null;
  const e = Number(name.slice(prefix.length));
  if (!Number.isFinite(e) || e < 0 || e > 1) throw new Error(`${name}: the rate must be in [0, 1]`);
  return e;
}

/**
 * π(· | x) of an ad policy over a decision's listed eligible candidates; the mass of eligible
 * candidates that were not listed (the list is bounded) is returned as `unlisted`.
 */
export function adPolicy(
  name: string,
  r: AdDecisionRecord,
): { probs: Map<string, number>; unlisted: number } {
  const eligible = r.candidates.filter((c) => c.eligible);
  const probs = new Map<string, number>();
  const total = Math.max(r.eligible, eligible.length);
  const greedy = (key: (c: AdCandidateRecord) => number, eps: number) => {
    const best = argmax(eligible, key);
    for (const c of eligible) probs.set(c.adId, eps / total);
    if (best) probs.set(best.adId, (probs.get(best.adId) ?? 0) + 1 - eps);
    return { probs, unlisted: (eps * (total - eligible.length)) / Math.max(total, 1) };
  };
  if (name === 'greedy-ecpm') return greedy(score, 0);
  if (name === 'greedy-ctr') return greedy((c) => c.pctr, 0);
  if (name === 'uniform') return greedy(score, 1);
  const eps = epsilonOf(name, 'egreedy-ecpm:');
  if (eps !== null) return greedy(score, eps);
  throw new Error(`unknown ad policy "${name}" (one of ${AD_POLICIES.join(', ')})`);
}

/**
 * The OPE unit of an ad decision under `policy`: the weight of the chosen ad and, as the reward model,
 * the logged posterior pCTR of each candidate (unlisted eligible ones at the listed ones' mean).
 */
export function adUnit(policy: string, r: AdDecisionRecord): OpeUnit {
  const chosen = r.candidates.find((c) => c.adId === r.chosen)!;
  if (policy === 'logging')
    return {
      slots: [
        {
          target: r.propensity,
          propensity: r.propensity,
          reward: r.reward,
          dmTarget: chosen.pctr,
          dmLogged: chosen.pctr,
        },
      ],
    };
  const { probs, unlisted } = adPolicy(policy, r);
  let dm = 0;
  let listed = 0;
  let n = 0;
  for (const c of r.candidates) {
    const p = probs.get(c.adId) ?? 0;
    dm += p * c.pctr;
    if (c.eligible) {
      listed += c.pctr;
      n++;
    }
  }
  if (n > 0) dm += unlisted * (listed / n);
  const slot: OpeSlot = {
    target: probs.get(r.chosen) ?? 0,
    propensity: r.propensity,
    reward: r.reward,
    dmTarget: dm,
    dmLogged: chosen.pctr,
  };
  return { slots: [slot] };
}

/** Mean reward by position over the logged lists: the (item-blind) reward model for recommendation. */
export function positionBaseline(records: Iterable<RecDecisionRecord>): Map<number, number> {
  const sum = new Map<number, [number, number]>();
  for (const r of records)
    for (const s of r.slots) {
      const t = sum.get(s.position) ?? [0, 0];
      t[0] += s.reward;
      t[1]++;
      sum.set(s.position, t);
    }
  return new Map([...sum].map(([k, [a, n]]) => [k, a / n]));
}

/**
 * The OPE unit of a recommendation list under `policy`: one slot per position with the candidate
 * policy's probability of the item shown there (independent slots, conditional on the positions above),
 * and the position baseline as reward model.
 */
export function recUnit(
  policy: string,
  r: RecDecisionRecord,
  baseline: ReadonlyMap<number, number>,
): OpeUnit {
  const eps = epsilonOf(policy, 'epsilon:');
  // The logging policy explores only items from below the ranking's page: an item of that page shown at
  // another position (a reordering, as `by-score` makes) is never logged there.
  const page = new Set(r.slots.map((s) => s.greedyItemId));
  let unsupported = 0;
  const slots = r.slots.map((s, i): OpeSlot => {
    let target: number;
    if (policy === 'logging') target = s.propensity;
    else if (policy === 'greedy') target = s.itemId === s.greedyItemId ? 1 : 0;
    else if (policy === 'by-score') {
      const want = r.byScore[i]?.itemId;
      target = want === s.itemId ? 1 : 0;
      const logged =
        want === s.greedyItemId || (r.epsilon > 0 && s.pool > 0 && want !== undefined && !page.has(want));
      if (!logged) unsupported++;
    } else if (eps !== null) {
      target = s.explored ? eps / Math.max(1, s.pool) : s.pool > 0 ? 1 - eps : 1;
      if (r.epsilon === 0 && s.pool > 0) unsupported += eps;
    } else throw new Error(`unknown recommendation policy "${policy}" (one of ${REC_POLICIES.join(', ')})`);
    const q = baseline.get(s.position) ?? 0;
    return { target, propensity: s.propensity, reward: s.reward, dmTarget: q, dmLogged: q };
  });
  return { slots, unsupported };
}
