import type { Connection } from 'mongoose';
import type { UsersConfig } from './config.js';
import { apiKeyModel } from './models/ApiKey.js';
import { privacyChargeModel, privacyLedgerModel } from './models/PrivacyLedger.js';
import { userModel } from './models/User.js';

/** The per-process state of the users subgraph: its mongoose models and settings (it keeps nothing in memory). */
export function createRuntime(conn: Connection, config: UsersConfig) {
  return {
    User: userModel(conn),
    ApiKey: apiKeyModel(conn),
    PrivacyLedger: privacyLedgerModel(conn),
    PrivacyCharge: privacyChargeModel(conn),
    privacy: config.privacy,
  };
}
export type UsersRuntime = ReturnType<typeof createRuntime>;
