import { TombstoneStore } from '@attention-mesh/platform';
import type { Connection } from 'mongoose';
import type { UsersConfig } from './config.js';
import { apiKeyModel } from './models/ApiKey.js';
import { erasureModel } from './models/Erasure.js';
import { privacyChargeModel, privacyLedgerModel } from './models/PrivacyLedger.js';
import { userModel } from './models/User.js';

/** The per-process state of the users subgraph: its mongoose models, settings and the erased ids' tombstones. */
export function createRuntime(conn: Connection, config: UsersConfig) {
  return {
    User: userModel(conn),
    ApiKey: apiKeyModel(conn),
    Erasure: erasureModel(conn),
    tombstones: new TombstoneStore(conn, config.erasureSecret),
    settings: config.users,
    PrivacyLedger: privacyLedgerModel(conn),
    PrivacyCharge: privacyChargeModel(conn),
    privacy: config.privacy,
  };
}
export type UsersRuntime = ReturnType<typeof createRuntime>;
