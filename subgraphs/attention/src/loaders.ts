import { keyedLoader } from '@attention-mesh/platform';
import type { AttentionCounterDoc } from './models/AttentionCounter.js';
import type { AttentionModels } from './server.js';

export function createLoaders(models: AttentionModels) {
  return {
    /** Counters by `${kind}:${id}`: one query per batch, whatever the kinds. */
    counter: keyedLoader<string, AttentionCounterDoc>(
      async (keys) => models.AttentionCounter.find({ _id: { $in: keys } }).lean<AttentionCounterDoc[]>(),
      (doc) => doc._id,
    ),
  };
}
export type AttentionLoaders = ReturnType<typeof createLoaders>;
