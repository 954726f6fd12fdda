import type { Connection } from 'mongoose';
import type { AdsConfig } from '../config.js';
import { AdsRuntime } from '../runtime.js';
import { campaignModels } from './campaigns.js';
import { ledgerModels } from './ledger.js';

export * from './campaigns.js';
export * from './ledger.js';

/** The ads subgraph's collections and its per-process decision state (`ads`). */
export function createModels(conn: Connection, config: AdsConfig) {
  const models = { ...campaignModels(conn), ...ledgerModels(conn) };
  return { ...models, ads: new AdsRuntime(models, config) };
}
export type AdsModels = ReturnType<typeof createModels>;
