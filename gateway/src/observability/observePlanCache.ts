import { planCacheLookups } from './gatewayMetrics.js';

interface PlanStore {
  get(key: string): Promise<unknown>;
}

/**
 * Counts hits and misses of the gateway's query plan cache (`mesh_gateway_query_plan_cache_total`).
 * @apollo/gateway 2.14 keeps its plans in a private `queryPlanStore` (its own LRU or the
 * `queryPlannerConfig.cache` it was given) and reports no lookups, so the store's `get` is wrapped
 * where it stands: whatever cache is configured is counted. A test checks the counters move, so a
 * version that renames the field fails there, not silently.
 */
export function observePlanCache(gateway: object): void {
  const holder = gateway as { queryPlanStore?: PlanStore };
  const store = holder.queryPlanStore;
  if (!store || typeof store.get !== 'function') return;
  const get = store.get.bind(store);
  store.get = async (key) => {
    const plan = await get(key);
    planCacheLookups.inc({ result: plan === undefined ? 'miss' : 'hit' });
    return plan;
  };
}
