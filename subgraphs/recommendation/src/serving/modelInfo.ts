import type { StalenessCounter } from '../loop/staleness.js';
import type { ModelHolder } from './modelHolder.js';

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

/**
 * `modelInfo`: the served model version, its metrics, the backend it runs on, and how stale it is
 * (interactions since it was swapped in against REC_RETRAIN_AFTER_INTERACTIONS; one read by `_id`).
 */
export async function modelInfo(holder: ModelHolder, staleness: StalenessCounter) {
  const served = holder.current;
  const state = await staleness.read(served?.version ?? null);
  return {
    ...state,
    name: 'sasrec',
    status: served ? ('SERVING' as const) : ('NO_MODEL' as const),
    version: served?.version ?? null,
    trainedAt: served ? Date.parse(served.trainedAt) : null,
    metrics: served ? numericMetrics(served.metrics) : [],
    backend: holder.backend?.backend ?? null,
    device: holder.backend?.device ?? null,
    items: served ? served.model.itemIds.length - 1 : null,
  };
}
