import { type Connection, Schema } from 'mongoose';

/**
 * `_id: '<model>@<version>'` (`sasrec@-` before any model): interactions the recommender applied while
 * that version was served, counted from when it was swapped in. A new version starts its own document,
 * so swapping a model in resets the count without a write that could race the counting.
 */
export interface ModelStalenessDoc {
  _id: string;
  interactions: number;
}

const schema = new Schema<ModelStalenessDoc>(
  { _id: { type: String, required: true }, interactions: { type: Number, default: 0 } },
  { versionKey: false },
);

export function modelStalenessModel(conn: Connection) {
  return conn.model<ModelStalenessDoc>('ModelStaleness', schema, 'rec_model_staleness');
}
export type ModelStalenessModel = ReturnType<typeof modelStalenessModel>;

/** The staleness document of a model version (null version: no model served yet). */
export const stalenessId = (model: string, version: string | null) => `${model}@${version ?? '-'}`;
