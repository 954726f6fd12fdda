import { type Connection, Schema } from 'mongoose';

/** Per-item popularity counters (cold start), kept with `$inc` through a CounterWriter. */
export interface ItemPopularityDoc {
  /** The item id. */
  _id: string;
  engagedMs: number;
  interactions: number;
  /** Interactions in imported sequence files (set, not added, so a re-import counts once). */
  imported: number;
}

const schema = new Schema<ItemPopularityDoc>(
  {
    _id: { type: String, required: true },
    engagedMs: { type: Number, default: 0 },
    interactions: { type: Number, default: 0 },
    imported: { type: Number, default: 0 },
  },
  { versionKey: false },
);

export function itemPopularityModel(conn: Connection) {
  return conn.model<ItemPopularityDoc>('ItemPopularity', schema, 'rec_popularity');
}
