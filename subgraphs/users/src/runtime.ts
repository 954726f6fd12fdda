import type { Connection } from 'mongoose';
import { apiKeyModel } from './models/ApiKey.js';
import { userModel } from './models/User.js';

/** The per-process state of the users subgraph: only its mongoose models (it keeps nothing in memory). */
export function createRuntime(conn: Connection) {
  return { User: userModel(conn), ApiKey: apiKeyModel(conn) };
}
export type UsersRuntime = ReturnType<typeof createRuntime>;
