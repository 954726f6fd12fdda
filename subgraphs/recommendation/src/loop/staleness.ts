import { CounterWriter } from '@attention-mesh/platform';
import { type ModelStalenessDoc, type ModelStalenessModel, stalenessId } from '../models/ModelStaleness.js';

export interface Staleness {
  interactionsSinceTraining: number;
  retrainAfterInteractions: number;
  stale: boolean;
}

/**
 * Stale once `interactions` reach `threshold`, or when no model version exists at all (there is nothing
 * to serve: the retrain command trains the first one). Pure: the rule the subgraph and the retrain
 * command share.
 */
export function stalenessOf(interactions: number, threshold: number, hasModel = true): Staleness {
  return {
    interactionsSinceTraining: interactions,
    retrainAfterInteractions: threshold,
    stale: !hasModel || interactions >= threshold,
  };
}

/**
 * Counts the interactions appended to users' sequences since the served model version was swapped in,
 * in the version's own document (read by `_id`; `$inc` batched by a CounterWriter, so a burst is a few
 * writes). Replicas add to the same document; on the embedded database `$inc` is read-modify-write, so
 * concurrent replicas may lose a few counts: the threshold is a trigger, not a ledger.
 */
export class StalenessCounter {
  private readonly writer: CounterWriter;

  constructor(
    private readonly model: ModelStalenessModel,
    private readonly name: string,
    private readonly threshold: number,
  ) {
    this.writer = new CounterWriter(model);
  }

  /** Adds `n` interactions to the count of the version served now. */
  add(version: string | null, n: number): Promise<void> {
    if (n <= 0) return Promise.resolve();
    return this.writer.add([[stalenessId(this.name, version), { $inc: { interactions: n } }]]);
  }

  async read(version: string | null): Promise<Staleness> {
    const doc = await this.model.findById(stalenessId(this.name, version)).lean<ModelStalenessDoc>();
    return stalenessOf(doc?.interactions ?? 0, this.threshold, version !== null);
  }
}
