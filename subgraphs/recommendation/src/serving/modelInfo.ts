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

/** `modelInfo`: the served model version, its metrics and the backend it runs on. */
export function modelInfo(holder: ModelHolder) {
  const served = holder.current;
  return {
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
