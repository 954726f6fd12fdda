import {
  badUserInput,
  checkFirst,
  checkSlug,
  decodeCursor,
  encodeCursor,
  notFound,
} from '@attention-mesh/platform';
import type { ItemDoc } from '../models/Item.js';
import { gini } from '../ranking/exposure.js';
import type { RecommendationModels } from '../server.js';
import { type RankerDeps, rankFor, similarItems } from '../serving/ranker.js';

function rankerDeps(models: RecommendationModels): RankerDeps {
  return {
    catalogue: models.catalogue,
    popularity: models.popularity,
    exposure: models.exposure,
    holder: models.holder,
    cache: models.rankings,
    mmrLambda: models.settings.mmrLambda,
  };
}

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

/** One page of a user's ranking. Validation first: nothing is ranked or counted for bad input. */
export async function recommendationsPage(
  models: RecommendationModels,
  userId: string,
  args: RecommendationArgs,
) {
  const first = checkFirst(args.first);
  const offset = offsetOf(args.after);
  const category =
    args.context?.category == null ? null : checkSlug(args.context.category, 'context.category', 'category');
  await models.warmUp();
  const user = await models.users.get(userId);
  if (!user) throw notFound('User', userId);
  const { ranking, page } = await rankFor(rankerDeps(models), user, category, { offset, first });
  const explanation = ranking.explanation
    .map((e) => ({ item: models.catalogue.get(e.itemId), weight: e.weight }))
    .filter((e): e is { item: ItemDoc; weight: number } => e.item !== undefined);
  const edges = page.map((r, i) => {
    return {
      cursor: encodeCursor(`rec:${offset + i + 1}`),
      node: models.catalogue.get(r.itemId)!,
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

/** `Item.similar`: by embedding when the model knows the item, else popularity in its category. */
export async function similarTo(models: RecommendationModels, item: ItemDoc, firstArg: number) {
  const first = checkFirst(firstArg);
  await models.warmUp();
  const byEmbedding = similarItems(rankerDeps(models), item._id, first);
  if (byEmbedding) {
    return byEmbedding.map((s) => ({ item: models.catalogue.get(s.itemId)!, similarity: s.score }));
  }
  const out: { item: ItemDoc; similarity: null }[] = [];
  for (const id of models.popularity.ranked(item.category)) {
    if (out.length >= first) break;
    const doc = models.catalogue.get(id);
    if (id !== item._id && doc) out.push({ item: doc, similarity: null });
  }
  return out;
}

/** Numeric leaves of a metrics.json, with dotted names. */
export function numericMetrics(
  metrics: Record<string, unknown>,
  prefix = '',
): { name: string; value: number }[] {
  const out: { name: string; value: number }[] = [];
  for (const [k, v] of Object.entries(metrics)) {
    const name = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'number' && Number.isFinite(v)) out.push({ name, value: v });
    else if (v && typeof v === 'object' && !Array.isArray(v) && prefix.split('.').length < 3)
      out.push(...numericMetrics(v as Record<string, unknown>, name));
  }
  return out;
}

export function modelInfo(models: RecommendationModels) {
  const served = models.holder.current;
  return {
    name: 'sasrec',
    status: served ? 'SERVING' : 'NO_MODEL',
    version: served?.version ?? null,
    trainedAt: served ? Date.parse(served.trainedAt) : null,
    metrics: served ? numericMetrics(served.metrics) : [],
    backend: models.holder.backend?.backend ?? null,
    device: models.holder.backend?.device ?? null,
    items: served ? served.model.itemIds.length - 1 : null,
  };
}

export async function exposureReport(models: RecommendationModels) {
  await models.warmUp();
  const e = models.exposure;
  return {
    gini: gini(e.countsList(), models.catalogue.size),
    itemsExposed: e.itemsExposed,
    totalExposures: e.exposures,
    maxShare: e.maxShare(),
    cap: e.cap,
    window: e.window,
    catalogueSize: models.catalogue.size,
  };
}
