import { type Connection, Schema } from 'mongoose';

/** One service's part of an erasure. Times epoch ms. */
export interface ErasureServiceDoc {
  completedAt: number;
  /** Documents the service deleted or anonymised. */
  removed: number;
}

/**
 * An erasure request, `_id` the user's tombstone (keyed hash). `userId` is kept only while the
 * erasure runs (to re-publish `user.erased` after a crash and to redact the bus at the end) and unset
 * when it completes; then the record holds no personal data.
 */
export interface ErasureDoc {
  _id: string;
  userId?: string | null;
  /** The `user.erased` event's id, reused when it is published again (a no-op on the bus). */
  eventId: string;
  requestedAt: number;
  /** Set once `user.erased` is on the bus. */
  publishedAt: number | null;
  /** Per service that reported, by name. */
  services: Record<string, ErasureServiceDoc>;
  /** When every expected service was done (and the bus redacted). */
  completedAt: number | null;
}

const erasureSchema = new Schema<ErasureDoc>(
  {
    _id: { type: String, required: true },
    userId: { type: String, default: null },
    eventId: { type: String, required: true },
    requestedAt: { type: Number, required: true },
    publishedAt: { type: Number, default: null },
    services: { type: Object, default: {} },
    completedAt: { type: Number, default: null },
  },
  { versionKey: false, minimize: false },
);

export function erasureModel(conn: Connection) {
  return conn.model<ErasureDoc>('Erasure', erasureSchema, 'erasures');
}
