import { type EventBus, type Logger, meshEvent } from '@attention-mesh/platform';
import type { RecommendationRuntime } from '../runtime.js';
import type { ServedModel } from '../serving/modelHolder.js';

/**
 * Who is told their recommendations changed when `served` replaces `previous`: users active within the
 * window (sequence written or recommendations read by this process, or a stored sequence updated, see
 * `UserCache.activeSince`), most recent first, at most `limit`, whose history one of the two models
 * knows (a user ranked by popularity under both is unchanged by a model swap). Bounded by design: a
 * user outside it reads the new model on their next request anyway.
 */
export function modelFanout(
  runtime: Pick<RecommendationRuntime, 'users'>,
  served: Pick<ServedModel, 'knowsAny'>,
  previous: Pick<ServedModel, 'knowsAny'> | null,
  opts: { since: number; limit: number },
): string[] {
  const out: string[] = [];
  for (const userId of runtime.users.activeSince(opts.since, opts.limit)) {
    const doc = runtime.users.peek(userId);
    if (!doc || doc.items.length === 0) continue;
    if (served.knowsAny(doc.items) || previous?.knowsAny(doc.items)) out.push(userId);
  }
  return out;
}

/**
 * A new model version was swapped in while running: `model.updated` is published and
 * `recommendations.updated` (MODEL) queued for the users of `modelFanout`. The version a process loads
 * at start-up announces nothing (every replica's boot would, and nobody's recommendations changed from
 * what another replica already served). The staleness count starts again with the new version (its own
 * document, see ModelStaleness).
 */
export async function announceModel(
  runtime: RecommendationRuntime,
  events: EventBus,
  logger: Logger,
  served: ServedModel,
  previous: ServedModel | null,
  initial: boolean,
  now = Date.now(),
): Promise<number> {
  if (initial) return 0;
  const trainedAt = Date.parse(served.trainedAt);
  await events.publish([
    meshEvent(
      'model.updated',
      { __typename: 'Model', id: 'sasrec' },
      {
        model: 'sasrec',
        version: served.version,
        trainedAt: Number.isFinite(trainedAt) ? trainedAt : now,
        servedAt: now,
      },
    ),
  ]);
  if (!runtime.notifier) return 0;
  const users = modelFanout(runtime, served, previous, {
    since: now - runtime.settings.activeWindowMs,
    limit: runtime.settings.modelFanoutUsers,
  });
  for (const userId of users) runtime.notifier.notify(userId, 'MODEL');
  logger.info({ version: served.version, users: users.length }, 'recommendations.updated (MODEL) queued');
  return users.length;
}
