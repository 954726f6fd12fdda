import type { Connection } from 'mongoose';
import { userModel } from './models/User.js';

/** The per-process state of the users subgraph: only its mongoose model (it keeps nothing in memory). */
export function createRuntime(conn: Connection) {
  return { User: userModel(conn) };
}
export type UsersRuntime = ReturnType<typeof createRuntime>;
