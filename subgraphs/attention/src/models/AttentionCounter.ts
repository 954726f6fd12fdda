import { type Connection, Schema } from 'mongoose';

/** Running totals per user, item, ad or placement, kept current with `$inc`/`$max` at ingestion. */
export interface AttentionCounterDoc {
  /** `${kind}:${id}`, e.g. `ITEM:itm_1`. */
  _id: string;
  events: number;
  impressions: number;
  clicks: number;
  engagedMs: number;
  viewMs: number;
  lastEventAt: number;
}

const counterSchema = new Schema<AttentionCounterDoc>(
  {
    _id: { type: String, required: true },
    events: { type: Number, default: 0 },
    impressions: { type: Number, default: 0 },
    clicks: { type: Number, default: 0 },
    engagedMs: { type: Number, default: 0 },
    viewMs: { type: Number, default: 0 },
    lastEventAt: { type: Number, default: 0 },
  },
  { versionKey: false },
);

export function attentionCounterModel(conn: Connection) {
  return conn.model<AttentionCounterDoc>('AttentionCounter', counterSchema, 'attention_counters');
}
