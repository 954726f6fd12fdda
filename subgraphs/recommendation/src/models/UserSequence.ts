import { type Connection, Schema } from 'mongoose';

/** Most recent interactions kept per user (the model reads the last `maxLen` of them). */
export const MAX_SEQUENCE = 200;
/** Most recent applied event ids kept per user, for idempotent redelivery. */
export const MAX_APPLIED = 100;
/** Most hidden items kept per user. */
export const MAX_HIDDEN = 1_000;

/** A user as the recommender knows them: their recent items (oldest first) and what they hid. */
export interface UserSequenceDoc {
  /** The user id. */
  _id: string;
  items: string[];
  hidden: string[];
  /** Ids of the events and feedback applied most recently (`ev:<event id>`, `fb:<feedback id>`). */
  applied: string[];
  /** Bumped on every change: writes are conditional on it, and cached rankings are keyed by it. */
  version: number;
  updatedAt: number;
}

const schema = new Schema<UserSequenceDoc>(
  {
    _id: { type: String, required: true },
    items: { type: [String], default: [] },
    hidden: { type: [String], default: [] },
    applied: { type: [String], default: [] },
    version: { type: Number, required: true },
    updatedAt: { type: Number, required: true },
  },
  { versionKey: false },
);

export function userSequenceModel(conn: Connection) {
  return conn.model<UserSequenceDoc>('UserSequence', schema, 'rec_users');
}
export type UserSequenceModel = ReturnType<typeof userSequenceModel>;
