import {
  badUserInput,
  type Caller,
  checkFirst,
  checkSlug,
  decodeCursor,
  encodeCursor,
  notFound,
  requireSelf,
} from '@attention-mesh/platform';
import type { ItemDoc } from '../models/Item.js';
import type { RecommendationRuntime } from '../runtime.js';
import { rankFor, rankNonPersonalised } from '../serving/ranker.js';
import { logDecision } from './logDecision.js';
import { rankerDeps } from './rankerDeps.js';

const OFFSET = /^rec:(0|[1-9]\d{0,5})$/;

function offsetOf(after: string | null | undefined): number {
  if (after == null) return 0;
  const m = OFFSET.exec(decodeCursor(after, 'after'));
  if (!m) throw badUserInput('Malformed cursor in "after"', 'after');
  return Number(m[1]);
}

export interface RecommendationArgs {
  first: number;
  after?: string | null;
  context?: { category?: string | null } | null;
}

/**
 * One page of a user's ranking, for that user (or an admin) only: another caller gets FORBIDDEN before
 * anything is read, so whether the user exists is not revealed. Validation next: nothing is ranked or
 * counted for bad input.
 */
export async function recommendFor(
  runtime: RecommendationRuntime,
  caller: Caller,
  userId: string,
  args: RecommendationArgs,
) {
  requireSelf(caller, userId, 'User.recommendations');
  const first = checkFirst(args.first);
  const offset = offsetOf(args.after);
  const category =
    args.context?.category == null ? null : checkSlug(args.context.category, 'context.category', 'category');
  await runtime.warmUp();
  const user = await runtime.users.get(userId);
  if (!user) throw notFound('User', userId);
  const personalised = await runtime.consents.allows(userId, 'personalization');
  const ranked = personalised
    ? await rankFor(rankerDeps(runtime), user, category, { offset, first })
    : rankNonPersonalised(rankerDeps(runtime), user, category, { offset, first });
  const { ranking } = ranked;
  // The logging policy: the ranking's page with per-position exploration, logged with its propensities.
  // Without personalisation consent nothing is logged under the user's id, so nothing is explored.
  const page = personalised
    ? logDecision(runtime, userId, category, ranking, ranked.page, offset, first)
    : ranked.page;
  const explanation = ranking.explanation
    .map((e) => ({ item: runtime.catalogue.get(e.itemId), weight: e.weight }))
    .filter((e): e is { item: ItemDoc; weight: number } => e.item !== undefined);
  const edges = page.map((r, i) => {
    return {
      cursor: encodeCursor(`rec:${offset + i + 1}`),
      node: runtime.catalogue.get(r.itemId)!,
      score: r.score,
      position: offset + i + 1,
      explanation,
    };
  });
  return {
    edges,
    pageInfo: {
      hasNextPage: offset + first < ranking.items.length,
      hasPreviousPage: offset > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    source: ranking.source,
    modelVersion: ranking.modelVersion,
  };
}
