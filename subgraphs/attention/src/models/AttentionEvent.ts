import { type Connection, Schema } from 'mongoose';
import type { AttentionEventType, TargetType } from '../eventRules.js';

export interface AttentionEventDoc {
  _id: string;
  clientId: string;
  userId: string | null;
  anonymousId: string | null;
  sessionId: string;
  targetType: TargetType;
  targetId: string;
  type: AttentionEventType;
  /** Epoch ms. */
  occurredAt: number;
  receivedAt: number;
  visibleFraction: number | null;
  durationMs: number | null;
  scrollDepth: number | null;
  visible: boolean | null;
  device: string | null;
  viewport: { width: number; height: number } | null;
  creativeSize: { width: number; height: number } | null;
}

const size = { type: { width: Number, height: Number, _id: false }, default: null };

const eventSchema = new Schema<AttentionEventDoc>(
  {
    _id: { type: String, required: true },
    clientId: { type: String, required: true },
    userId: { type: String, default: null },
    anonymousId: { type: String, default: null },
    sessionId: { type: String, required: true },
    targetType: { type: String, required: true },
    targetId: { type: String, required: true },
    type: { type: String, required: true },
    occurredAt: { type: Number, required: true },
    receivedAt: { type: Number, required: true },
    visibleFraction: { type: Number, default: null },
    durationMs: { type: Number, default: null },
    scrollDepth: { type: Number, default: null },
    visible: { type: Boolean, default: null },
    device: { type: String, default: null },
    viewport: size,
    creativeSize: size,
  },
  { versionKey: false },
);
// Idempotency: a client id is stored once.
eventSchema.index({ clientId: 1 }, { unique: true });
eventSchema.index({ userId: 1, occurredAt: 1 });
eventSchema.index({ targetType: 1, targetId: 1, occurredAt: 1 });

export function attentionEventModel(conn: Connection) {
  return conn.model<AttentionEventDoc>('AttentionEvent', eventSchema, 'attention_events');
}
