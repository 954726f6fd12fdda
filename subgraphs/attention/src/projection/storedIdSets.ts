import type { attentionModels } from '../models/index.js';
import { StoredIds } from './derivedWriter.js';

type Models = ReturnType<typeof attentionModels>;
export type DerivedCollection = 'views' | 'rollups' | 'totals' | 'profiles';

/** What this process knows of the ids stored in each derived collection (see StoredIds). */
export class StoredIdSets {
  readonly views: StoredIds;
  readonly rollups: StoredIds;
  readonly totals: StoredIds;
  readonly profiles: StoredIds;

  /** Sized for `expectedViews` view ids; rollups the same, totals and profiles a quarter. */
  constructor(expectedViews: number) {
    this.views = new StoredIds(expectedViews);
    this.rollups = new StoredIds(expectedViews);
    this.totals = new StoredIds(expectedViews / 4);
    this.profiles = new StoredIds(expectedViews / 4);
  }

  /** Reads every stored id of the derived collections, one collection after another; says how many. */
  async load(models: Models): Promise<Record<DerivedCollection, number>> {
    return {
      views: await this.views.load(
        models.AttentionView.find({}, { _id: 1 }).lean<{ _id: string }>().cursor({ batchSize: 5000 }),
      ),
      rollups: await this.rollups.load(
        models.AttentionRollup.find({}, { _id: 1 }).lean<{ _id: string }>().cursor({ batchSize: 5000 }),
      ),
      totals: await this.totals.load(
        models.AttentionTotal.find({}, { _id: 1 }).lean<{ _id: string }>().cursor({ batchSize: 5000 }),
      ),
      profiles: await this.profiles.load(
        models.AttentionProfile.find({}, { _id: 1 }).lean<{ _id: string }>().cursor({ batchSize: 5000 }),
      ),
    };
  }

  note(collection: DerivedCollection, ids: Iterable<string>): void {
    for (const id of ids) this[collection].add(id);
  }
}
