import type { MicroBatcher } from '@attention-mesh/ml';
import { InFlightGuard } from '@attention-mesh/platform';
import type { Catalogue } from '../catalogue/Catalogue.js';
import { UnitEmbeddings } from '../ranking/embeddings.js';
import type { RecommendResult, SequenceRecommender } from './types.js';

/** A loaded model version as served: its batcher, unit embeddings and registry metadata. */
export class ServedModel {
  private masks = new Map<string, Uint8Array>();
  private masksGeneration = -1;
  private readonly guard: InFlightGuard;

  constructor(
    readonly model: SequenceRecommender,
    readonly version: string,
    readonly trainedAt: string,
    readonly metrics: Record<string, unknown>,
    readonly embeddings: UnitEmbeddings,
    private readonly batcher: MicroBatcher<readonly string[], RecommendResult>,
  ) {
    this.guard = new InFlightGuard(() => model.dispose());
  }

  /**
   * 1 for each model index whose item is in the catalogue (and of `category` when given), so the top-k
   * pass over every score tests eligibility with one array read. Rebuilt when the catalogue changes.
   */
  catalogueMask(catalogue: Catalogue, category: string | null): Uint8Array {
    if (this.masksGeneration !== catalogue.generation) {
      this.masks.clear();
      this.masksGeneration = catalogue.generation;
    }
    const key = category ?? '';
    let mask = this.masks.get(key);
    if (!mask) {
      const ids = this.model.itemIds;
      mask = new Uint8Array(ids.length);
      for (let i = 1; i < ids.length; i++) {
        const item = catalogue.get(ids[i]!);
        if (item && (category === null || item.category === category)) mask[i] = 1;
      }
      this.masks.set(key, mask);
    }
    return mask;
  }

  /**
   * The catalogue mask (see `catalogueMask`) with the model indices of `seen` and `hidden` cleared: what
   * a user's top-k may pick. A fresh copy per request (23 KB for Games: a memcpy, not a pass in code).
   */
  eligibleFor(
    catalogue: Catalogue,
    category: string | null,
    seen: readonly string[],
    hidden: readonly string[],
  ): Uint8Array {
    const eligible = this.catalogueMask(catalogue, category).slice();
    for (const list of [seen, hidden]) {
      for (const id of list) {
        const i = this.model.indexOf(id);
        if (i !== undefined) eligible[i] = 0;
      }
    }
    return eligible;
  }

  /** Whether any history item is known to the model (otherwise it has nothing to attend to). */
  knowsAny(history: readonly string[]): boolean {
    return history.some((id) => this.model.indexOf(id) !== undefined);
  }

  /** One user's forward pass, sharing the batch of requests that arrive within the batcher's window. */
  recommend(history: readonly string[]): Promise<RecommendResult> {
    return this.guard.run(() => this.batcher.submit(history));
  }

  /** Called when a newer version replaced this one: its weights are released once in-flight work ends. */
  retire(): void {
    this.guard.retire();
  }
}

/** Builds the served form of a model: unit embeddings (cosine = dot) and a micro-batcher in front of it. */
export async function serveModel(
  model: SequenceRecommender,
  meta: { version: string; trainedAt: string; metrics: Record<string, unknown> },
  batcher: (
    run: (h: (readonly string[])[]) => Promise<RecommendResult[]>,
  ) => MicroBatcher<readonly string[], RecommendResult>,
): Promise<ServedModel> {
  const raw = await model.itemEmbeddings();
  const embeddings = new UnitEmbeddings(raw, model.itemIds.length, model.config.hidden);
  return new ServedModel(
    model,
    meta.version,
    meta.trainedAt,
    meta.metrics,
    embeddings,
    batcher((histories) => model.recommend(histories)),
  );
}

/** The model currently served (or none), swapped by the registry watcher (which retires the one replaced). */
export class ModelHolder {
  private served: ServedModel | null = null;
  backend: { backend: string; device: string } | null = null;

  get current(): ServedModel | null {
    return this.served;
  }

  swap(next: ServedModel | null): void {
    this.served = next;
  }
}
