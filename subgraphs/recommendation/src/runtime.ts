import { ConsentStore, CounterWriter, KeyedLock, LruCache, TombstoneStore } from '@attention-mesh/platform';
import type { Connection } from 'mongoose';
import { Catalogue } from './catalogue/Catalogue.js';
import type { RecommendationConfig } from './config.js';
import { StalenessCounter } from './loop/staleness.js';
import type { UpdateNotifier } from './loop/UpdateNotifier.js';
import { itemModel } from './models/Item.js';
import { itemPopularityModel } from './models/ItemPopularity.js';
import { modelStalenessModel } from './models/ModelStaleness.js';
import { recConsentModel } from './models/RecConsent.js';
import { recStateModel } from './models/RecState.js';
import { userSequenceModel } from './models/UserSequence.js';
import { ExposureTracker } from './ranking/exposure.js';
import { PopularityRanking } from './ranking/popularity.js';
import { RecDecisionLog } from './recommend/decisionLog.js';
import { UserCache } from './sequences/UserCache.js';
import { ModelHolder } from './serving/modelHolder.js';
import type { Ranking } from './serving/ranker.js';

/**
 * The recommendation subgraph's per-process state, built once at boot: its collections, the catalogue,
 * users and popularity held in memory, the exposure tracker, the served model and the rankings cache.
 */
export function createRuntime(conn: Connection, config: RecommendationConfig) {
  const Item = itemModel(conn);
  const ItemPopularity = itemPopularityModel(conn);
  const UserSequence = userSequenceModel(conn);
  const RecState = recStateModel(conn);
  const ModelStaleness = modelStalenessModel(conn);
  const RecConsent = recConsentModel(conn);
  /** The catalogue version the in-memory state was read at (see RecState). */
  let seenVersion: number | null = null;
  const catalogue = new Catalogue(Item);
  const users = new UserCache(UserSequence);
  const popularity = new PopularityRanking((id) => catalogue.get(id)?.category, 1_000);
  let warm: Promise<void> | undefined;
  return {
    Item,
    ItemPopularity,
    UserSequence,
    RecState,
    ModelStaleness,
    RecConsent,
    config,
    settings: config.recommendation,
    catalogue,
    popularity,
    exposure: new ExposureTracker(config.recommendation.exposureWindow, config.recommendation.exposureCap),
    holder: new ModelHolder(),
    /**
     * Personalisation consent from `user.consent.changed`. Users created through the users subgraph
     * always announce theirs (off until granted); a sequence with no announcement (imported data sets,
     * benchmarks) stays personalised, its consent taken where it was collected.
     */
    consents: new ConsentStore(RecConsent, {
      flags: ['personalization'],
      whenUnknown: { personalization: true },
    }),
    users,
    /** Rankings by user, model version, sequence version and category, for stable pages. */
    rankings: new LruCache<string, Ranking>(20_000),
    /** Sequence updates of one user take turns. */
    userLock: new KeyedLock(),
    popularityWriter: new CounterWriter(ItemPopularity),
    /** Interactions since the served model was trained (see `retrain:rec`). */
    staleness: new StalenessCounter(ModelStaleness, 'sasrec', config.recommendation.retrainAfterInteractions),
    /** Publishes `recommendations.updated`, coalesced per user; set when the bus is there (background). */
    notifier: null as UpdateNotifier | null,
    /** Served pages with their propensities, and their rewards, for off-policy evaluation. */
    decisions: new RecDecisionLog(conn, config.recommendation),
    /** Erased user ids (keyed hashes): their events and feedback no longer rebuild a sequence. */
    tombstones: new TombstoneStore(conn, config.erasureSecret),
    /** Loads the catalogue, the users' sequences and the popularity counters into memory once (awaited by the resolvers). */
    warmUp(): Promise<void> {
      warm ??= loadState();
      warm.catch(() => {
        warm = undefined;
      });
      return warm;
    },
    /** Re-reads the catalogue, the users and the popularity counters (after a bulk import into a running service). */
    reloadState: () => loadState(),
    /**
     * Re-reads the catalogue and the popularity counters when their version moved (changes made through
     * other replicas or imports); this process's own writes are in memory already. A version read by
     * `_id` is all an unchanged catalogue costs: a full re-read stalls requests on a large catalogue.
     */
    async refresh(): Promise<boolean> {
      const state = await RecState.findById('catalogue').lean();
      if ((state?.version ?? 0) === seenVersion) return false;
      await loadState(false);
      return true;
    },
  };
  async function loadState(withUsers = true): Promise<void> {
    const version = (await RecState.findById('catalogue').lean())?.version ?? 0;
    await catalogue.reload();
    if (withUsers) await users.load();
    const counts = (await ItemPopularity.find({}).lean()) as {
      _id: string;
      engagedMs?: number;
      interactions?: number;
      imported?: number;
    }[];
    for (const c of counts) {
      popularity.set(c._id, {
        engagedMs: c.engagedMs ?? 0,
        interactions: c.interactions ?? 0,
        imported: c.imported ?? 0,
      });
    }
    popularity.invalidate();
    seenVersion = version;
  }
}
export type RecommendationRuntime = ReturnType<typeof createRuntime>;
