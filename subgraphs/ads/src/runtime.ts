import { TombstoneStore } from '@attention-mesh/platform';
import type { Connection } from 'mongoose';
import { AdsState } from './adsState.js';
import type { AdsConfig } from './config.js';
import { campaignModels } from './models/campaigns.js';
import { ledgerModels } from './models/ledger.js';

/** The ads subgraph's per-process state, built once at boot: its collections and the decision state (`ads`). */
export function createRuntime(conn: Connection, config: AdsConfig) {
  const models = { ...campaignModels(conn), ...ledgerModels(conn) };
  return {
    ...models,
    ads: new AdsState(models, config),
    /** Erased user ids (keyed hashes): ad requests for them are refused, their signals dropped. */
    tombstones: new TombstoneStore(conn, config.erasureSecret),
  };
}
export type AdsRuntime = ReturnType<typeof createRuntime>;
