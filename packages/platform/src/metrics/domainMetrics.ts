import {
  adDecisions,
  adSpend,
  attentionEvents,
  inferenceBatchSize,
  inferenceDuration,
} from './meshMetrics.js';

/** One ad decision taken (ads `requestAds`). */
export function countAdDecision(filled: boolean): void {
  adDecisions.inc({ outcome: filled ? 'filled' : 'no_fill' });
}

/** Spend charged to a campaign by a recorded (not duplicate) ad event. */
export function addAdSpend(micros: number): void {
  if (micros > 0) adSpend.inc(micros);
}

/** Attention events stored by one ingestion call. */
export function countAttentionEvents(stored: number): void {
  if (stored > 0) attentionEvents.inc(stored);
}

/**
 * Wraps a micro-batch function (one forward pass per call) so each pass records its latency and batch
 * size under `model`; what the function returns or throws is passed through.
 */
export function observeInference<I, O>(
  model: string,
  run: (items: I[]) => Promise<O>,
): (items: I[]) => Promise<O> {
  return async (items) => {
    inferenceBatchSize.observe({ model }, items.length);
    const end = inferenceDuration.startTimer({ model });
    try {
      return await run(items);
    } finally {
      end();
    }
  };
}
